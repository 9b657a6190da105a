package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.parley.auth.TokenKeys;
import io.parley.server.ParleyServer;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node on a real redis-server and a real PostgreSQL of the test's own: when either stops, its
 * gRPC health turns NOT_SERVING (overall and per service) and the gateway's /readyz answers 503,
 * while the liveness name stays SERVING; when it starts again, the same process is ready again.
 */
class ReadinessTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("readiness-e2e-test-secret-32-bytes!".getBytes(UTF_8));
  /** Two check intervals, a connect timeout, and slack for a busy machine. */
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final String MESSAGE_SERVICE = "parley.message.v1.MessageService";

  private static RedisServer redis;
  private static PostgresServer postgres;
  private static ParleyNode node;
  private static ManagedChannel channel;
  private static HealthGrpc.HealthBlockingStub health;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    postgres = PostgresServer.start();
    node = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0)
        .store(redis.url()).database(postgres.createDatabase().withConnectTimeout(Duration.ofSeconds(1)))
        .fastPasswordHashing(true).build());
    channel = Clients.channel(node.grpcPort());
    health = HealthGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (node != null) {
      node.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void bringEverythingBack() {
    if (!redis.isRunning()) {
      redis.restart();
    }
    if (!postgres.isRunning()) {
      postgres.restart();
    }
    await().atMost(BOUND).until(() -> status("") == ServingStatus.SERVING);
  }

  @Test
  void postgresDownMakesTheNodeNotReadyButAliveAndItsReturnMakesItReady() throws Exception {
    assertReady();

    postgres.stop();

    await().atMost(BOUND).untilAsserted(ReadinessTest::assertNotReady);

    postgres.restart();

    await().atMost(BOUND).untilAsserted(ReadinessTest::assertReady);
  }

  @Test
  void redisDownMakesTheNodeNotReadyButAliveAndItsReturnMakesItReady() throws Exception {
    assertReady();

    redis.stop();

    await().atMost(BOUND).untilAsserted(ReadinessTest::assertNotReady);

    redis.restart();

    await().atMost(BOUND).untilAsserted(ReadinessTest::assertReady);
  }

  private static void assertReady() throws Exception {
    assertThat(status("")).isEqualTo(ServingStatus.SERVING);
    assertThat(status(MESSAGE_SERVICE)).isEqualTo(ServingStatus.SERVING);
    assertThat(status(ParleyServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
    assertThat(get("/readyz")).isEqualTo(200);
  }

  private static void assertNotReady() throws Exception {
    assertThat(status("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status(MESSAGE_SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status(ParleyServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
    assertThat(get("/readyz")).isEqualTo(503);
    assertThat(get("/healthz")).isEqualTo(200);
  }

  private static ServingStatus status(String service) {
    return health.withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private static int get(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(5)).build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
