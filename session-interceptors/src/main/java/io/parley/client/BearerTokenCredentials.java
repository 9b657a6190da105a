package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Sends {@code authorization: Bearer <token>} with every call it is attached to:
 *
 * <pre>{@code
 * stub.withCallCredentials(BearerTokenCredentials.of(token)).getMe(...);
 * }</pre>
 *
 * <p>The token may come from a supplier, asked on every call, so it can be refreshed. Thread-safe.
 */
public final class BearerTokenCredentials extends CallCredentials {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<String> token;

  private BearerTokenCredentials(Supplier<String> token) {
    this.token = token;
  }

  public static BearerTokenCredentials of(String token) {
    requireNonNull(token, "token");
    return new BearerTokenCredentials(() -> token);
  }

  public static BearerTokenCredentials of(Supplier<String> token) {
    return new BearerTokenCredentials(requireNonNull(token, "token"));
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    String value;
    try {
      value = token.get();
    } catch (RuntimeException e) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("could not obtain a token").withCause(e));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + value);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "BearerTokenCredentials{***}";
  }
}
