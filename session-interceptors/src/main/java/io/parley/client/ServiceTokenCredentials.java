package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.parley.auth.TokenIssuer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * The credential a Parley service uses to call another's INTERNAL methods: a short-lived service
 * token ({@code typ: svc+jwt}), minted with the deployment's signing key and renewed at half its
 * lifetime. {@link PropagatingClientInterceptor} recognises it: a peer refusing it is this
 * service's problem, never the user's. Thread-safe.
 */
public final class ServiceTokenCredentials extends CallCredentials {
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
  public static ServiceTokenCredentials of(TokenIssuer issuer, String serviceName, Clock clock) {
    return new ServiceTokenCredentials(issuer, serviceName, clock);
  }

  public String serviceName() {
    return serviceName;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    String value;
    try {
      value = current();
    } catch (RuntimeException e) {
      applier.fail(Status.INTERNAL.withDescription("could not mint a service token").withCause(e));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(BearerTokenCredentials.AUTHORIZATION, "Bearer " + value);
    applier.apply(headers);
  }

  private synchronized String current() {
    Instant now = clock.instant();
    if (token == null || !now.isBefore(renewAt)) {
      token = issuer.issueServiceToken(serviceName, TTL);
      renewAt = now.plus(TTL.dividedBy(2));
    }
    return token;
  }

  @Override
  public String toString() {
    return "ServiceTokenCredentials{" + serviceName + "}";
  }
}
