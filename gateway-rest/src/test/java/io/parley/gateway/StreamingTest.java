package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.parley.common.v1.Terminal;
import io.parley.gateway.ServerSentEvents.SseEvent;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.TestSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Server-streaming calls as Server-Sent Events and as NDJSON, with real sessions ending under them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);

  private Platform platform;
  private EchoUpstream echo;
  private SubscribeFake subscribe;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    subscribe = new SubscribeFake(platform);
    String name = TestPlatforms.uniqueName("streaming");
    server = TestPlatforms.serve(platform, name, echo, subscribe);
    channel = TestPlatforms.channel(name);
    gateway = GatewayServer.builder()
        .host("127.0.0.1")
        .port(0)
        .descriptorSet(TestPlatforms.merge(TestPlatforms.echoDescriptorSet(), TestPlatforms.parleyDescriptorSet()))
        .defaultChannel(channel)
        .heartbeatInterval(Duration.ofMillis(200))
        .build()
        .start();
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

  @Test
  void sseStreamEndsWithSessionKickedWhenANewerLoginReplacesTheSession() {
    assertTimeoutPreemptively(WITHIN, () -> {
      String token = TestSessions.login(platform, "kick-user", Terminal.WEB);
      HttpResponse<Stream<String>> response =
          http.openStream("/v1/events", "Accept", "text/event-stream", "Authorization", token);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
      assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(response.headers().firstValue("x-request-id")).isPresent();
      Iterator<String> lines = response.body().iterator();
      SseEvent first = ServerSentEvents.read(lines, 1).get(0);
      assertThat(first.event()).isEqualTo("message");
      assertThat(first.json().getAsJsonObject("subscribed").get("sessionId").getAsString()).isNotEmpty();

      TestSessions.login(platform, "kick-user", Terminal.WEB);

      List<SseEvent> rest = ServerSentEvents.read(lines, 10);
      assertThat(rest).hasSize(2);
      assertThat(rest.get(0).json().getAsJsonObject("sessionEnded").get("reason").getAsString()).isEqualTo("SESSION_KICKED");
      assertThat(rest.get(1).event()).isEqualTo("error");
      JsonObject error = rest.get(1).json().getAsJsonObject("error");
      assertThat(error.get("code").getAsInt()).isEqualTo(401);
      assertThat(error.get("status").getAsString()).isEqualTo("UNAUTHENTICATED");
      assertThat(error.getAsJsonArray("details").toString()).contains("\"reason\":\"SESSION_KICKED\"");
      assertThat(lines.hasNext()).isFalse();

      // From now on the real session interceptor refuses the token before any event: a plain 401.
      HttpTester.Reply again = http.get("/v1/events", "Accept", "text/event-stream", "Authorization", token);
      assertThat(again.status()).isEqualTo(401);
      assertThat(again.reason()).isEqualTo("SESSION_KICKED");
      assertThat(again.header("www-authenticate")).contains("error=\"invalid_token\"");
    });
  }

  @Test
  void ndjsonStreamEndsWithSessionRevoked() {
    assertTimeoutPreemptively(WITHIN, () -> {
      String token = TestSessions.login(platform, "revoke-user", Terminal.MOBILE);
      HttpResponse<Stream<String>> response =
          http.openStream("/v1/events", "Accept", "application/x-ndjson", "Authorization", token);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
      Iterator<String> lines = response.body().iterator();
      String sessionId = JsonParser.parseString(lines.next()).getAsJsonObject()
          .getAsJsonObject("subscribed").get("sessionId").getAsString();

      assertThat(platform.sessionStore().revoke("revoke-user", sessionId)).isTrue();

      JsonObject ended = JsonParser.parseString(lines.next()).getAsJsonObject();
      assertThat(ended.getAsJsonObject("sessionEnded").get("reason").getAsString()).isEqualTo("SESSION_REVOKED");
      JsonObject error = JsonParser.parseString(lines.next()).getAsJsonObject().getAsJsonObject("error");
      assertThat(error.get("code").getAsInt()).isEqualTo(401);
      assertThat(error.getAsJsonArray("details").toString()).contains("\"reason\":\"SESSION_REVOKED\"");
      assertThat(lines.hasNext()).isFalse();
      assertThat(http.get("/v1/events", "Authorization", token).reason()).isEqualTo("SESSION_REVOKED");
    });
  }

  @Test
  void streamWithoutATokenIsRefusedWith401() {
    HttpTester.Reply reply = http.get("/v1/events", "Accept", "text/event-stream");
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.reason()).isEqualTo("TOKEN_MISSING");
    assertThat(reply.header("www-authenticate")).isEqualTo("Bearer realm=\"parley\"");
  }

  @Test
  void browsersMayPassTheTokenAsAccessToken() {
    assertTimeoutPreemptively(WITHIN, () -> {
      String token = TestSessions.login(platform, "browser-user", Terminal.DESKTOP);
      String jwt = token.substring("Bearer ".length());
      HttpResponse<Stream<String>> response = http.openStream("/v1/events?access_token=" + jwt, "Accept", "text/event-stream");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(ServerSentEvents.read(response.body().iterator(), 1).get(0).json().has("subscribed")).isTrue();
      response.body().close();
      HttpTester.Reply both = http.get("/v1/events?access_token=" + jwt, "Authorization", token);
      assertThat(both.status()).isEqualTo(400);
      assertThat(both.detail("type.googleapis.com/google.rpc.BadRequest").toString()).contains("access_token");
    });
  }

  @Test
  void idleSseStreamGetsHeartbeats() {
    assertTimeoutPreemptively(WITHIN, () -> {
      HttpResponse<Stream<String>> response =
          http.openStream("/v1/echo/hb:stream?name=hold&count=1", "Accept", "text/event-stream");
      Iterator<String> lines = response.body().iterator();
      int heartbeats = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (heartbeats < 2 && System.nanoTime() < deadline) {
        if (lines.next().equals(": heartbeat")) {
          heartbeats++;
        }
      }
      assertThat(heartbeats).isEqualTo(2);
      response.body().close();
    });
  }

  @Test
  void ndjsonIsTheDefaultAndEachMessageIsOneLine() {
    HttpTester.Reply reply = http.get("/v1/echo/n1:stream?count=3");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("content-type")).isEqualTo("application/x-ndjson");
    String[] lines = reply.body().split("\n");
    assertThat(lines).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonObject message = JsonParser.parseString(lines[i]).getAsJsonObject();
      assertThat(message.get("id").getAsString()).isEqualTo("n1");
      assertThat(message.get("small").getAsInt()).isEqualTo(i);
    }
    // The stream ended cleanly, so the connection is reused.
    assertThat(http.get("/v1/echo/after").status()).isEqualTo(200);
  }

  /** Found by the HTTP fuzz: an Accept of separators only ({@code ;;;,,,}) made the stream a 500. */
  @Test
  void anAcceptHeaderOfSeparatorsOnlyIsServedAsNdjsonNotA500() {
    for (String accept : new String[] {";;;,,,", ";", "text/event-stream;q=NaN", ",;q=1"}) {
      HttpTester.Reply reply = http.get("/v1/echo/n2:stream?count=1", "Accept", accept);
      assertThat(reply.status()).as(accept).isEqualTo(200);
      assertThat(reply.header("content-type")).as(accept).isEqualTo("application/x-ndjson");
    }
  }

  @Test
  void sseStreamThatFailsEndsWithAnErrorEvent() {
    assertTimeoutPreemptively(WITHIN, () -> {
      HttpResponse<Stream<String>> response = http.openStream("/v1/echo/f1:stream?count=2&name=fail:RATE_LIMITED",
          "Accept", "application/json, text/event-stream");
      List<SseEvent> events = ServerSentEvents.read(response.body().iterator(), 10);
      assertThat(events).extracting(SseEvent::event).containsExactly("message", "message", "error");
      JsonObject error = events.get(2).json().getAsJsonObject("error");
      assertThat(error.get("code").getAsInt()).isEqualTo(429);
      assertThat(error.get("status").getAsString()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(error.get("message").getAsString()).isEqualTo("stream failing as asked");
    });
  }

  @Test
  void streamRefusedBeforeAnyMessageIsAPlainHttpError() {
    HttpTester.Reply reply = http.get("/v1/echo/r1:stream?count=0&name=fail:NOT_GROUP_MEMBER", "Accept", "text/event-stream");
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    assertThat(reply.reason()).isEqualTo("NOT_GROUP_MEMBER");
  }

  @Test
  void clientThatGoesAwayCancelsTheGrpcCall() throws Exception {
    assertTimeoutPreemptively(WITHIN, () -> {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        request(socket, "/v1/echo/gone:stream?name=hold&count=1", "text/event-stream", null);
        readUntil(socket.getInputStream(), "data: ");
      }
      awaitCancelled(echo.cancelled, "gone");

      String token = TestSessions.login(platform, "leaving-user", Terminal.WEB);
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        request(socket, "/v1/events", "text/event-stream", token);
        readUntil(socket.getInputStream(), "subscribed");
      }
      assertThat(subscribe.cancelled.poll(5, TimeUnit.SECONDS)).isNotNull();
    });
  }

  @Test
  void slowClientHoldsTheServiceBack() throws Exception {
    assertTimeoutPreemptively(WITHIN, () -> {
      // 40 MB offered; a reader that never reads. Without flow control the service would hand
      // gRPC all of it within a second (in-process) and the gateway would buffer it.
      int total = 40_000;
      echo.floodSent.set(0);
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
        request(socket, "/v1/echo/flood:stream?name=flood&count=" + total, "application/x-ndjson", null);
        readUntil(socket.getInputStream(), "\r\n\r\n");
        Thread.sleep(1500);
        // Held back at about what the socket buffers and the write high-water mark hold.
        assertThat(echo.floodSent.get()).isGreaterThan(0).isLessThan(total / 4);
      }
      awaitCancelled(echo.cancelled, "flood");
    });
  }

  private static void awaitCancelled(BlockingQueue<String> cancelled, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String next;
    while ((next = cancelled.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
      if (next.equals(id)) {
        return;
      }
    }
    throw new AssertionError("the gRPC call of stream " + id + " was not cancelled");
  }

  private static void request(Socket socket, String path, String accept, String authorization) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: " + accept + "\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      seen.append((char) b);
      if (seen.indexOf(marker) >= 0) {
        return;
      }
    }
    throw new IOException("stream ended before '" + marker + "': " + seen);
  }
}
