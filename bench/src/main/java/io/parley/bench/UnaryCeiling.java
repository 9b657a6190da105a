package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.parley.bench.v1.EchoRequest;
import io.parley.bench.v1.EchoServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The bare grpc-java unary ceiling of this machine, measured in the same run as a scenario: a
 * trivial handler with no interceptors on loopback TCP, called by the same number of client
 * threads. Printed beside a scenario's figures, it tells how much of the machine the gRPC layer
 * alone takes, so figures from different machines can be compared.
 */
final class UnaryCeiling {
  private UnaryCeiling() {}

  /** A closed-loop measurement of a bare Echo call for {@code duration}, after a short warm-up. */
  static Measurement measure(int concurrency, Duration duration) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new EchoServiceImpl())
        .executor(executor)
        .build()
        .start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(channel);
      EchoRequest request = EchoRequest.newBuilder().setText("ping").build();
      return new LoadRunner(concurrency).run("bare grpc-java unary (the machine's ceiling)",
          () -> stub.echo(request), Duration.ofSeconds(2), duration);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      executor.shutdownNow();
    }
  }
}
