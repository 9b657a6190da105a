package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.testing.RedisCluster;
import io.parley.testing.RedisServer;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Readiness follows the process's dependencies: a real redis-server stopped and started again turns
 * the server's gRPC health NOT_SERVING and back, while the liveness name stays SERVING.
 */
class ReadinessMonitorTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("readiness-test-secret-of-32-bytes!!".getBytes(UTF_8));
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final String USER_SERVICE = "parley.user.v1.UserService";

  private static RedisServer redis;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void detachLogs() {
    logger().detachAppender(logs);
    if (!redis.isRunning()) {
      redis.restart();
    }
  }

  @Test
  void healthTurnsNotServingWhileRedisIsDownAndServingWhenItIsBack() {
    try (Platform platform = Platform.builder(KEYS).store(redis.url()).build();
        ParleyServer server = platform.serverBuilder().host("127.0.0.1").port(0)
            .addService(new UserServiceGrpc.UserServiceImplBase() {}).build().start();
        ReadinessMonitor monitor = ReadinessMonitor.builder().interval(Duration.ofMillis(100))
            .dependencies(platform.dependencies()).build()) {
      monitor.onChange(server::ready).start();
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertThat(status(health, "")).isEqualTo(ServingStatus.SERVING);

        redis.stop();

        await().atMost(BOUND).untilAsserted(() -> {
          assertThat(status(health, "")).isEqualTo(ServingStatus.NOT_SERVING);
          assertThat(status(health, USER_SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
        });
        assertThat(status(health, ParleyServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);

        redis.restart();

        await().atMost(BOUND).untilAsserted(() -> {
          assertThat(status(health, "")).isEqualTo(ServingStatus.SERVING);
          assertThat(status(health, USER_SERVICE)).isEqualTo(ServingStatus.SERVING);
        });
        assertThat(status(health, ParleyServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void onARedisClusterAMasterThatStopsMakesTheProcessNotReadyUntilItIsBack() {
    try (RedisCluster cluster = RedisCluster.start();
        Platform platform = Platform.builder(KEYS).store(cluster.url()).build();
        ReadinessMonitor monitor = ReadinessMonitor.builder().interval(Duration.ofMillis(100))
            .dependencies(platform.dependencies()).build()) {
      List<Boolean> heard = new CopyOnWriteArrayList<>();
      monitor.onChange(heard::add).start();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true)));

      RedisServer master = cluster.nodes().get(1);
      master.stop();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true, false)));

      master.restart();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true, false, true)));
    }
  }

  @Test
  void listenersHearTheFirstAnswerThenOnlyChanges() {
    AtomicBoolean up = new AtomicBoolean(true);
    AtomicInteger checks = new AtomicInteger();
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    try (ReadinessMonitor monitor = ReadinessMonitor.builder().interval(Duration.ofMillis(20))
        .dependency(Dependency.of("flag", counted(checks, up))).build()) {
      monitor.onChange(heard::add).start();
      await().atMost(BOUND).until(() -> heard.size() == 1);

      up.set(false);
      await().atMost(BOUND).until(() -> heard.size() == 2);
      awaitMoreChecks(checks, 10);
      up.set(true);
      await().atMost(BOUND).until(() -> heard.size() == 3);
      awaitMoreChecks(checks, 10);

      assertThat(heard).containsExactly(true, false, true);
      assertThat(monitor.isReady()).isTrue();
    }
  }

  @Test
  void lossAndReturnOfADependencyAreLoggedOnceEach() {
    logs.start();
    logger().addAppender(logs);
    AtomicBoolean up = new AtomicBoolean(false);
    AtomicInteger checks = new AtomicInteger();
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    try (ReadinessMonitor monitor = ReadinessMonitor.builder().interval(Duration.ofMillis(20))
        .dependency(Dependency.of("postgresql", counted(checks, up))).build()) {
      monitor.onChange(heard::add).start();
      await().atMost(BOUND).until(() -> heard.size() == 1);
      awaitMoreChecks(checks, 10); // many more failed checks

      up.set(true);
      await().atMost(BOUND).until(() -> heard.size() == 2);
      awaitMoreChecks(checks, 10);
    }

    assertThat(heard).containsExactly(false, true);
    assertThat(messages()).filteredOn(m -> m.startsWith("postgresql cannot be reached")).hasSize(1);
    assertThat(messages()).filteredOn(m -> m.equals("postgresql answers again")).hasSize(1);
  }

  @Test
  void aProbeThatThrowsCountsAsUnreachable() {
    Dependency broken = Dependency.of("broken", () -> {
      throw new IllegalStateException("connection refused");
    });

    assertThat(broken.isReachable()).isFalse();
  }

  @Test
  void aServerMarkedNotReadyBeforeStartStartsNotServing() {
    try (ParleyServer server = ParleyServer.builder().host("127.0.0.1").port(0).withoutSessions()
        .addService(new UserServiceGrpc.UserServiceImplBase() {}).build()) {
      server.ready(false);
      server.start();
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertThat(status(health, "")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(status(health, USER_SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(status(health, ParleyServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static ServingStatus status(HealthGrpc.HealthBlockingStub health, String service) {
    return health.withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private List<String> messages() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(ReadinessMonitor.class);
  }

  /** A probe answering {@code up}, counting its checks. */
  private static BooleanSupplier counted(AtomicInteger checks, AtomicBoolean up) {
    return () -> {
      checks.incrementAndGet();
      return up.get();
    };
  }

  /** Waits until the monitor has checked {@code more} more times: nothing it would do is left unseen. */
  private static void awaitMoreChecks(AtomicInteger checks, int more) {
    int target = checks.get() + more;
    await().atMost(BOUND).until(() -> checks.get() >= target);
  }
}
