package io.parley.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.error.ParleyException;
import io.parley.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
  private final MutableClock clock = MutableClock.startingNow();
  private final TokenKeys keys = TokenKeys.hmac("token-verifier-test-secret-32-bytes".getBytes(UTF_8));
  private final TokenIssuer issuer = new TokenIssuer(keys, "parley", clock);

  @Test
  void aRememberedTokenStillExpiresOnTime() {
    TokenVerifier verifier = TokenVerifier.builder(keys).clock(clock).leeway(Duration.ofSeconds(10)).build();
    String token = issuer.issueUserToken("u1", "s1", Terminal.WEB, "alice", "Alice", clock.instant().plusSeconds(60));

    assertThat(verifier.verify(token).subject()).isEqualTo("u1");
    clock.advance(Duration.ofSeconds(65));
    assertThat(verifier.verify(token).subject()).as("within the leeway").isEqualTo("u1");
    clock.advance(Duration.ofSeconds(10));

    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_EXPIRED));
  }

  @Test
  void cachedAndUncachedVerifiersAgree() {
    TokenVerifier cached = TokenVerifier.builder(keys).clock(clock).build();
    TokenVerifier uncached = TokenVerifier.builder(keys).clock(clock).cacheSize(0).build();
    String token = issuer.issueUserToken("u2", "s2", Terminal.MOBILE, null, null, clock.instant().plusSeconds(60));

    for (int i = 0; i < 3; i++) {
      assertThat(cached.verify(token)).isEqualTo(uncached.verify(token));
    }
    // A character well inside the signature: the last one of a base64url HS256 signature carries
    // two padding bits, so changing only it may decode to the same bytes.
    int at = token.length() - 10;
    String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    assertThatThrownBy(() -> cached.verify(tampered)).isInstanceOf(ParleyException.class);
    assertThatThrownBy(() -> cached.verify(tampered)).isInstanceOf(ParleyException.class);
  }

  @Test
  void serviceCredentialsAndUserTokensVerifyOnlyWithTheirOwnKeys() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    java.security.KeyPair pair = generator.generateKeyPair();
    TokenKeys userSigning = TokenKeys.rsa().verificationKey("u1", pair.getPublic()).signingKey("u1", pair.getPrivate()).build();
    TokenKeys userVerifying = TokenKeys.rsa().verificationKey("u1", pair.getPublic()).build();
    TokenKeys serviceKeys = TokenKeys.hmac("a-separate-service-credential-key-32".getBytes(UTF_8));
    TokenVerifier verifier = TokenVerifier.builder(userVerifying).serviceKeys(serviceKeys).clock(clock).build();
    TokenIssuer users = new TokenIssuer(userSigning, "parley", clock);
    TokenIssuer services = new TokenIssuer(serviceKeys, "parley", clock);

    assertThat(verifier.verify(users.issueUserToken("u1", "s1", Terminal.WEB, null, null, clock.instant().plusSeconds(60)))
        .type()).isEqualTo(TokenType.USER);
    assertThat(verifier.verify(services.issueServiceToken("message-svc", Duration.ofMinutes(1))).subject())
        .isEqualTo("message-svc");
    // Whoever holds the service key cannot sign a user token, nor the user key a service credential.
    String forgedUser = services.issueUserToken("u1", "s1", Terminal.WEB, null, null, clock.instant().plusSeconds(60));
    String forgedService = users.issueServiceToken("message-svc", Duration.ofMinutes(1));
    assertThatThrownBy(() -> verifier.verify(forgedUser)).isInstanceOfSatisfying(ParleyException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED));
    assertThatThrownBy(() -> verifier.verify(forgedService)).isInstanceOfSatisfying(ParleyException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED));

    TokenKeys otherService = TokenKeys.hmac("another-service-credential-key-of-32".getBytes(UTF_8));
    TokenVerifier hmacOnly = TokenVerifier.builder(keys).serviceKeys(otherService).clock(clock).build();
    String serviceWithUserKey = issuer.issueServiceToken("message-svc", Duration.ofMinutes(1));
    assertThatThrownBy(() -> hmacOnly.verify(serviceWithUserKey)).as("its kid names no service key")
        .isInstanceOfSatisfying(ParleyException.class,
            e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_KEY_UNKNOWN));
    assertThat(hmacOnly.verify(new TokenIssuer(otherService, "parley", clock)
        .issueServiceToken("message-svc", Duration.ofMinutes(1))).type()).isEqualTo(TokenType.SERVICE);
  }
}
