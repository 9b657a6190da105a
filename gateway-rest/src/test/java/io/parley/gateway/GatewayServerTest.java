package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.parley.client.ParleyChannels;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP server around the transcoder: built-in endpoints, CORS, connections, headers, shutdown. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayServerTest {
  private static final String ORIGIN = "https://app.example.com";

  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private ManagedChannel channel;
  private Socket deadPort;
  private ManagedChannel deadChannel;
  private GatewayServer gateway;
  private HttpTester http;

  @BeforeAll
  void start() throws IOException {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("server");
    server = TestPlatforms.serve(platform, name, echo);
    channel = TestPlatforms.channel(name);
    deadPort = TestPlatforms.deadPort();
    deadChannel = ParleyChannels.forTarget("127.0.0.1:" + deadPort.getLocalPort());
    gateway = echoGateway(GatewayServer.builder().corsOrigins(List.of(ORIGIN)));
    http = new HttpTester(gateway.port());
  }

  @AfterAll
  void stop() throws IOException {
    gateway.close();
    channel.shutdownNow();
    deadChannel.shutdownNow();
    deadPort.close();
    server.close();
    echo.shutdown();
    platform.close();
  }

  private GatewayServer echoGateway(GatewayServer.Builder builder) {
    return builder.host("127.0.0.1").port(0).descriptorSet(TestPlatforms.echoDescriptorSet())
        .route(EchoUpstream.SERVICE, channel).build().start();
  }

  // ---- health, readiness, documents ---------------------------------------------------------------

  @Test
  void healthzAnswersForTheGatewayItself() {
    HttpTester.Reply reply = http.get("/healthz");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("status").getAsString()).isEqualTo("SERVING");
    assertThat(reply.header("x-request-id")).hasSize(32);
  }

  @Test
  void readyzAsksEveryUpstreamForItsHealth() {
    HttpTester.Reply reply = http.get("/readyz");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().toString())
        .isEqualTo("{\"status\":\"SERVING\",\"services\":{\"parley.gatewaytest.v1.EchoService\":\"SERVING\"}}");
  }

  @Test
  void readyzIs503ListingTheUpstreamsThatAreNotServing() {
    try (GatewayServer partial = GatewayServer.builder().host("127.0.0.1").port(0)
        .descriptorSet(TestPlatforms.merge(TestPlatforms.echoDescriptorSet(), TestPlatforms.parleyDescriptorSet()))
        .route(EchoUpstream.SERVICE, channel)
        .route("parley.user.v1.UserService", deadChannel)
        .route("parley.group.v1.GroupService", channel)
        .build().start()) {
      HttpTester.Reply reply = new HttpTester(partial.port()).get("/readyz");
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.reason()).isEqualTo("UPSTREAM_UNAVAILABLE");
      assertThat(reply.error().get("message").getAsString())
          .isEqualTo("not ready: parley.user.v1.UserService (UNAVAILABLE), parley.friend.v1.FriendService (NO_UPSTREAM), "
              + "parley.group.v1.GroupService (NOT_FOUND), parley.message.v1.MessageService (NO_UPSTREAM)");
      JsonObject metadata = reply.detail("type.googleapis.com/google.rpc.ErrorInfo").getAsJsonObject("metadata");
      assertThat(metadata.keySet()).containsExactlyInAnyOrder("parley.user.v1.UserService",
          "parley.friend.v1.FriendService", "parley.group.v1.GroupService", "parley.message.v1.MessageService");
      assertThat(metadata.toString()).doesNotContain("EchoService");
    }
  }

  @Test
  void webClientIsServedAtTheRootUnderAStrictContentSecurityPolicy() {
    HttpTester.Reply page = http.get("/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.header("content-security-policy")).contains("script-src 'self'").doesNotContain("unsafe");
    assertThat(page.body()).contains("<script type=\"module\" src=\"app/app.js\"></script>");
    HttpTester.Reply script = http.get("/app/app.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("textContent").doesNotContain("innerHTML");
    assertThat(http.get("/app/app.css").header("content-type")).isEqualTo("text/css; charset=utf-8");
    assertThat(http.get("/app/index.html").status()).isEqualTo(404);
    assertThat(http.get("/app/nothing.js").status()).isEqualTo(404);
    assertThat(http.get("/app/%2e%2e%2fGatewayHandler.class").status()).isEqualTo(404);
    assertThat(http.send("POST", "/", "{}").status()).isEqualTo(405);
  }

  @Test
  void openApiAndDocsAreServed() {
    assertThat(JsonParser.parseString(http.get("/openapi.json").body()).getAsJsonObject().get("openapi").getAsString())
        .isEqualTo("3.1.0");
    HttpTester.Reply redirect = http.get("/docs");
    assertThat(redirect.status()).isEqualTo(302);
    assertThat(redirect.header("location")).isEqualTo("docs/");
    HttpTester.Reply page = http.get("/docs/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.body()).contains("<title>Parley API</title>").contains("swagger-ui-bundle.js")
        .contains("swagger-initializer.js");
    HttpTester.Reply initializer = http.get("/docs/swagger-initializer.js");
    assertThat(initializer.body()).contains("url: \"../openapi.json\"").doesNotContain("petstore");
    HttpTester.Reply bundle = http.get("/docs/swagger-ui-bundle.js");
    assertThat(bundle.status()).isEqualTo(200);
    assertThat(bundle.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(bundle.body().length()).isGreaterThan(100_000);
    assertThat(http.get("/docs/swagger-ui.css").header("cache-control")).isEqualTo("public, max-age=86400");
    assertThat(http.get("/docs/nothing.js").status()).isEqualTo(404);
    assertThat(http.get("/docs/%2e%2e%2fMETA-INF%2fMANIFEST.MF").status()).isEqualTo(404);
    HttpTester.Reply post = http.send("POST", "/openapi.json", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("allow")).isEqualTo("GET, OPTIONS");
  }

  @Test
  void largeResponsesAreGzippedForClientsThatAcceptIt() throws Exception {
    HttpResponse<InputStream> response = http.client().send(HttpRequest.newBuilder(http.uri("/openapi.json"))
        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
    try (InputStream in = new GZIPInputStream(response.body())) {
      assertThat(JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject().has("paths"))
          .isTrue();
    }
    HttpResponse<Stream<String>> stream = http.client().send(HttpRequest.newBuilder(http.uri("/v1/echo/z:stream?count=2"))
        .header("Accept-Encoding", "gzip").header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.headers().firstValue("content-encoding")).isEmpty();
    assertThat(stream.body().filter(line -> line.startsWith("data: ")).count()).isEqualTo(2);
  }

  // ---- CORS ----------------------------------------------------------------------------------------

  @Test
  void corsPreflightIsAnswered() {
    HttpTester.Reply reply = http.send("OPTIONS", "/v1/echo/c1", null, "Origin", ORIGIN,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type,grpc-timeout");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("access-control-allow-origin")).isEqualTo(ORIGIN);
    assertThat(reply.header("access-control-allow-methods")).contains("POST").contains("PATCH").contains("DELETE");
    assertThat(reply.header("access-control-allow-headers")).contains("Authorization").contains("X-Request-Id")
        .contains("Grpc-Timeout").contains("Content-Type");
    assertThat(reply.header("access-control-max-age")).isEqualTo("600");
    assertThat(reply.header("vary")).isEqualTo("origin");
  }

  @Test
  void corsResponsesExposeTheRequestIdToAllowedOriginsOnly() {
    HttpTester.Reply allowed = http.get("/v1/echo/c2", "Origin", ORIGIN);
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.header("access-control-allow-origin")).isEqualTo(ORIGIN);
    assertThat(allowed.header("access-control-expose-headers")).contains("X-Request-Id").contains("WWW-Authenticate");
    HttpTester.Reply other = http.get("/v1/echo/c2", "Origin", "https://evil.example.com");
    assertThat(other.header("access-control-allow-origin")).isNull();
    HttpTester.Reply preflight = http.send("OPTIONS", "/v1/echo/c2", null, "Origin", "https://evil.example.com",
        "Access-Control-Request-Method", "POST");
    assertThat(preflight.header("access-control-allow-origin")).isNull();
  }

  @Test
  void anyOriginMayBeAllowed() {
    try (GatewayServer open = echoGateway(GatewayServer.builder().corsOrigins(List.of("*")))) {
      HttpTester.Reply reply = new HttpTester(open.port()).send("OPTIONS", "/v1/echo/c3", null,
          "Origin", "https://anywhere.example", "Access-Control-Request-Method", "GET");
      assertThat(reply.header("access-control-allow-origin")).isEqualTo("*");
      assertThat(reply.header("access-control-allow-headers")).contains("Authorization");
    }
  }

  // ---- headers -------------------------------------------------------------------------------------

  @Test
  void forwardsAuthorizationLanguageRequestIdAndTheClientAddressOnly() {
    HttpTester.Reply reply = http.get("/v1/echo/fw?name=headers", "Authorization", "Bearer t0k3n",
        "Accept-Language", "zh-CN", "X-Request-Id", "req-42", "X-Forwarded-For", "203.0.113.7", "Cookie", "session=secret");
    assertThat(reply.status()).isEqualTo(200);
    JsonObject labels = reply.json().getAsJsonObject("labels");
    assertThat(labels.get("authorization").getAsString()).isEqualTo("Bearer t0k3n");
    assertThat(labels.get("accept-language").getAsString()).isEqualTo("zh-CN");
    assertThat(labels.get("x-request-id").getAsString()).isEqualTo("req-42");
    // No proxy is trusted by default: the client cannot choose the address it is known by.
    assertThat(labels.get("x-forwarded-for").getAsString()).isEqualTo("127.0.0.1");
    assertThat(labels.has("cookie")).isFalse();
    assertThat(Long.parseLong(labels.get("deadline_ms").getAsString())).isBetween(5_000L, 10_000L);
    assertThat(reply.header("x-request-id")).isEqualTo("req-42");
    assertThat(reply.header("x-content-type-options")).isEqualTo("nosniff");
  }

  @Test
  void behindATrustedProxyTheClientAddressItReportsIsForwardedLast() {
    try (GatewayServer behindProxy = echoGateway(GatewayServer.builder().trustedProxies(List.of("127.0.0.0/8")))) {
      HttpTester client = new HttpTester(behindProxy.port());
      HttpTester.Reply reply = client.get("/v1/echo/fw?name=headers", "X-Forwarded-For", "198.51.100.1, 203.0.113.7");
      assertThat(reply.json().getAsJsonObject("labels").get("x-forwarded-for").getAsString())
          .isEqualTo("198.51.100.1, 203.0.113.7");
      HttpTester.Reply direct = client.get("/v1/echo/fw?name=headers");
      assertThat(direct.json().getAsJsonObject("labels").get("x-forwarded-for").getAsString()).isEqualTo("127.0.0.1");
    }
  }

  /**
   * Found by the HTTP fuzz over TCP: a 16,000-character Authorization or Accept-Language fits the
   * gateway's 16 KiB of headers but not a gRPC server's metadata limit, and the call failed
   * INTERNAL, a 500. The gateway refuses such a token itself and does not pass such a language on.
   */
  @Test
  void headersTooLargeForGrpcMetadataAreRefusedOrLeftBehindNotA500() {
    ParleyServer tcp = platform.serverBuilder().host("127.0.0.1").port(0).addService(echo).build().start();
    ManagedChannel overTcp = ParleyChannels.forTarget("127.0.0.1:" + tcp.port());
    try (GatewayServer overTheWire = GatewayServer.builder().host("127.0.0.1").port(0)
        .descriptorSet(TestPlatforms.echoDescriptorSet()).route(EchoUpstream.SERVICE, overTcp).build().start()) {
      HttpTester client = new HttpTester(overTheWire.port());
      HttpTester.Reply token = client.get("/v1/echo/big", "Authorization", "Bearer " + "a".repeat(16_000));
      assertThat(token.status()).as(token.body()).isEqualTo(401);
      assertThat(token.reason()).isEqualTo("TOKEN_TOO_LARGE");
      assertThat(token.header("www-authenticate")).contains("error=\"invalid_token\"");
      assertThat(client.get("/v1/echo/big", "Authorization", "Bearer " + "a".repeat(4_000)).status()).isEqualTo(200);
      HttpTester.Reply language = client.get("/v1/echo/big?name=headers", "Accept-Language", "en,".repeat(5_000));
      assertThat(language.status()).as(language.body()).isEqualTo(200);
      assertThat(language.json().getAsJsonObject("labels").has("accept-language")).isFalse();
    } finally {
      overTcp.shutdownNow();
      tcp.close();
    }
  }

  @Test
  void generatesARequestIdWhenNoneOrAnUnusableOneIsSent() {
    HttpTester.Reply none = http.get("/v1/echo/id?name=headers");
    String generated = none.header("x-request-id");
    assertThat(generated).matches("[0-9a-f]{32}");
    assertThat(none.json().getAsJsonObject("labels").get("x-request-id").getAsString()).isEqualTo(generated);
    HttpTester.Reply tooLong = http.get("/v1/echo/id?name=headers", "X-Request-Id", "x".repeat(200));
    assertThat(tooLong.header("x-request-id")).matches("[0-9a-f]{32}");
  }

  // ---- connections ---------------------------------------------------------------------------------

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 3; i++) {
        out.write(("GET /v1/echo/k" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readResponse(in)).startsWith("HTTP/1.1 200 ").contains("\"id\":\"k" + i + "\"");
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v1/echo/first?name=sleep:300 HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /v1/echo/second HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /v1/echo/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(readResponse(in)).contains("\"id\":\"first\"");
      assertThat(readResponse(in)).contains("\"id\":\"second\"");
      assertThat(readResponse(in)).contains("\"status\":\"SERVING\"");
      assertThat(readResponse(in)).contains("\"id\":\"last\"").containsIgnoringCase("connection: close");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void idleConnectionsAreClosedButNotWhileARequestIsInFlight() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (GatewayServer impatient = echoGateway(GatewayServer.builder().idleTimeout(Duration.ofMillis(300)))) {
        try (Socket socket = new Socket("127.0.0.1", impatient.port())) {
          assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket socket = new Socket("127.0.0.1", impatient.port())) {
          socket.getOutputStream().write("GET /v1/echo/patient?name=sleep:800 HTTP/1.1\r\nHost: x\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ").contains("\"id\":\"patient\"");
          assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
      }
    });
  }

  @Test
  void http10ClientGetsItsConnectionClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200 ").contains("\"status\":\"SERVING\"");
    }
  }

  @Test
  void closeLetsRequestsInFlightFinishAndEndsStreams() {
    assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
      GatewayServer closing = echoGateway(GatewayServer.builder().shutdownGrace(Duration.ofSeconds(5)));
      HttpTester client = new HttpTester(closing.port());
      HttpResponse<Stream<String>> stream = client.client().send(
          HttpRequest.newBuilder(client.uri("/v1/echo/s:stream?name=hold&count=1")).header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofLines());
      Iterator<String> lines = stream.body().iterator();
      assertThat(lines.next()).startsWith("data: ");
      echo.calls.clear();
      CompletableFuture<HttpTester.Reply> slow =
          CompletableFuture.supplyAsync(() -> new HttpTester(closing.port()).get("/v1/echo/slow?name=sleep:700"));
      assertThat(echo.calls.poll(5, TimeUnit.SECONDS)).isEqualTo("Echo");

      closing.close();

      HttpTester.Reply finished = slow.join();
      assertThat(finished.status()).isEqualTo(200);
      assertThat(finished.header("connection")).isEqualTo("close");
      StringBuilder rest = new StringBuilder();
      lines.forEachRemaining(line -> rest.append(line).append('\n'));
      assertThat(rest.toString()).contains("event: error").contains("\"reason\":\"SERVER_BUSY\"").contains("\"code\":503");
      assertThatThrownBy(() -> new Socket("127.0.0.1", closing.port()).close()).isInstanceOf(ConnectException.class);
      closing.close();
    });
  }

  // ---- building --------------------------------------------------------------------------------------

  @Test
  void builderRejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> GatewayServer.builder().port(70000)).hasMessageContaining("port");
    assertThatThrownBy(() -> GatewayServer.builder().maxRequestBytes(10)).hasMessageContaining("maxRequestBytes");
    assertThatThrownBy(() -> GatewayServer.builder().defaultTimeout(Duration.ZERO)).hasMessageContaining("defaultTimeout");
    assertThatThrownBy(() -> GatewayServer.builder().heartbeatInterval(Duration.ofSeconds(-1)))
        .hasMessageContaining("heartbeatInterval");
    assertThatThrownBy(() -> GatewayServer.builder().ioThreads(0)).hasMessageContaining("ioThreads");
    assertThatThrownBy(() -> GatewayServer.builder().maxConnections(0)).hasMessageContaining("maxConnections");
    assertThatThrownBy(() -> GatewayServer.builder().maxPipelinedRequests(0)).hasMessageContaining("maxPipelinedRequests");
    assertThatThrownBy(() -> GatewayServer.builder().requestReadTimeout(Duration.ZERO))
        .hasMessageContaining("requestReadTimeout");
    assertThatThrownBy(() -> GatewayServer.builder().maxGrpcTimeout(Duration.ofDays(200_000)))
        .hasMessageContaining("maxGrpcTimeout");
    assertThatThrownBy(() -> GatewayServer.builder().descriptorSet(TestPlatforms.echoDescriptorSet())
        .defaultTimeout(Duration.ofSeconds(30)).maxGrpcTimeout(Duration.ofSeconds(20)).build())
        .hasMessageContaining("maxGrpcTimeout").hasMessageContaining("defaultTimeout");
    assertThatThrownBy(() -> GatewayServer.builder().trustedProxies(List.of("10.0.0.0/8", "proxy.local")))
        .hasMessageContaining("trustedProxies").hasMessageContaining("proxy.local");
    assertThatThrownBy(() -> GatewayServer.builder().corsOrigins(List.of("*", ORIGIN))).hasMessageContaining("\"*\"");
    assertThatThrownBy(() -> GatewayServer.builder().corsOrigins(List.of("https://app.example.com/path")))
        .hasMessageContaining("scheme://host[:port]");
    assertThatThrownBy(() -> GatewayServer.builder().route("parley.user.v1.UserService", channel)
        .route("parley.user.v1.UserService", channel)).hasMessageContaining("already routed");
    assertThatThrownBy(() -> GatewayServer.builder().route("parley.user.v1.UserServic", channel).build())
        .hasMessageContaining("no such gRPC service [parley.user.v1.UserServic]")
        .hasMessageContaining("parley.user.v1.UserService");
  }

  @Test
  void portIsKnownOnlyOnceStartedAndStartHappensOnce() {
    GatewayServer built = GatewayServer.builder().host("127.0.0.1").port(0).descriptorSet(TestPlatforms.echoDescriptorSet())
        .build();
    assertThatThrownBy(built::port).isInstanceOf(IllegalStateException.class);
    built.start();
    assertThat(built.port()).isPositive();
    assertThatThrownBy(built::start).isInstanceOf(IllegalStateException.class);
    built.close();
    built.close();
  }

  @Test
  void aTakenPortFailsStartWithTheAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      GatewayServer.Builder builder = GatewayServer.builder().host("127.0.0.1").port(taken.getLocalPort())
          .descriptorSet(TestPlatforms.echoDescriptorSet());
      assertThatThrownBy(() -> builder.build().start()).hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
    }
  }

  /** Reads one HTTP response with a Content-Length body. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        throw new IOException("connection closed in the headers: " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
