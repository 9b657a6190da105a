package io.parley.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.error.ParleyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenKeysTest {
  private static KeyPair rsaOld;
  private static KeyPair rsaNew;
  private static KeyPair ecKey;
  private static final Clock clock = Clock.systemUTC();

  @BeforeAll
  static void generate() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsaOld = rsa.generateKeyPair();
    rsaNew = rsa.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    ecKey = ec.generateKeyPair();
  }

  @Test
  void hmacSecretShorterThan32BytesIsRefused() {
    assertThatThrownBy(() -> TokenKeys.hmac("only-31-bytes-long-secret-xxxxx".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32");
    assertThat(TokenKeys.hmac("exactly-32-bytes-long-secret-xxx".getBytes(UTF_8)).canSign()).isTrue();
  }

  @Test
  void hmacKidIsDerivedFromTheSecretSoReplicasAgree() {
    byte[] secret = "a-shared-secret-of-32-bytes-or-more".getBytes(UTF_8);
    assertThat(TokenKeys.hmac(secret).activeKid()).isEqualTo(TokenKeys.hmac(secret.clone()).activeKid());
    assertThat(TokenKeys.hmac(secret).activeKid()).doesNotContain("secret");
  }

  @Test
  void rsaRotationVerifiesOldAndNewAndSignsWithTheActiveKey() {
    TokenKeys before = TokenKeys.rsa().verificationKey("2025", rsaOld.getPublic()).signingKey("2025", rsaOld.getPrivate())
        .build();
    TokenKeys during = TokenKeys.rsa()
        .verificationKey("2025", rsaOld.getPublic())
        .verificationKey("2026", rsaNew.getPublic())
        .signingKey("2026", rsaNew.getPrivate())
        .build();
    String oldToken = new TokenIssuer(before, "parley", clock).issueUserToken("u1", "s1", Terminal.WEB, null, null,
        Instant.now().plusSeconds(60));
    String newToken = new TokenIssuer(during, "parley", clock).issueUserToken("u1", "s2", Terminal.WEB, null, null,
        Instant.now().plusSeconds(60));

    TokenVerifier verifier = TokenVerifier.builder(during).build();
    assertThat(verifier.verify(oldToken).sessionId()).isEqualTo("s1");
    assertThat(verifier.verify(newToken).sessionId()).isEqualTo("s2");
    assertThat(new String(Base64.getUrlDecoder().decode(newToken.split("\\.")[0]), UTF_8)).contains("\"kid\":\"2026\"");

    TokenKeys after = TokenKeys.rsa().verificationKey("2026", rsaNew.getPublic()).build();
    assertThat(after.canSign()).isFalse();
    assertThatThrownBy(() -> TokenVerifier.builder(after).build().verify(oldToken))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_KEY_UNKNOWN));
    assertThat(TokenVerifier.builder(after).build().verify(newToken).subject()).isEqualTo("u1");
  }

  @Test
  void es256SignsAndVerifies() {
    TokenKeys keys = TokenKeys.ec().verificationKey("ec1", ecKey.getPublic()).signingKey("ec1", ecKey.getPrivate()).build();
    String token = new TokenIssuer(keys, "parley", clock).issueServiceToken("message-svc", Duration.ofMinutes(1));

    VerifiedToken verified = TokenVerifier.builder(keys).build().verify(token);

    assertThat(verified.type()).isEqualTo(TokenType.SERVICE);
    assertThat(verified.subject()).isEqualTo("message-svc");
  }

  @Test
  void keySetRefusesMismatchedOrWeakKeys() throws Exception {
    assertThatThrownBy(() -> TokenKeys.rsa().verificationKey("k", ecKey.getPublic()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenKeys.ec().verificationKey("k", rsaOld.getPublic()))
        .isInstanceOf(IllegalArgumentException.class);
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
    small.initialize(1024);
    assertThatThrownBy(() -> TokenKeys.rsa().verificationKey("k", small.generateKeyPair().getPublic()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
    assertThatThrownBy(() -> TokenKeys.rsa().verificationKey("a", rsaOld.getPublic()).signingKey("b", rsaOld.getPrivate())
        .build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenKeys.hmac("k1", Map.of("k2", new byte[32]))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pemFilesAreRead(@TempDir Path dir) throws Exception {
    Path publicPem = dir.resolve("k1.pub.pem");
    Path privatePem = dir.resolve("k1.key.pem");
    Files.writeString(publicPem, pem("PUBLIC KEY", rsaOld.getPublic().getEncoded()));
    Files.writeString(privatePem, pem("PRIVATE KEY", rsaOld.getPrivate().getEncoded()));

    TokenKeys keys = TokenKeys.rsa()
        .verificationKey("k1", TokenKeys.readPublicKey(publicPem, TokenAlgorithm.RS256))
        .signingKey("k1", TokenKeys.readPrivateKey(privatePem, TokenAlgorithm.RS256))
        .build();

    String token = new TokenIssuer(keys, "parley", clock).issueServiceToken("svc", Duration.ofMinutes(1));
    assertThat(TokenVerifier.builder(keys).build().verify(token).subject()).isEqualTo("svc");
    Files.writeString(dir.resolve("bad.pem"), "not a key");
    assertThatThrownBy(() -> TokenKeys.readPublicKey(dir.resolve("bad.pem"), TokenAlgorithm.RS256))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("BEGIN PUBLIC KEY");
  }

  @Test
  void toStringNeverShowsKeyMaterial() {
    TokenKeys keys = TokenKeys.hmac("super-secret-value-of-32-bytes-long!".getBytes(UTF_8));
    assertThat(keys.toString()).doesNotContain("super-secret");
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
