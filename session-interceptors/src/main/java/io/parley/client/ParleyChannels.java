package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingClientInterceptor;
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
 * <p>Given a registry, every call made on the channel is counted and timed: Micrometer's {@code
 * grpc.client.*} meters, by service, method, method type and status code.
 */
public final class ParleyChannels {
  private static final String IN_PROCESS = "in-process:";

  private ParleyChannels() {}

  /** A channel to {@code target} without call metrics. */
  public static ManagedChannel forTarget(String target) {
    return create(target, null);
  }

  /** A channel to {@code target} whose calls are counted and timed in {@code meterRegistry}. */
  public static ManagedChannel forTarget(String target, MeterRegistry meterRegistry) {
    return create(target, requireNonNull(meterRegistry, "meterRegistry"));
  }

  private static ManagedChannel create(String target, MeterRegistry meterRegistry) {
    requireNonNull(target, "target");
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
      builder = NettyChannelBuilder.forTarget(resolved)
          .usePlaintext()
          .defaultLoadBalancingPolicy("round_robin")
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS);
    }
    if (meterRegistry != null) {
      // Interceptors run in reverse order of adding: this one last, next to the transport.
      builder.intercept(new MetricCollectingClientInterceptor(meterRegistry, counter -> counter,
          LatencyHistograms::withBuckets));
    }
    return builder
        .intercept(new PropagatingClientInterceptor())
        .maxInboundMessageSize(4 * 1024 * 1024)
        .build();
  }
}
