package io.parley.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
 */
public final class ParleyChannels {
  private static final String IN_PROCESS = "in-process:";

  private ParleyChannels() {}

  /** A plaintext channel to {@code target}. */
  public static ManagedChannel forTarget(String target) {
    return forTarget(target, null);
  }

  /**
   * A channel to {@code target} over TLS with {@code credentials} (e.g. {@code
   * TlsCredentials.channelCredentials()}, which verify the server against the CA and the host name
   * in the target), or plaintext when null. In-process targets ignore them.
   */
  public static ManagedChannel forTarget(String target, ChannelCredentials credentials) {
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
      NettyChannelBuilder netty = credentials == null
          ? NettyChannelBuilder.forTarget(resolved).usePlaintext()
          : NettyChannelBuilder.forTarget(resolved, credentials);
      builder = netty
          .defaultLoadBalancingPolicy("round_robin")
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS);
    }
    return builder
        .intercept(new PropagatingClientInterceptor())
        .maxInboundMessageSize(4 * 1024 * 1024)
        .build();
  }
}
