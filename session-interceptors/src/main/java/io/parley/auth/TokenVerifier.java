package io.parley.auth;

import static java.util.Objects.requireNonNull;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.error.ParleyException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies Parley tokens: size, structure, algorithm (exactly the key set's, so {@code none} and
 * HS256/RS256 confusion are refused), {@code kid}, signature, {@code iss}, {@code exp} and {@code
 * nbf}/{@code iat} with a small leeway, and the claims a Parley token must carry.
 *
 * <p>Every failure is a {@link ParleyException} with its own UNAUTHENTICATED reason (TOKEN_MISSING,
 * AUTH_SCHEME_UNSUPPORTED, TOKEN_MALFORMED, TOKEN_TOO_LARGE, TOKEN_ALGORITHM_UNSUPPORTED,
 * TOKEN_KEY_UNKNOWN, TOKEN_SIGNATURE_INVALID, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID,
 * TOKEN_ISSUER_INVALID, TOKEN_CLAIM_MISSING, TOKEN_CLAIM_INVALID, TOKEN_TYPE_INVALID); never an
 * unchecked library exception.
 *
 * <p>Tokens that verified are remembered by their exact text (a bounded cache, entries kept at most
 * five minutes), so that a client calling many times with one token pays for decoding and the
 * signature once; {@code exp} is still checked against the clock on every call. Failures are not
 * cached. Thread-safe.
 */
public final class TokenVerifier {
  /** Longest {@code authorization} value accepted; Parley's own tokens are far shorter. */
  public static final int DEFAULT_MAX_LENGTH = 4096;

  private static final String BEARER = "bearer ";
  private static final int MAX_SUBJECT_LENGTH = 128;

  private final TokenKeys keys;
  private final TokenKeys serviceKeys;
  private final String issuer;
  private final Duration leeway;
  private final Clock clock;
  private final int maxLength;
  private final Map<String, JWTVerifier> verifiers = new ConcurrentHashMap<>();
  private final Cache<String, VerifiedToken> verified;

  private TokenVerifier(Builder builder) {
    this.keys = builder.keys;
    this.serviceKeys = builder.serviceKeys == null ? builder.keys : builder.serviceKeys;
    this.issuer = builder.issuer;
    this.leeway = builder.leeway;
    this.clock = builder.clock;
    this.maxLength = builder.maxLength;
    this.verified = Caffeine.newBuilder()
        .maximumSize(builder.cacheSize)
        .expireAfterWrite(Duration.ofMinutes(5))
        .executor(Runnable::run)
        .build();
  }

  public static Builder builder(TokenKeys keys) {
    return new Builder(keys);
  }

  /**
   * Verifies an {@code authorization} metadata value of the form {@code Bearer <jwt>} (the scheme
   * is case-insensitive).
   *
   * @throws ParleyException UNAUTHENTICATED with the reason of the first check that fails
   */
  public VerifiedToken verifyAuthorization(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw fail(ErrorReason.TOKEN_MISSING, "missing authorization metadata: send 'authorization: Bearer <token>'");
    }
    if (authorization.length() > maxLength) {
      throw fail(ErrorReason.TOKEN_TOO_LARGE, "authorization metadata longer than " + maxLength + " characters");
    }
    if (authorization.length() < BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw fail(ErrorReason.AUTH_SCHEME_UNSUPPORTED, "authorization must use the Bearer scheme");
    }
    return verify(authorization.substring(BEARER.length()).trim());
  }

  /**
   * Verifies a bare JWT.
   *
   * @throws ParleyException UNAUTHENTICATED with the reason of the first check that fails
   */
  public VerifiedToken verify(String token) {
    requireNonNull(token, "token");
    VerifiedToken known = verified.getIfPresent(token);
    if (known != null) {
      if (clock.instant().isAfter(known.expiresAt().plus(leeway))) {
        verified.invalidate(token);
        throw fail(ErrorReason.TOKEN_EXPIRED, "token expired at " + known.expiresAt());
      }
      return known;
    }
    VerifiedToken fresh = decodeAndVerify(token);
    verified.put(token, fresh);
    return fresh;
  }

  private VerifiedToken decodeAndVerify(String token) {
    if (token.isEmpty()) {
      throw fail(ErrorReason.TOKEN_MALFORMED, "empty bearer token");
    }
    if (token.length() > maxLength) {
      throw fail(ErrorReason.TOKEN_TOO_LARGE, "token longer than " + maxLength + " characters");
    }
    DecodedJWT jwt;
    try {
      jwt = JWT.decode(token);
    } catch (JWTDecodeException e) {
      throw fail(ErrorReason.TOKEN_MALFORMED, "token is not a well-formed JWT");
    }
    TokenType type = TokenType.fromTyp(jwt.getType());
    // A service credential verifies only with the service keys, a user token only with the user keys.
    TokenKeys set = type == TokenType.SERVICE ? serviceKeys : keys;
    if (!set.algorithm().name().equals(jwt.getAlgorithm())) {
      throw fail(ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED,
          "token algorithm is not accepted; this server uses " + set.algorithm());
    }
    if (type == null) {
      throw fail(ErrorReason.TOKEN_TYPE_INVALID, "token typ is not a Parley token type");
    }
    String kid = jwt.getKeyId();
    Algorithm algorithm = kid == null ? set.soleVerifier() : set.verifier(kid);
    if (algorithm == null) {
      throw fail(ErrorReason.TOKEN_KEY_UNKNOWN,
          kid == null ? "token has no kid and the key set holds several keys" : "token kid names no known key");
    }
    try {
      verifierFor(type.typ() + " " + (kid == null ? "" : kid), algorithm).verify(jwt);
    } catch (AlgorithmMismatchException e) {
      throw fail(ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED, "token algorithm is not accepted");
    } catch (SignatureVerificationException e) {
      throw fail(ErrorReason.TOKEN_SIGNATURE_INVALID, "token signature does not verify");
    } catch (TokenExpiredException e) {
      throw fail(ErrorReason.TOKEN_EXPIRED, "token expired at " + e.getExpiredOn());
    } catch (MissingClaimException e) {
      throw fail(ErrorReason.TOKEN_CLAIM_MISSING, "token lacks the '" + e.getClaimName() + "' claim");
    } catch (IncorrectClaimException e) {
      throw switch (e.getClaimName()) {
        case "iss" -> fail(ErrorReason.TOKEN_ISSUER_INVALID, "token issuer is not '" + issuer + "'");
        case "nbf", "iat" -> fail(ErrorReason.TOKEN_NOT_YET_VALID, "token is not valid yet");
        default -> fail(ErrorReason.TOKEN_CLAIM_INVALID, "token claim '" + e.getClaimName() + "' is invalid");
      };
    } catch (JWTDecodeException e) {
      throw fail(ErrorReason.TOKEN_MALFORMED, "token is not a well-formed JWT");
    } catch (JWTVerificationException e) {
      throw fail(ErrorReason.TOKEN_CLAIM_INVALID, "token claims are invalid");
    }
    return claims(jwt, type);
  }

  private VerifiedToken claims(DecodedJWT jwt, TokenType type) {
    String subject = jwt.getSubject();
    if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw fail(subject == null ? ErrorReason.TOKEN_CLAIM_MISSING : ErrorReason.TOKEN_CLAIM_INVALID,
          "token 'sub' claim is missing or invalid");
    }
    if (type == TokenType.SERVICE) {
      return new VerifiedToken(type, subject, null, null, null, null, jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant());
    }
    String sessionId = stringClaim(jwt, TokenClaimNames.SESSION_ID, true);
    String term = stringClaim(jwt, TokenClaimNames.TERMINAL, true);
    Terminal terminal;
    try {
      terminal = Terminal.valueOf(term.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw fail(ErrorReason.TOKEN_CLAIM_INVALID, "token 'term' claim names no terminal");
    }
    if (terminal == Terminal.TERMINAL_UNSPECIFIED || terminal == Terminal.UNRECOGNIZED) {
      throw fail(ErrorReason.TOKEN_CLAIM_INVALID, "token 'term' claim names no terminal");
    }
    return new VerifiedToken(
        type,
        subject,
        sessionId,
        terminal,
        stringClaim(jwt, TokenClaimNames.USERNAME, false),
        stringClaim(jwt, TokenClaimNames.NICKNAME, false),
        jwt.getIssuedAtAsInstant(),
        jwt.getExpiresAtAsInstant());
  }

  private static String stringClaim(DecodedJWT jwt, String name, boolean required) {
    Claim claim = jwt.getClaim(name);
    if (claim.isMissing() || claim.isNull()) {
      if (required) {
        throw fail(ErrorReason.TOKEN_CLAIM_MISSING, "token lacks the '" + name + "' claim");
      }
      return null;
    }
    String value = claim.asString();
    if (value == null || (required && value.isBlank()) || value.length() > MAX_SUBJECT_LENGTH) {
      throw fail(ErrorReason.TOKEN_CLAIM_INVALID, "token '" + name + "' claim is invalid");
    }
    return value;
  }

  private JWTVerifier verifierFor(String kid, Algorithm algorithm) {
    // build(Clock) lives on BaseVerification, as java-jwt documents for an injected clock.
    return verifiers.computeIfAbsent(kid, k -> ((JWTVerifier.BaseVerification) JWT.require(algorithm)
        .withIssuer(issuer)
        .withClaimPresence("exp")
        .acceptLeeway(leeway.toSeconds()))
        .build(clock));
  }

  private static ParleyException fail(ErrorReason reason, String message) {
    return new ParleyException(reason, message);
  }

  /** Builds a {@link TokenVerifier}. Not thread-safe. */
  public static final class Builder {
    private final TokenKeys keys;
    private String issuer = "parley";
    private Duration leeway = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private int maxLength = DEFAULT_MAX_LENGTH;
    private long cacheSize = 50_000;
    private TokenKeys serviceKeys;

    private Builder(TokenKeys keys) {
      this.keys = requireNonNull(keys, "keys");
    }

    /** The required {@code iss}; {@code "parley"} by default. */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; 10 seconds by default, at most 5 minutes. */
    public Builder leeway(Duration leeway) {
      requireNonNull(leeway, "leeway");
      if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("leeway must be between 0 and 5 minutes: " + leeway);
      }
      this.leeway = leeway;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Longest authorization value or token accepted; {@value #DEFAULT_MAX_LENGTH} by default. */
    public Builder maxLength(int maxLength) {
      if (maxLength < 64) {
        throw new IllegalArgumentException("maxLength must be at least 64: " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /** How many verified tokens to remember (0 disables the cache); 50,000 by default. */
    public Builder cacheSize(long cacheSize) {
      if (cacheSize < 0) {
        throw new IllegalArgumentException("cacheSize must not be negative: " + cacheSize);
      }
      this.cacheSize = cacheSize;
      return this;
    }

    /**
     * The keys that service credentials ({@link TokenType#SERVICE}) must be signed with, apart from
     * the user tokens' keys, so that whoever may sign service credentials cannot sign user tokens,
     * nor the other way round. Without it, both kinds verify with the user tokens' keys.
     */
    public Builder serviceKeys(TokenKeys serviceKeys) {
      this.serviceKeys = requireNonNull(serviceKeys, "serviceKeys");
      return this;
    }

    public TokenVerifier build() {
      return new TokenVerifier(this);
    }
  }
}
