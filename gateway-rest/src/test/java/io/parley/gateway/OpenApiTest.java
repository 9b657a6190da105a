package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.parley.common.v1.Terminal;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.TestSessions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAPI document, and a walk over every operation in it that checks the gateway answers as
 * the document says: with a declared status, and JSON whose names are the documented ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {
  private Platform platform;
  private SampleUpstream samples;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;
  private OpenApiOracle oracle;
  private JsonObject doc;
  private String token;

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    samples = new SampleUpstream();
    String name = TestPlatforms.uniqueName("openapi");
    server = TestPlatforms.serve(platform, name, samples.services().toArray(io.grpc.BindableService[]::new));
    channel = TestPlatforms.channel(name);
    gateway = GatewayServer.builder().host("127.0.0.1").port(0).defaultChannel(channel).build().start();
    http = new HttpTester(gateway.port());
    oracle = OpenApiOracle.fetch(http);
    doc = oracle.doc();
    token = TestSessions.login(platform, "walker", Terminal.WEB);
  }

  @AfterAll
  void stop() {
    gateway.close();
    channel.shutdownNow();
    server.close();
    platform.close();
  }

  @Test
  void documentIsOpenApi31WithAnOperationPerBinding() {
    assertThat(doc.get("openapi").getAsString()).isEqualTo("3.1.0");
    List<OpenApiOracle.Operation> operations = oracle.operations();
    assertThat(operations).hasSize(ParleyRouteTable.ROWS.size());
    Set<String> ids = new HashSet<>();
    for (OpenApiOracle.Operation operation : operations) {
      assertThat(ids.add(operation.operationId())).as(operation.where()).isTrue();
      assertThat(operation.spec().get("summary").getAsString()).as(operation.where()).isNotBlank();
    }
    assertThat(ids).contains("UserService_Logout", "UserService_Logout_1", "MessageService_Subscribe");
    assertThat(doc.getAsJsonArray("tags")).hasSize(4);
  }

  @Test
  void operationsListTheErrorReasonsTheirMethodsDeclare() {
    OpenApiOracle.Operation register = oracle.operations().stream()
        .filter(o -> o.grpcMethod().endsWith("UserService/Register")).findFirst().orElseThrow();
    JsonArray errors = register.spec().getAsJsonArray("x-parley-errors");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).getAsJsonObject().get("reason").getAsString()).isEqualTo("USERNAME_TAKEN");
    assertThat(errors.get(0).getAsJsonObject().get("status").getAsInt()).isEqualTo(409);
    assertThat(register.spec().get("description").getAsString()).contains("`USERNAME_TAKEN` (409)");

    OpenApiOracle.Operation getMe = oracle.operations().stream()
        .filter(o -> o.grpcMethod().endsWith("UserService/GetMe")).findFirst().orElseThrow();
    assertThat(getMe.spec().has("x-parley-errors")).isFalse();
  }

  @Test
  void everyOperationButThePublicOnesNeedsABearerToken() {
    assertThat(doc.getAsJsonObject("components").getAsJsonObject("securitySchemes").getAsJsonObject("bearerAuth")
        .get("scheme").getAsString()).isEqualTo("bearer");
    for (OpenApiOracle.Operation operation : oracle.operations()) {
      String method = operation.grpcMethod();
      JsonArray security = operation.spec().getAsJsonArray("security");
      if (method.endsWith("/Register") || method.endsWith("/Login")) {
        assertThat(security).as(operation.where()).isEmpty();
      } else {
        assertThat(security.toString()).as(operation.where()).isEqualTo("[{\"bearerAuth\":[]}]");
      }
    }
  }

  @Test
  void descriptionsComeFromTheProtoComments() {
    JsonObject register = doc.getAsJsonObject("paths").getAsJsonObject("/v1/users:register").getAsJsonObject("post");
    assertThat(register.get("summary").getAsString()).isEqualTo("Creates an account.");
    assertThat(register.get("description").getAsString()).contains("The username is unique ignoring case.");
    assertThat(doc.getAsJsonObject("paths").getAsJsonObject("/v1/sessions/{sessionId}").getAsJsonObject("delete")
        .get("summary").getAsString()).isEqualTo("Ends one of the caller's sessions, e.g. a lost phone.");
    JsonObject user = oracle.schema("parley.user.v1.User");
    assertThat(user.get("description").getAsString()).isEqualTo("A user's public profile.");
    JsonObject userId = user.getAsJsonObject("properties").getAsJsonObject("userId");
    assertThat(userId.get("description").getAsString()).startsWith("Opaque id, assigned at registration");
    assertThat(userId.get("readOnly").getAsBoolean()).isTrue();
    JsonObject password = oracle.schema("parley.user.v1.RegisterRequest").getAsJsonObject("properties").getAsJsonObject("password");
    assertThat(password.get("writeOnly").getAsBoolean()).isTrue();
    assertThat(oracle.schema("parley.user.v1.RegisterRequest").getAsJsonArray("required").toString())
        .isEqualTo("[\"username\",\"password\"]");
    assertThat(doc.getAsJsonArray("tags").get(0).getAsJsonObject().get("description").getAsString())
        .startsWith("Accounts, login and sessions.");
  }

  @Test
  void wellKnownTypesAndScalarsFollowTheProto3JsonMapping() {
    JsonObject message = oracle.schema("parley.message.v1.Message").getAsJsonObject("properties");
    assertThat(message.getAsJsonObject("serverTime").get("format").getAsString()).isEqualTo("date-time");
    assertThat(message.getAsJsonObject("seq").get("type").getAsString()).isEqualTo("string");
    assertThat(message.getAsJsonObject("seq").get("format").getAsString()).isEqualTo("int64");
    assertThat(message.getAsJsonObject("mentionUserIds").get("type").getAsString()).isEqualTo("array");
    assertThat(oracle.schema("parley.message.v1.CustomContent").getAsJsonObject("properties").getAsJsonObject("data")
        .get("type").getAsString()).isEqualTo("object");
    assertThat(oracle.schema("parley.group.v1.JoinPolicy").getAsJsonArray("enum").toString())
        .isEqualTo("[\"JOIN_POLICY_UNSPECIFIED\",\"OPEN\",\"INVITE_ONLY\",\"APPROVAL\"]");
    JsonArray updateGroup = doc.getAsJsonObject("paths").getAsJsonObject("/v1/groups/{groupId}").getAsJsonObject("patch")
        .getAsJsonArray("parameters");
    assertThat(updateGroup.toString()).contains("\"name\":\"updateMask\",\"in\":\"query\"");
  }

  @Test
  void pathsThatDifferOnlyInParameterNamesShareOne() {
    JsonObject groups = doc.getAsJsonObject("paths").getAsJsonObject("/v1/groups/{groupId}");
    assertThat(groups.keySet()).containsExactlyInAnyOrder("get", "patch", "delete");
    assertThat(doc.getAsJsonObject("paths").keySet()).noneMatch(path -> path.contains("group.groupId"));
  }

  @Test
  void everyOperationAnswersAsDocumented() {
    samples.calls.clear();
    oracle.walk(http, () -> token, name -> null, true, exchange -> {
      assertThat(exchange.reply().status()).as(exchange.toString()).isEqualTo(200);
      assertThat(samples.calls.poll()).as(exchange.operation().where()).isNotNull()
          .extracting(SampleUpstream.Call::method).isEqualTo(exchange.operation().grpcMethod());
    });
  }

  @Test
  void everyTemplateShapeBecomesAnOpenApiPath() {
    try (GatewayServer echo = GatewayServer.builder().host("127.0.0.1").port(0)
        .descriptorSet(TestPlatforms.echoDescriptorSet()).build().start()) {
      JsonObject paths = new HttpTester(echo.port()).get("/openapi.json").json().getAsJsonObject("paths");
      assertThat(paths.keySet()).contains("/v1/echo/{id}", "/v1/echo/{id}:shout", "/v1/shelves/{book.shelf}/books/{book.title}",
          "/v1/{name}:describe", "/v1/files/{path}", "/v1/wild/{wildcard1}/{id}", "/v1/echo/special")
          .noneMatch(path -> path.startsWith("/v1/internal"));
      JsonObject describe = paths.getAsJsonObject("/v1/{name}:describe").getAsJsonObject("get");
      assertThat(OpenApiOracle.parameter(describe, "name", "path").get("description").getAsString())
          .contains("Matches `shelves/*/books/*`");
      assertThat(OpenApiOracle.parameter(paths.getAsJsonObject("/v1/wild/{wildcard1}/{id}").getAsJsonObject("get"), "wildcard1", "path")
          .get("description").getAsString()).contains("not sent to the service");
      JsonObject tags = paths.getAsJsonObject("/v1/echo/{id}/tags");
      assertThat(tags.getAsJsonObject("get").getAsJsonObject("responses").getAsJsonObject("200").toString())
          .contains("\"type\":\"array\"");
      assertThat(tags.getAsJsonObject("post").getAsJsonObject("requestBody").toString()).contains("\"type\":\"array\"");
      JsonArray query = paths.getAsJsonObject("/v1/echo/{id}").getAsJsonObject("get").getAsJsonArray("parameters");
      assertThat(query.toString()).contains("\"name\":\"book.author.fullName\"").contains("\"name\":\"since\"")
          .contains("\"name\":\"colors\"").doesNotContain("\"name\":\"labels\"").doesNotContain("\"name\":\"id\",\"in\":\"query\"");
    }
  }

  @Test
  void errorBodiesMatchTheErrorSchema() {
    HttpTester.Reply reply = http.send("POST", "/v1/sessions:login", "{\"username\":1,\"password\":{}}");
    assertThat(reply.status()).isEqualTo(400);
    oracle.conforms(reply.jsonElement(), OpenApiOracle.refTo("#/components/schemas/Error"), "login with bad JSON", false);
    HttpTester.Reply unknown = http.send("POST", "/v1/users:register", "{\"usrname\":\"x\"}");
    oracle.conforms(unknown.jsonElement(), OpenApiOracle.refTo("#/components/schemas/Error"), "register with an unknown field",
        false);
    assertThat(unknown.error().toString()).contains("fieldViolations");
  }
}
