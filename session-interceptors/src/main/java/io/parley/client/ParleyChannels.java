package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingClientInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.parley.metrics.LatencyHistograms;
import java.util.concurrent.TimeUnit;

/**
 * Channels from one Parley service to another, with {@link PropagatingClientInterceptor} and
 * round-robin over every address the target resolves to. Targets:
 *
 * <ul>
 *   <li>{@code host:port} or {@code dns:///host:port}: every address DNS returns (e.g. a headless
 *       Kubernetes service);
 *   <li>{@code h1:p1,h2:p2} or {@code static:///h1:p1,h2:p2}: a fixed list of replicas;
 *   <li>{@code in-process:name}: an in-process server (tests).
 * </ul>
 *
 * <p>No client-side health checking: grpc-java starts a subchannel's health stream in whatever
 * {@code io.grpc.Context} is current on the thread that drains the channel's synchronization
 * context, which may be a server call's, so the stream was cancelled when that call ended and the
 * replica counted as down (seen in {@code ParleyNodeTest}). Unready replicas leave the rotation
 * through their orchestrator's readiness instead (Kubernetes drops them from the headless Service).
 *
 * <p>Given a registry, every call made on the channel is counted and timed: Micrometer's {@code
 * grpc.client.*} meters, by service, method, method type and status code. Given an OpenTelemetry
 * other than {@link OpenTelemetry#noop()}, every call is a client span.
 */
public final class ParleyChannels {
  private static final String IN_PROCESS = "in-process:";

  private ParleyChannels() {}

  /** An untraced plaintext channel to {@code target}, without call metrics. */
  public static ManagedChannel forTarget(String target) {
    return forTarget(target, OpenTelemetry.noop(), null, null);
  }

  /**
   * A plaintext channel to {@code target} whose calls are client spans of {@code openTelemetry},
   * children of the span current when each call starts, with their W3C {@code traceparent} sent to
   * the server; with {@link OpenTelemetry#noop()}, an untraced channel with no tracing interceptor.
   * Without call metrics.
   */
  public static ManagedChannel forTarget(String target, OpenTelemetry openTelemetry) {
    return forTarget(target, openTelemetry, null, null);
  }

  /**
   * A channel to {@code target}, traced as {@link #forTarget(String, OpenTelemetry)} says, its
   * calls counted and timed in {@code meterRegistry} unless it is null, over TLS with {@code
   * credentials} (e.g. {@code TlsCredentials.channelCredentials()}, which verify the server against
   * the CA and the host name in the target), or plaintext when null. In-process targets ignore them.
   */
  public static ManagedChannel forTarget(String target, OpenTelemetry openTelemetry, MeterRegistry meterRegistry,
      ChannelCredentials credentials) {
    requireNonNull(target, "target");
    requireNonNull(openTelemetry, "openTelemetry");
    if (target.isBlank()) {
      throw new IllegalArgumentException("empty gRPC target");
    }
    ManagedChannelBuilder<?> builder;
    if (target.startsWith(IN_PROCESS)) {
      // A direct address: one server, no load balancing.
      builder = InProcessChannelBuilder.forName(target.substring(IN_PROCESS.length()));
    } else {
      String resolved = !target.contains("://") && target.contains(",")
          ? StaticNameResolverProvider.SCHEME + ":///" + target
          : target;
      NettyChannelBuilder netty = credentials == null
          ? NettyChannelBuilder.forTarget(resolved).usePlaintext()
          : NettyChannelBuilder.forTarget(resolved, credentials);
      builder = netty
          .defaultLoadBalancingPolicy("round_robin")
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS);
    }
    // Interceptors run in reverse order of adding: metrics next to the transport, then tracing.
    if (meterRegistry != null) {
      builder.intercept(new MetricCollectingClientInterceptor(meterRegistry, counter -> counter,
          LatencyHistograms::withBuckets));
    }
    if (openTelemetry != OpenTelemetry.noop()) {
      builder.intercept(GrpcTelemetry.create(openTelemetry).createClientInterceptor());
    }
    return builder
        .intercept(new PropagatingClientInterceptor())
        .maxInboundMessageSize(4 * 1024 * 1024)
        .build();
  }
}
