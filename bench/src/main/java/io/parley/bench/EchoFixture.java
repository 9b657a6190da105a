package io.parley.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the echo scenarios measure against: a Parley server with the full interceptor chain on a
 * Redis store (a redis-server of their own, or the one {@code --target redis=} names), and a bare
 * grpc-java server with the same handler and no interceptors at all. Servers on loopback TCP.
 */
final class EchoFixture implements AutoCloseable {
  /** Null when the store is a given Redis. */
  private final RedisServer redis;
  /** The Redis the sessions are stored in. */
  final String storeUrl;
  final Platform platform;
  final ParleyServer parley;
  final Server bare;
  final ManagedChannel parleyChannel;
  final ManagedChannel bareChannel;
  final List<ClientInterceptor> sessions = new ArrayList<>();
  /** Every session opened, to revoke them from a given Redis at the end. */
  private final List<OpenSession> opened = new ArrayList<>();

  private record OpenSession(String userId, String sessionId) {}

  /** A fixture with {@code sessionCount} sessions, stored in {@code targets}' Redis if it names one. */
  EchoFixture(int sessionCount, Targets targets) throws IOException, InterruptedException {
    List<String> given = targets.addresses().get("redis");
    redis = given == null ? RedisServer.start() : null;
    storeUrl = given == null ? redis.url() : given.get(0);
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    platform = Platform.builder(TokenKeys.hmac(secret)).store(storeUrl).build();
    parley = platform.serverBuilder().host("127.0.0.1").port(0).addService(new EchoServiceImpl()).build().start();
    bare = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new EchoServiceImpl())
        .executor(java.util.concurrent.Executors.newFixedThreadPool(Math.max(8, 4 * Runtime.getRuntime().availableProcessors())))
        .build()
        .start();
    parleyChannel = NettyChannelBuilder.forAddress("127.0.0.1", parley.port()).usePlaintext().build();
    bareChannel = NettyChannelBuilder.forAddress("127.0.0.1", bare.getPort()).usePlaintext().build();
    awaitSessionEvents();
    // Users unique to the run: the store keeps one session per user and terminal, so two runs on one
    // Redis with the same users would end each other's sessions mid-run.
    String runTag = Deployment.runTag();
    for (int i = 0; i < sessionCount; i++) {
      String user = String.format("bench%s%06d", runTag, i);
      String sessionId = Ids.newSessionId();
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + TestSessions.token(platform, user, sessionId, Terminal.WEB,
              Map.of("username", user, "nickname", "Bench " + i, "avatar_url", "", "roles", "user")));
      sessions.add(MetadataUtils.newAttachHeadersInterceptor(headers));
      opened.add(new OpenSession(user, sessionId));
    }
  }

  /** The header interceptor of session {@code i}, cycling through the sessions. */
  ClientInterceptor session(int i) {
    return sessions.get(Math.floorMod(i, sessions.size()));
  }

  private void awaitSessionEvents() throws InterruptedException {
    var store = (io.parley.session.CachingSessionStore) platform.sessionStore();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!store.isCaching() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws InterruptedException {
    parleyChannel.shutdownNow();
    bareChannel.shutdownNow();
    bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    parley.close();
    if (redis == null) {
      opened.forEach(s -> platform.sessionStore().revoke(s.userId(), s.sessionId()));
    }
    platform.close();
    if (redis != null) {
      redis.close();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
