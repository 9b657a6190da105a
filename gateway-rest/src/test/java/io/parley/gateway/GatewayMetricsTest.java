package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Requests answered are counted by route template and status, never by raw path. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayMetricsTest {
  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("metrics");
    server = TestPlatforms.serve(platform, name, echo);
    channel = TestPlatforms.channel(name);
    gateway = GatewayServer.builder().host("127.0.0.1").port(0).descriptorSet(TestPlatforms.echoDescriptorSet())
        .route(EchoUpstream.SERVICE, channel).meterRegistry(meters).build().start();
    http = new HttpTester(gateway.port());
  }

  @AfterAll
  void stop() {
    gateway.close();
    channel.shutdownNow();
    server.close();
    echo.shutdown();
    platform.close();
  }

  private List<Timer> timers(String route) {
    return List.copyOf(meters.find("parley.gateway.requests").tag("route", route).timers());
  }

  /**
   * Waits until {@code route} and {@code status} were counted {@code expected} times: a request is
   * counted once its answer is handed to the connection, which the client may read first.
   */
  private void awaitCount(String route, String status, long expected) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(count(route, status)).isEqualTo(expected));
  }

  private long count(String route, String status) {
    Timer timer = meters.find("parley.gateway.requests").tag("route", route).tag("status", status).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void requestsAreCountedUnderTheirPathTemplateNotTheirPath() {
    assertThat(http.get("/v1/echo/first").status()).isEqualTo(200);
    assertThat(http.get("/v1/echo/second").status()).isEqualTo(200);

    awaitCount("GET /v1/echo/{id}", "200", 2);
    assertThat(meters.find("parley.gateway.requests").timers())
        .allSatisfy(timer -> assertThat(timer.getId().getTag("route")).doesNotContain("first", "second"));
  }

  @Test
  void requestsThatMatchNoRouteShareOneLabelWithTheirStatus() {
    assertThat(http.get("/v1/nothing/here-" + System.nanoTime()).status()).isEqualTo(404);
    assertThat(http.send("DELETE", "/v1/echo/x", null).status()).isEqualTo(405);

    awaitCount(GatewayMetrics.UNMATCHED, "404", 1);
    awaitCount(GatewayMetrics.UNMATCHED, "405", 1);
    assertThat(timers(GatewayMetrics.UNMATCHED)).hasSize(2);
  }

  @Test
  void builtInPagesAreCountedUnderTheirOwnRoute() {
    assertThat(http.get("/healthz").status()).isEqualTo(200);
    assertThat(http.get("/docs/index.html").status()).isEqualTo(200);

    awaitCount("GET /healthz", "200", 1);
    awaitCount("GET /docs", "200", 1);
  }

  @Test
  void aRequestsLatencyIsRecorded() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    try (GatewayServer timed = GatewayServer.builder().host("127.0.0.1").port(0)
        .descriptorSet(TestPlatforms.echoDescriptorSet()).route(EchoUpstream.SERVICE, channel).meterRegistry(own)
        .build().start()) {
      assertThat(new HttpTester(timed.port()).get("/v1/echo/timed").status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> own.find("parley.gateway.requests").timer() != null);
      Timer timer = own.get("parley.gateway.requests").tag("route", "GET /v1/echo/{id}").tag("status", "200").timer();
      assertThat(timer.count()).isEqualTo(1);
      assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }
  }
}
