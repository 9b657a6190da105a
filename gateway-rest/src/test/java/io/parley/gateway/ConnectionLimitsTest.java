package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.grpc.ManagedChannel;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What one client can hold of the gateway: connections, pipelined requests, answers it does not
 * read, and time (a request that arrives too slowly).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsTest {
  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private ManagedChannel channel;

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("limits");
    server = TestPlatforms.serve(platform, name, echo);
    channel = TestPlatforms.channel(name);
  }

  @AfterAll
  void stop() {
    channel.shutdownNow();
    server.close();
    echo.shutdown();
    platform.close();
  }

  private GatewayServer gateway(GatewayServer.Builder builder) {
    return builder.host("127.0.0.1").port(0).descriptorSet(TestPlatforms.echoDescriptorSet())
        .route(EchoUpstream.SERVICE, channel).build().start();
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  // ---- connections --------------------------------------------------------------------------------

  @Test
  void aConnectionOverTheCapIsAnswered503AndClosedAndTheCapFreesUpWhenOneCloses() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (GatewayServer gateway = gateway(GatewayServer.builder().maxConnections(2))) {
        List<RawHttp.Connection> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000);
          connection.send(get("/healthz"));
          assertThat(connection.read().status()).isEqualTo(200);
          held.add(connection);
        }

        try (RawHttp.Connection third = RawHttp.Connection.open(gateway.port(), 5_000)) {
          third.send(get("/healthz"));
          RawHttp.Response refused = third.read();
          assertThat(refused.status()).isEqualTo(503);
          assertThat(refused.header("content-type")).isEqualTo("application/json");
          assertThat(refused.header("retry-after")).isEqualTo("1");
          assertThat(refused.header("x-request-id")).matches("[0-9a-f]{32}");
          assertThat(refused.closesConnection()).isTrue();
          assertThat(refused.reason()).isEqualTo("SERVER_BUSY");
          assertThat(refused.json().getAsJsonObject("error").get("code").getAsInt()).isEqualTo(503);
          assertThat(third.isClosedByPeer()).isTrue();
        }
        // The refused connection's answer does not wait for a request.
        try (RawHttp.Connection silent = RawHttp.Connection.open(gateway.port(), 5_000)) {
          assertThat(silent.read().status()).isEqualTo(503);
        }

        held.remove(0).close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          try (RawHttp.Connection next = RawHttp.Connection.open(gateway.port(), 5_000)) {
            next.send(get("/healthz"));
            assertThat(next.read().status()).isEqualTo(200);
          }
        });
        held.forEach(RawHttp.Connection::close);
      }
    });
  }

  // ---- pipelining and slow readers ---------------------------------------------------------------

  @Test
  void pipelinedRequestsPastTheCapAreRefusedWith503InTheirTurnAndTheConnectionCloses() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (GatewayServer gateway = gateway(GatewayServer.builder().maxPipelinedRequests(2));
          RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000)) {
        List<String> burst = List.of(get("/v1/echo/p0?name=sleep:300"), get("/v1/echo/p1"), get("/v1/echo/p2"),
            get("/v1/echo/p3"), get("/v1/echo/p4"), get("/v1/echo/p5"));
        List<RawHttp.Response> answers = RawHttp.pipeline(connection, burst);
        assertThat(answers).hasSize(4);
        for (int i = 0; i < 3; i++) {
          assertThat(answers.get(i).status()).isEqualTo(200);
          assertThat(answers.get(i).text()).contains("\"id\":\"p" + i + "\"");
        }
        RawHttp.Response refused = answers.get(3);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.reason()).isEqualTo("SERVER_BUSY");
        assertThat(refused.text()).contains("more than 2 pipelined requests");
        assertThat(refused.closesConnection()).isTrue();
        assertThat(connection.isClosedByPeer()).isTrue();
      }
    });
  }

  /**
   * A client that sends requests but reads none of the answers: the gateway stops serving and
   * reading its requests once the answers back up (instead of holding them all), and serves the
   * rest, in order, once the client reads again.
   */
  @Test
  void aClientThatDoesNotReadItsAnswersIsNoLongerServedUntilItDoes() throws Exception {
    int requests = 3_000;
    String padding = "y".repeat(6_000);
    try (GatewayServer gateway = gateway(GatewayServer.builder());
        Socket socket = new Socket()) {
      socket.setReceiveBufferSize(8 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      echo.calls.clear();
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          for (int i = 0; i < requests; i++) {
            out.write(get("/v1/echo/r" + i + "?name=" + padding).getBytes(StandardCharsets.US_ASCII));
          }
          out.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      // Served calls stop growing while nothing is read, well short of what was sent.
      int[] last = {-1};
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
        int now = echo.calls.size();
        boolean steady = now > 0 && now == last[0];
        last[0] = now;
        return steady;
      });
      assertThat(echo.calls.size()).isLessThan(requests / 2);

      socket.setSoTimeout(20_000);
      RawHttp.Connection reader = RawHttp.Connection.wrap(socket);
      for (int i = 0; i < requests; i++) {
        RawHttp.Response response = reader.read();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).contains("\"id\":\"r" + i + "\"");
      }
      writer.get();
    }
  }

  // ---- slow senders ------------------------------------------------------------------------------

  @Test
  void aRequestThatTricklesInIsAnswered408WhenTheReadTimeoutEndsAndTheConnectionCloses() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (GatewayServer gateway = gateway(GatewayServer.builder().requestReadTimeout(Duration.ofMillis(800)))) {
        // Headers a line at a time, never ending.
        try (RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000)) {
          long start = System.nanoTime();
          connection.send("GET /v1/echo/slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: slowloris-1\r\n");
          CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
            try {
              for (int i = 0; i < 40; i++) {
                connection.send("X-Pad-" + i + ": y\r\n");
                Thread.sleep(100);
              }
            } catch (IOException | InterruptedException e) {
              // the gateway closed the connection
            }
          });
          RawHttp.Response response = connection.read();
          long tookMillis = (System.nanoTime() - start) / 1_000_000;
          assertThat(response.status()).isEqualTo(408);
          assertThat(response.reason()).isEqualTo("DEADLINE_EXCEEDED");
          // Its headers never ended, so the request id it sent never counted: the answer has its own.
          assertThat(response.header("x-request-id")).matches("[0-9a-f]{32}");
          assertThat(response.text()).contains("did not arrive within 800 ms");
          assertThat(response.closesConnection()).isTrue();
          assertThat(tookMillis).isBetween(700L, 3_000L);
          assertThat(connection.isClosedByPeer()).isTrue();
          trickle.join();
        }
        // A body that never completes.
        try (RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000)) {
          connection.send("POST /v1/echo/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "X-Request-Id: slowloris-2\r\nContent-Length: 100\r\n\r\n{\"name\":");
          RawHttp.Response response = connection.read();
          assertThat(response.status()).isEqualTo(408);
          assertThat(response.header("x-request-id")).isEqualTo("slowloris-2");
          assertThat(connection.isClosedByPeer()).isTrue();
        }
      }
    });
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWhenTheReadTimeoutEnds() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (GatewayServer gateway = gateway(GatewayServer.builder().requestReadTimeout(Duration.ofMillis(500)));
          RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000)) {
        long start = System.nanoTime();
        assertThat(connection.isClosedByPeer()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 3_000L);
      }
    });
  }

  @Test
  void aSlowButTimelyRequestAndAnIdleKeptAliveConnectionAreNotTimedOut() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (GatewayServer gateway = gateway(GatewayServer.builder().requestReadTimeout(Duration.ofMillis(1_500)));
          RawHttp.Connection connection = RawHttp.Connection.open(gateway.port(), 5_000)) {
        for (String part : List.of("GET /v1/echo/a", "1 HTTP/1.1\r\n", "Host: x\r\n", "\r\n")) {
          connection.send(part);
          Thread.sleep(200);
        }
        assertThat(connection.read().status()).isEqualTo(200);
        // Idle between requests for longer than the read timeout: the idle timeout (60 s) applies.
        Thread.sleep(2_000);
        connection.send(get("/v1/echo/a2"));
        assertThat(connection.read().text()).contains("\"id\":\"a2\"");
      }
    });
  }
}
