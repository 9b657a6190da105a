package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.parley.client.ParleyChannels;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every way a request can fail, and the one body shape (AIP-193) each failure is answered with. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorMappingTest {
  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private ManagedChannel channel;
  private Socket deadPort;
  private ManagedChannel deadChannel;
  private Server bareServer;
  private ManagedChannel bareChannel;
  private GatewayServer gateway;
  private GatewayServer bareGateway;
  private HttpTester http;
  private HttpTester bareHttp;

  @BeforeAll
  void start() throws IOException {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("errors");
    server = TestPlatforms.serve(platform, name, echo);
    channel = TestPlatforms.channel(name);
    deadPort = TestPlatforms.deadPort();
    deadChannel = ParleyChannels.forTarget("127.0.0.1:" + deadPort.getLocalPort());
    gateway = GatewayServer.builder()
        .host("127.0.0.1")
        .port(0)
        .descriptorSet(TestPlatforms.merge(TestPlatforms.echoDescriptorSet(), TestPlatforms.parleyDescriptorSet()))
        .route(EchoUpstream.SERVICE, channel)
        .route("parley.user.v1.UserService", deadChannel)
        .maxRequestBytes(4096)
        .defaultTimeout(Duration.ofMillis(500))
        .build()
        .start();
    http = new HttpTester(gateway.port());

    // An upstream without Parley's interceptors: its errors carry no details.
    String bareName = TestPlatforms.uniqueName("bare");
    bareServer = InProcessServerBuilder.forName(bareName).addService(echo).build().start();
    bareChannel = TestPlatforms.channel(bareName);
    bareGateway = GatewayServer.builder()
        .host("127.0.0.1")
        .port(0)
        .descriptorSet(TestPlatforms.echoDescriptorSet())
        .defaultChannel(bareChannel)
        .build()
        .start();
    bareHttp = new HttpTester(bareGateway.port());
  }

  @AfterAll
  void stop() throws InterruptedException, IOException {
    gateway.close();
    bareGateway.close();
    channel.shutdownNow();
    bareChannel.shutdownNow();
    deadChannel.shutdownNow();
    deadPort.close();
    server.close();
    bareServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    echo.shutdown();
    platform.close();
  }

  /** Checks the AIP-193 shape and the common details; returns the error object. */
  private static JsonObject assertErrorBody(HttpTester.Reply reply, int status, String grpcCode, String reason) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    assertThat(reply.json().keySet()).containsExactly("error");
    JsonObject error = reply.error();
    assertThat(error.keySet()).containsExactlyInAnyOrder("code", "status", "message", "details");
    assertThat(error.get("code").getAsInt()).isEqualTo(status);
    assertThat(error.get("status").getAsString()).isEqualTo(grpcCode);
    for (JsonElement detail : error.getAsJsonArray("details")) {
      assertThat(detail.getAsJsonObject().get("@type").getAsString()).startsWith("type.googleapis.com/google.rpc.");
    }
    JsonObject info = reply.detail("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(info.get("reason").getAsString()).isEqualTo(reason);
    assertThat(info.get("domain").getAsString()).isEqualTo("parley.io");
    assertThat(reply.detail("type.googleapis.com/google.rpc.RequestInfo").get("requestId").getAsString())
        .isEqualTo(reply.header("x-request-id"));
    assertThat(reply.detail("type.googleapis.com/google.rpc.LocalizedMessage").get("message").getAsString()).isNotBlank();
    assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("<html");
    return error;
  }

  @Test
  void httpStatusFollowsTheGoogleRpcCodeTable() {
    Map<Status.Code, Integer> table = Map.ofEntries(
        Map.entry(Status.Code.OK, 200), Map.entry(Status.Code.CANCELLED, 499), Map.entry(Status.Code.UNKNOWN, 500),
        Map.entry(Status.Code.INVALID_ARGUMENT, 400), Map.entry(Status.Code.DEADLINE_EXCEEDED, 504),
        Map.entry(Status.Code.NOT_FOUND, 404), Map.entry(Status.Code.ALREADY_EXISTS, 409),
        Map.entry(Status.Code.PERMISSION_DENIED, 403), Map.entry(Status.Code.UNAUTHENTICATED, 401),
        Map.entry(Status.Code.RESOURCE_EXHAUSTED, 429), Map.entry(Status.Code.FAILED_PRECONDITION, 400),
        Map.entry(Status.Code.ABORTED, 409), Map.entry(Status.Code.OUT_OF_RANGE, 400),
        Map.entry(Status.Code.UNIMPLEMENTED, 501), Map.entry(Status.Code.INTERNAL, 500),
        Map.entry(Status.Code.UNAVAILABLE, 503), Map.entry(Status.Code.DATA_LOSS, 500));
    assertThat(table).hasSize(Status.Code.values().length);
    table.forEach((code, http) -> assertThat(ApiError.httpStatus(code).code()).as(code.name()).isEqualTo(http));
  }

  @Test
  void serviceErrorsKeepTheirReasonUnderTheTablesStatus() {
    Object[][] cases = {
        {"INVALID_ARGUMENT", 400, "INVALID_ARGUMENT"},
        {"FAILED_PRECONDITION", 400, "FAILED_PRECONDITION"},
        {"USER_NOT_FOUND", 404, "NOT_FOUND"},
        {"USERNAME_TAKEN", 409, "ALREADY_EXISTS"},
        {"ABORTED", 409, "ABORTED"},
        {"NOT_GROUP_MEMBER", 403, "PERMISSION_DENIED"},
        {"SESSION_REVOKED", 401, "UNAUTHENTICATED"},
        {"GROUP_FULL", 429, "RESOURCE_EXHAUSTED"},
        {"NOT_IMPLEMENTED", 501, "UNIMPLEMENTED"},
        {"INTERNAL_ERROR", 500, "INTERNAL"},
        {"STORE_UNAVAILABLE", 503, "UNAVAILABLE"},
        {"DEADLINE_EXCEEDED", 504, "DEADLINE_EXCEEDED"},
        {"CANCELLED", 499, "CANCELLED"},
    };
    for (Object[] c : cases) {
      HttpTester.Reply reply = http.get("/v1/echo/e1?name=fail:" + c[0]);
      JsonObject error = assertErrorBody(reply, (int) c[1], (String) c[2], (String) c[0]);
      assertThat(error.get("message").getAsString()).isEqualTo("failing as asked");
    }
  }

  @Test
  void unauthorizedCarriesABearerChallenge() {
    HttpTester.Reply kicked = http.get("/v1/echo/e1?name=fail:SESSION_KICKED");
    assertErrorBody(kicked, 401, "UNAUTHENTICATED", "SESSION_KICKED");
    assertThat(kicked.header("www-authenticate"))
        .isEqualTo("Bearer realm=\"parley\", error=\"invalid_token\", error_description=\"failing as asked\"");
    assertThat(http.get("/v1/echo/e1?name=fail:TOKEN_MISSING").header("www-authenticate")).isEqualTo("Bearer realm=\"parley\"");
    assertThat(http.get("/v1/echo/e1?name=fail:AUTH_SCHEME_UNSUPPORTED").header("www-authenticate"))
        .isEqualTo("Bearer realm=\"parley\", error=\"invalid_request\"");
    assertThat(http.get("/v1/echo/e1?name=fail:USER_NOT_FOUND").header("www-authenticate")).isNull();
  }

  @Test
  void retryInfoBecomesRetryAfter() {
    HttpTester.Reply reply = http.get("/v1/echo/e1?name=retry:RATE_LIMITED");
    assertErrorBody(reply, 429, "RESOURCE_EXHAUSTED", "RATE_LIMITED");
    assertThat(reply.header("retry-after")).isEqualTo("2");
    assertThat(reply.detail("type.googleapis.com/google.rpc.RetryInfo").get("retryDelay").getAsString()).isEqualTo("1.500s");
  }

  @Test
  void errorsSpeakTheClientsLanguage() {
    HttpTester.Reply upstream = http.get("/v1/echo/e1?name=fail:USER_NOT_FOUND", "Accept-Language", "zh-CN,zh;q=0.9");
    JsonObject localized = upstream.detail("type.googleapis.com/google.rpc.LocalizedMessage");
    assertThat(localized.get("locale").getAsString()).isEqualTo("zh-CN");
    HttpTester.Reply gatewaySide = http.get("/v2/nothing", "Accept-Language", "zh");
    assertThat(gatewaySide.detail("type.googleapis.com/google.rpc.LocalizedMessage").get("message").getAsString())
        .isEqualTo("没有这个接口。");
    assertThat(http.get("/v2/nothing").detail("type.googleapis.com/google.rpc.LocalizedMessage").get("locale").getAsString())
        .isEqualTo("en");
  }

  @Test
  void unknownRouteIsNotFound() {
    JsonObject error = assertErrorBody(http.get("/v1/nowhere"), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
    assertThat(error.get("message").getAsString()).isEqualTo("no route for GET /v1/nowhere");
  }

  @Test
  void wrongMethodIsMethodNotAllowedWithAllow() {
    HttpTester.Reply reply = http.send("DELETE", "/v1/echo/e1", null);
    assertErrorBody(reply, 405, "UNIMPLEMENTED", "METHOD_NOT_ALLOWED");
    assertThat(reply.header("allow")).isEqualTo("GET, POST, PUT, OPTIONS");
    HttpTester.Reply options = http.send("OPTIONS", "/v1/echo/e1", null);
    assertThat(options.status()).isEqualTo(204);
    assertThat(options.header("allow")).isEqualTo("GET, POST, PUT, OPTIONS");
  }

  @Test
  void bodyOverTheLimitIsPayloadTooLarge() {
    String big = "{\"name\":\"" + "x".repeat(5000) + "\"}";
    HttpTester.Reply reply = http.send("POST", "/v1/echo/big", big);
    JsonObject error = assertErrorBody(reply, 413, "RESOURCE_EXHAUSTED", "REQUEST_TOO_LARGE");
    assertThat(error.get("message").getAsString()).contains("4096 bytes");
    // The connection survives a body refused on its Content-Length alone.
    assertThat(http.get("/v1/echo/after").status()).isEqualTo(200);
  }

  @Test
  void oversizedChunkedBodyIsPayloadTooLargeAndClosesTheConnection() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/echo/c1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String chunk = "x".repeat(3000);
      for (int i = 0; i < 2; i++) {
        out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 413 ").contains("\"reason\":\"REQUEST_TOO_LARGE\"")
          .containsIgnoringCase("connection: close");
    }
  }

  @Test
  void headersOverTheLimitAre431AndALongRequestLineIs414() {
    HttpTester.Reply headers = http.get("/v1/echo/h1", "X-Filler", "y".repeat(20_000));
    assertErrorBody(headers, 431, "RESOURCE_EXHAUSTED", "REQUEST_TOO_LARGE");
    HttpTester.Reply line = http.get("/v1/echo/h1?name=" + "z".repeat(10_000));
    assertErrorBody(line, 414, "RESOURCE_EXHAUSTED", "REQUEST_TOO_LARGE");
  }

  @Test
  void garbageIsABadRequestInJson() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write("BLAH\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 400 ").contains("application/json").contains("\"status\":\"INVALID_ARGUMENT\"");
    }
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write("GET /v1/echo/%zz?a=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 400 ").contains("malformed percent-encoding in the path");
    }
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write("GET /v1/echo/q?name=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 400 ").contains("malformed percent-encoding in the query");
    }
  }

  @Test
  void unreachableUpstreamIsServiceUnavailable() {
    HttpTester.Reply reply = http.get("/v1/users/me", "Authorization", "Bearer whatever");
    JsonObject error = assertErrorBody(reply, 503, "UNAVAILABLE", "UPSTREAM_UNAVAILABLE");
    assertThat(error.get("message").getAsString()).isEqualTo("the service is unavailable; retry shortly");
    assertThat(reply.body()).doesNotContain("127.0.0.1");
  }

  @Test
  void serviceWithoutAChannelIsServiceUnavailable() {
    HttpTester.Reply reply = http.get("/v1/friends");
    JsonObject error = assertErrorBody(reply, 503, "UNAVAILABLE", "UPSTREAM_UNAVAILABLE");
    assertThat(error.get("message").getAsString()).contains("parley.friend.v1.FriendService");
  }

  @Test
  void defaultDeadlineAndGrpcTimeoutBecomeTheCallsDeadline() {
    assertErrorBody(http.get("/v1/echo/d1?name=sleep:1500"), 504, "DEADLINE_EXCEEDED", "DEADLINE_EXCEEDED");
    assertThat(http.get("/v1/echo/d1?name=sleep:800", "Grpc-Timeout", "5S").status()).isEqualTo(200);
    assertErrorBody(http.get("/v1/echo/d1?name=sleep:1000", "Grpc-Timeout", "100m"), 504, "DEADLINE_EXCEEDED",
        "DEADLINE_EXCEEDED");
    HttpTester.Reply headers = http.get("/v1/echo/d1?name=headers", "Grpc-Timeout", "3S");
    long remaining = Long.parseLong(headers.json().getAsJsonObject("labels").get("deadline_ms").getAsString());
    assertThat(remaining).isBetween(2000L, 3000L);
  }

  @Test
  void malformedGrpcTimeoutIsABadRequest() {
    // 0n is one: the format's number is positive, and a call due already was a 504 (found by the HTTP fuzz).
    for (String timeout : List.of("soon", "0n", "0S")) {
      HttpTester.Reply reply = http.get("/v1/echo/d1", "Grpc-Timeout", timeout);
      assertErrorBody(reply, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT");
      assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").toString()).contains("Grpc-Timeout");
    }
  }

  /** 99999999H overflowed the deadline's nanoseconds: a 500 and a stack trace in the log. */
  @Test
  void grpcTimeoutTooLongForADeadlineIsABadRequestNamingTheHeaderNotA500() {
    for (String timeout : List.of("99999999H", "2562048H", "99999999M", "2H", "3601S")) {
      HttpTester.Reply reply = http.get("/v1/echo/d1", "Grpc-Timeout", timeout);
      JsonObject error = assertErrorBody(reply, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT");
      assertThat(error.get("message").getAsString()).as(timeout).startsWith("Grpc-Timeout: '" + timeout + "'").contains("1H");
      assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").getAsJsonArray("fieldViolations").get(0)
          .getAsJsonObject().get("field").getAsString()).isEqualTo("Grpc-Timeout");
    }
    assertThat(http.get("/v1/echo/d1", "Grpc-Timeout", "1H").status()).isEqualTo(200);
    assertThat(http.get("/v1/echo/d1", "Grpc-Timeout", "3600S").status()).isEqualTo(200);
  }

  @Test
  void bareUpstreamStatusesGetTheSameDetails() {
    JsonObject notFound = assertErrorBody(bareHttp.get("/v1/echo/b1?name=status:NOT_FOUND"), 404, "NOT_FOUND",
        "RESOURCE_NOT_FOUND");
    assertThat(notFound.get("message").getAsString()).isEqualTo("plain failure");
    assertErrorBody(bareHttp.get("/v1/echo/b1?name=status:UNAVAILABLE"), 503, "UNAVAILABLE", "UPSTREAM_UNAVAILABLE");
    JsonObject unknown = assertErrorBody(bareHttp.get("/v1/echo/b1?name=status:DATA_LOSS"), 500, "INTERNAL",
        "INTERNAL_ERROR");
    assertThat(unknown.get("message").getAsString()).isEqualTo("internal error");
  }

  @Test
  void anExceptionEscapingABareServiceLeaksNothing() {
    HttpTester.Reply reply = bareHttp.get("/v1/echo/b1?name=fail:USER_NOT_FOUND");
    JsonObject error = assertErrorBody(reply, 500, "INTERNAL", "INTERNAL_ERROR");
    assertThat(error.get("message").getAsString()).isEqualTo("internal error");
    assertThat(reply.body()).doesNotContain("failing as asked");
  }

  @Test
  void gatewaySideErrorsCarryTheClientsRequestIdOrADistinctNewOne() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      ids.add(http.get("/v1/nowhere").header("x-request-id"));
    }
    assertThat(ids).hasSize(5).allSatisfy(id -> assertThat(id).matches("[0-9a-f]{32}"));
    HttpTester.Reply mine = http.get("/v1/nowhere", "X-Request-Id", "mine-1");
    assertThat(mine.header("x-request-id")).isEqualTo("mine-1");
    assertThat(mine.detail("type.googleapis.com/google.rpc.RequestInfo").get("requestId").getAsString()).isEqualTo("mine-1");
  }

  @Test
  void clientExpectingContinueForTooLargeABodyGetsTheJson413Instead() throws IOException {
    // By hand: java.net.http waits forever for a 100 that does not come (JDK-8286171).
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write(("POST /v1/echo/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 5000\r\nExpect: 100-continue\r\nX-Request-Id: expecting\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue")
          .contains("x-request-id: expecting").contains("\"reason\":\"REQUEST_TOO_LARGE\"");
    }
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.getOutputStream().write(("POST /v1/echo/odd HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
          + "Expect: something-else\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 417 ").contains("application/json")
          .contains("unsupported Expect: something-else");
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
