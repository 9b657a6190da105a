package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.parley.auth.TokenIssuer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The credential a Parley service uses to call another's INTERNAL methods: a short-lived service
 * token ({@code typ: svc+jwt}), minted with the deployment's signing key and renewed at half its
 * lifetime. Thread-safe.
 */
public final class ServiceTokenCredentials {
  private static final Duration TTL = Duration.ofMinutes(5);

  private final TokenIssuer issuer;
  private final String serviceName;
  private final Clock clock;
  private String token;
  private Instant renewAt = Instant.MIN;

  private ServiceTokenCredentials(TokenIssuer issuer, String serviceName, Clock clock) {
    this.issuer = requireNonNull(issuer, "issuer");
    this.serviceName = requireNonNull(serviceName, "serviceName");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Call credentials for {@code serviceName}, e.g. {@code "message-svc"}. */
  public static CallCredentials of(TokenIssuer issuer, String serviceName, Clock clock) {
    ServiceTokenCredentials credentials = new ServiceTokenCredentials(issuer, serviceName, clock);
    return BearerTokenCredentials.of(credentials::current);
  }

  private synchronized String current() {
    Instant now = clock.instant();
    if (token == null || !now.isBefore(renewAt)) {
      token = issuer.issueServiceToken(serviceName, TTL);
      renewAt = now.plus(TTL.dividedBy(2));
    }
    return token;
  }
}
