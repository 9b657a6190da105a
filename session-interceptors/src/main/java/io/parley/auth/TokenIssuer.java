package io.parley.auth;

import static java.util.Objects.requireNonNull;

import com.auth0.jwt.JWT;
import io.parley.common.v1.Terminal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Signs Parley tokens with the active key of a {@link TokenKeys}. Thread-safe.
 *
 * <p>A user token carries {@code iss}, {@code sub} (user id), {@code sid} (session id), {@code
 * term}, {@code name}, {@code nick}, {@code iat} and {@code exp}, with header {@code typ: at+jwt}
 * and the signing {@code kid}. A service token carries {@code iss}, {@code sub} (service name),
 * {@code iat} and {@code exp}, with {@code typ: svc+jwt}.
 */
public final class TokenIssuer {
  private final TokenKeys keys;
  private final String issuer;
  private final Clock clock;

  public TokenIssuer(TokenKeys keys, String issuer, Clock clock) {
    this.keys = requireNonNull(keys, "keys");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
    if (!keys.canSign()) {
      throw new IllegalArgumentException("the key set " + keys + " has no signing key");
    }
  }

  /** A token for a user's session, valid until {@code expiresAt}. */
  public String issueUserToken(
      String userId, String sessionId, Terminal terminal, String username, String nickname, Instant expiresAt) {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    requireNonNull(terminal, "terminal");
    requireNonNull(expiresAt, "expiresAt");
    Instant now = clock.instant();
    if (!expiresAt.isAfter(now)) {
      throw new IllegalArgumentException("expiresAt " + expiresAt + " is not in the future");
    }
    var builder = JWT.create()
        .withHeader(Map.of("typ", TokenType.USER.typ()))
        .withKeyId(keys.activeKid())
        .withIssuer(issuer)
        .withSubject(userId)
        .withClaim(TokenClaimNames.SESSION_ID, sessionId)
        .withClaim(TokenClaimNames.TERMINAL, terminal.name())
        .withIssuedAt(now)
        .withExpiresAt(expiresAt);
    if (username != null) {
      builder.withClaim(TokenClaimNames.USERNAME, username);
    }
    if (nickname != null) {
      builder.withClaim(TokenClaimNames.NICKNAME, nickname);
    }
    return builder.sign(keys.signer());
  }

  /** A short-lived credential for {@code serviceName} to call internal methods. */
  public String issueServiceToken(String serviceName, Duration ttl) {
    requireNonNull(serviceName, "serviceName");
    requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    Instant now = clock.instant();
    return JWT.create()
        .withHeader(Map.of("typ", TokenType.SERVICE.typ()))
        .withKeyId(keys.activeKid())
        .withIssuer(issuer)
        .withSubject(serviceName)
        .withIssuedAt(now)
        .withExpiresAt(now.plus(ttl))
        .sign(keys.signer());
  }

  Clock clock() {
    return clock;
  }
}
