package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** HTTP requests to the echo service: what the transcoder makes of each, and how the answer is printed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranscodingTest {
  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("transcoding");
    server = TestPlatforms.serve(platform, name, echo);
    channel = TestPlatforms.channel(name);
    gateway = GatewayServer.builder()
        .host("127.0.0.1")
        .port(0)
        .descriptorSet(TestPlatforms.echoDescriptorSet())
        .route(EchoUpstream.SERVICE, channel)
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

  private JsonObject ok(HttpTester.Reply reply) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    return reply.json();
  }

  @Test
  void pathVariableFillsItsField() {
    assertThat(ok(http.get("/v1/echo/x1")).get("id").getAsString()).isEqualTo("x1");
  }

  @Test
  void nestedPathVariablesFillNestedFields() {
    JsonObject book = ok(http.get("/v1/shelves/fiction/books/dune")).getAsJsonObject("book");
    assertThat(book.get("shelf").getAsString()).isEqualTo("fiction");
    assertThat(book.get("title").getAsString()).isEqualTo("dune");
  }

  @Test
  void patternVariableSpansSegmentsAndVerbIsStripped() {
    assertThat(ok(http.get("/v1/shelves/s1/books/b%2F2:describe")).get("name").getAsString())
        .isEqualTo("shelves/s1/books/b%2F2");
  }

  @Test
  void doubleStarVariableTakesTheRestOfThePath() {
    assertThat(ok(http.get("/v1/files/docs/2024/report.pdf")).get("path").getAsString()).isEqualTo("docs/2024/report.pdf");
  }

  @Test
  void unnamedWildcardMatchesButBindsNothing() {
    JsonObject echoed = ok(http.get("/v1/wild/anything/w1"));
    assertThat(echoed.get("id").getAsString()).isEqualTo("w1");
    assertThat(echoed.get("name").getAsString()).isEmpty();
  }

  @Test
  void wellKnownTypeInThePath() {
    assertThat(ok(http.get("/v1/since/2024-05-01T10:00:00Z")).get("since").getAsString()).isEqualTo("2024-05-01T10:00:00Z");
  }

  @Test
  void bodyStarFillsTheMessageAndThePathWins() {
    JsonObject echoed = ok(http.send("POST", "/v1/echo/p1",
        "{\"name\":\"n\",\"book\":{\"title\":\"t\",\"author\":{\"fullName\":\"A\"}},\"numbers\":[1,2],\"count\":\"5\"}"));
    assertThat(echoed.get("id").getAsString()).isEqualTo("p1");
    assertThat(echoed.get("name").getAsString()).isEqualTo("n");
    assertThat(echoed.getAsJsonObject("book").getAsJsonObject("author").get("fullName").getAsString()).isEqualTo("A");
    assertThat(echoed.get("numbers").toString()).isEqualTo("[1,2]");
    assertThat(echoed.get("count").getAsString()).isEqualTo("5");
  }

  @Test
  void bodyThatRepeatsThePathValueIsAcceptedAndOneThatContradictsItIsNot() {
    assertThat(ok(http.send("POST", "/v1/echo/p1", "{\"id\":\"p1\"}")).get("id").getAsString()).isEqualTo("p1");
    HttpTester.Reply reply = http.send("POST", "/v1/echo/p1", "{\"id\":\"p2\"}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("message").getAsString()).contains("id").contains("disagree");
  }

  @Test
  void emptyBodyIsAnEmptyMessage() {
    assertThat(ok(http.send("POST", "/v1/echo/e1", null)).get("id").getAsString()).isEqualTo("e1");
  }

  @Test
  void namedBodyFillsOneFieldAndTheQueryTheRest() {
    JsonObject echoed = ok(http.send("PUT", "/v1/echo/b1?name=n1&tags=a&tags=b",
        "{\"title\":\"Dune\",\"genres\":[\"sf\"]}"));
    assertThat(echoed.get("id").getAsString()).isEqualTo("b1");
    assertThat(echoed.get("name").getAsString()).isEqualTo("n1");
    assertThat(echoed.get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(echoed.getAsJsonObject("book").get("title").getAsString()).isEqualTo("Dune");
    assertThat(echoed.getAsJsonObject("book").get("genres").toString()).isEqualTo("[\"sf\"]");
  }

  @Test
  void namedBodyMayBeARepeatedField() {
    assertThat(ok(http.send("POST", "/v1/echo/t1/tags", "[\"x\",\"y\"]")).get("tags").toString()).isEqualTo("[\"x\",\"y\"]");
  }

  @Test
  void queryParametersFillNestedRepeatedAndWellKnownFields() {
    JsonObject echoed = ok(http.get("/v1/echo/q1?book.author.fullName=Frank%20Herbert&book.published=1965-08-01T00:00:00Z"
        + "&numbers=3&numbers=4&colors=RED&colors=2&since=2024-01-02T03:04:05.500Z&wait=1.5s&mask=name,book.title"
        + "&limit=7&note=hello&count=-9007199254740993&big=18446744073709551615&flag=true&ratio=0.25&data=aGk%3D"
        + "&color=GREEN&maybe=&left=L"));
    assertThat(echoed.getAsJsonObject("book").getAsJsonObject("author").get("fullName").getAsString()).isEqualTo("Frank Herbert");
    assertThat(echoed.getAsJsonObject("book").get("published").getAsString()).isEqualTo("1965-08-01T00:00:00Z");
    assertThat(echoed.get("numbers").toString()).isEqualTo("[3,4]");
    assertThat(echoed.get("colors").toString()).isEqualTo("[\"RED\",\"GREEN\"]");
    assertThat(echoed.get("since").getAsString()).isEqualTo("2024-01-02T03:04:05.500Z");
    assertThat(echoed.get("wait").getAsString()).isEqualTo("1.500s");
    assertThat(echoed.get("mask").getAsString()).isEqualTo("name,book.title");
    assertThat(echoed.get("limit").getAsInt()).isEqualTo(7);
    assertThat(echoed.get("note").getAsString()).isEqualTo("hello");
    assertThat(echoed.get("count").getAsString()).isEqualTo("-9007199254740993");
    assertThat(echoed.get("big").getAsString()).isEqualTo("18446744073709551615");
    assertThat(echoed.get("flag").getAsBoolean()).isTrue();
    assertThat(echoed.get("ratio").getAsDouble()).isEqualTo(0.25);
    assertThat(echoed.get("data").getAsString()).isEqualTo("aGk=");
    assertThat(echoed.get("color").getAsString()).isEqualTo("GREEN");
    assertThat(echoed.get("maybe").getAsString()).isEmpty();
    assertThat(echoed.get("left").getAsString()).isEqualTo("L");
  }

  @Test
  void bothFieldNameSpellingsAreAcceptedInBodyAndQuery() {
    JsonObject body = ok(http.send("POST", "/v1/echo/s1", "{\"book\":{\"author\":{\"full_name\":\"snake\"}}}"));
    assertThat(body.getAsJsonObject("book").getAsJsonObject("author").get("fullName").getAsString()).isEqualTo("snake");
    JsonObject query = ok(http.get("/v1/echo/s1?book.author.full_name=snake2"));
    assertThat(query.getAsJsonObject("book").getAsJsonObject("author").get("fullName").getAsString()).isEqualTo("snake2");
  }

  @Test
  void theSameFieldUnderBothSpellingsIsRejected() {
    HttpTester.Reply reply = http.get("/v1/echo/s1?user_name=a&userName=b");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("message").getAsString()).contains("more than once");
  }

  @Test
  void responsesUseLowerCamelCaseAndPrintDefaults() {
    JsonObject echoed = ok(http.get("/v1/echo/d1"));
    assertThat(echoed.keySet()).contains("userName", "count", "flag", "tags", "labels", "color");
    assertThat(echoed.get("count").getAsString()).isEqualTo("0");
    assertThat(echoed.get("flag").getAsBoolean()).isFalse();
    assertThat(echoed.get("color").getAsString()).isEqualTo("COLOR_UNSPECIFIED");
    assertThat(echoed.has("user_name")).isFalse();
  }

  @Test
  void responseBodyAnswersWithOneField() {
    JsonObject book = ok(http.get("/v1/echo/r1/book?book.title=T"));
    assertThat(book.get("title").getAsString()).isEqualTo("T");
    assertThat(book.has("id")).isFalse();
    HttpTester.Reply tags = http.get("/v1/echo/r1/tags?tags=a&tags=b");
    assertThat(tags.status()).isEqualTo(200);
    assertThat(JsonParser.parseString(tags.body()).toString()).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void additionalBindingsReachTheSameMethod() {
    echo.calls.clear();
    ok(http.get("/v1/echo/a1"));
    ok(http.send("POST", "/v1/echo/a1:shout", "{}"));
    ok(http.get("/v1/files/x"));
    assertThat(echo.calls).containsExactly("Echo", "Echo", "Echo");
  }

  @Test
  void literalSegmentBeatsTheVariable() {
    assertThat(ok(http.get("/v1/echo/special")).get("path").getAsString()).isEqualTo("special");
    assertThat(ok(http.get("/v1/echo/specials")).get("id").getAsString()).isEqualTo("specials");
  }

  @Test
  void unknownBodyFieldIsRejectedNamingIt() {
    HttpTester.Reply reply = http.send("POST", "/v1/echo/u1", "{\"name\":\"n\",\"book\":{\"titel\":\"x\"},\"bogus\":1}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("status").getAsString()).isEqualTo("INVALID_ARGUMENT");
    assertThat(reply.reason()).isEqualTo("MALFORMED_JSON");
    assertThat(reply.error().get("message").getAsString()).contains("book.titel").contains("bogus");
    assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").getAsJsonArray("fieldViolations").toString())
        .contains("\"field\":\"book.titel\"").contains("\"field\":\"bogus\"");
  }

  @Test
  void unknownFieldInANamedBodyIsNamedWithItsPath() {
    HttpTester.Reply reply = http.send("PUT", "/v1/echo/u1", "{\"title\":\"x\",\"isbn\":\"1\"}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("message").getAsString()).contains("book.isbn");
  }

  @Test
  void unknownQueryParameterIsRejectedNamingIt() {
    HttpTester.Reply reply = http.get("/v1/echo/u1?colour=RED");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").getAsJsonArray("fieldViolations").toString())
        .contains("\"field\":\"colour\"");
  }

  @Test
  void queryParameterThatRepeatsAPathVariableIsRejected() {
    HttpTester.Reply reply = http.get("/v1/echo/u1?id=u2");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("message").getAsString()).contains("bound by the path");
  }

  @Test
  void badScalarValuesAreRejectedNamingTheParameter() {
    for (String query : new String[] {"small=ten", "flag=yes", "color=PURPLE", "since=yesterday", "wait=5",
        "small=3000000000", "data=%25%25"}) {
      HttpTester.Reply reply = http.get("/v1/echo/v1?" + query);
      assertThat(reply.status()).as(query).isEqualTo(400);
      String name = query.substring(0, query.indexOf('='));
      assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").toString()).as(query).contains("\"field\":\"" + name + "\"");
    }
  }

  @Test
  void messageAndMapFieldsCannotComeFromTheQuery() {
    assertThat(http.get("/v1/echo/m1?book=x").error().get("message").getAsString()).contains("book.shelf");
    assertThat(http.get("/v1/echo/m1?labels=x").status()).isEqualTo(400);
  }

  @Test
  void twoMembersOfAOneofAreRejected() {
    HttpTester.Reply query = http.get("/v1/echo/o1?left=a&right=b");
    assertThat(query.status()).isEqualTo(400);
    assertThat(query.error().get("message").getAsString()).contains("oneof choice");
    HttpTester.Reply body = http.send("POST", "/v1/echo/o1", "{\"left\":\"a\",\"right\":\"b\"}");
    assertThat(body.status()).isEqualTo(400);
    assertThat(body.reason()).isEqualTo("MALFORMED_JSON");
  }

  @Test
  void malformedJsonIsABadRequestSayingWhere() {
    for (String body : new String[] {"{\"name\":", "{'name':'x'}", "{\"name\":\"x\"} trailing", "{\"ratio\":NaN}",
        "[1,2]", "{\"small\":\"ten\"}", "{\"color\":\"PURPLE\"}", "{\"name\":\"x\",}"}) {
      HttpTester.Reply reply = http.send("POST", "/v1/echo/j1", body);
      assertThat(reply.status()).as(body).isEqualTo(400);
      assertThat(reply.reason()).as(body).isEqualTo("MALFORMED_JSON");
      assertThat(reply.error().get("message").getAsString()).as(body).startsWith("the request body is not valid JSON");
    }
  }

  /**
   * Found by the fuzzers: a Struct nested deeper than protobuf parsers read (three message levels
   * per JSON object, 100 in all) passed the gateway and failed INTERNAL in the service, a 500.
   */
  @Test
  void structNestedDeeperThanProtobufReadsIsRefusedNamingTheFieldNotA500() {
    HttpTester.Reply deepest = http.send("POST", "/v1/echo/n1", "{\"extra\":" + nested(33) + "}");
    assertThat(deepest.status()).as(deepest.body()).isEqualTo(200);
    assertThat(deepest.body()).contains("\"v\":1");
    HttpTester.Reply tooDeep = http.send("POST", "/v1/echo/n1", "{\"extra\":" + nested(34) + "}");
    assertThat(tooDeep.status()).as(tooDeep.body()).isEqualTo(400);
    assertThat(tooDeep.reason()).isEqualTo("INVALID_ARGUMENT");
    assertThat(tooDeep.detail("type.googleapis.com/google.rpc.BadRequest").getAsJsonArray("fieldViolations").get(0)
        .getAsJsonObject().get("field").getAsString()).isEqualTo("extra");
  }

  /** Found by the fuzzers: 1e400 in a Struct became an infinity that the service could not handle, a 500. */
  @Test
  void aNumberPastTheRangeOfADoubleInAStructIsRefusedNamingTheFieldNotA500() {
    for (String number : new String[] {"1e400", "-1e400"}) {
      HttpTester.Reply reply = http.send("POST", "/v1/echo/n2", "{\"extra\":{\"a\":{\"b\":" + number + "}}}");
      assertThat(reply.status()).as(reply.body()).isEqualTo(400);
      assertThat(reply.error().get("message").getAsString()).isEqualTo("extra: not a finite number: JSON numbers must fit a double");
    }
    assertThat(http.send("POST", "/v1/echo/n2", "{\"extra\":{\"a\":1e300}}").status()).isEqualTo(200);
  }

  /** A JSON object nested {@code depth} levels, the innermost {@code {"v":1}}. */
  private static String nested(int depth) {
    return "{\"k\":".repeat(depth - 1) + "{\"v\":1}" + "}".repeat(depth - 1);
  }

  @Test
  void bodyOnAMethodWithoutOneIsRejected() {
    HttpTester.Reply reply = http.send("GET", "/v1/echo/g1", "{\"name\":\"x\"}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().get("message").getAsString()).contains("takes no request body");
  }

  @Test
  void nonJsonBodyIsUnsupportedMediaType() {
    HttpTester.Reply reply = http.send("POST", "/v1/echo/f1", "name=x", "Content-Type", "application/x-www-form-urlencoded");
    assertThat(reply.status()).isEqualTo(415);
    assertThat(reply.reason()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(reply.error().get("status").getAsString()).isEqualTo("INVALID_ARGUMENT");
    assertThat(http.send("POST", "/v1/echo/f1", "{}", "Content-Type", "application/json; charset=latin1").status()).isEqualTo(415);
    assertThat(http.send("POST", "/v1/echo/f1", "{}", "Content-Type", "application/merge-patch+json").status()).isEqualTo(200);
  }

  @Test
  void internalMethodIsNeverReachable() {
    echo.calls.clear();
    HttpTester.Reply reply = http.get("/v1/internal/x");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.reason()).isEqualTo("ROUTE_NOT_FOUND");
    assertThat(echo.calls).isEmpty();
  }
}
