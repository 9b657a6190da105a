package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.grpc.ManagedChannel;
import io.parley.common.v1.Terminal;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.TestSessions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

  private Platform platform;
  private SampleUpstream samples;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;
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
    HttpTester.Reply reply = http.get("/openapi.json");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    doc = reply.json();
    token = TestSessions.login(platform, "walker", Terminal.WEB);
  }

  @AfterAll
  void stop() {
    gateway.close();
    channel.shutdownNow();
    server.close();
    platform.close();
  }

  private List<Map.Entry<String, JsonObject>> operations() {
    List<Map.Entry<String, JsonObject>> operations = new ArrayList<>();
    for (Map.Entry<String, JsonElement> path : doc.getAsJsonObject("paths").entrySet()) {
      for (Map.Entry<String, JsonElement> operation : path.getValue().getAsJsonObject().entrySet()) {
        operations.add(Map.entry(operation.getKey().toUpperCase() + " " + path.getKey(), operation.getValue().getAsJsonObject()));
      }
    }
    return operations;
  }

  @Test
  void documentIsOpenApi31WithAnOperationPerBinding() {
    assertThat(doc.get("openapi").getAsString()).isEqualTo("3.1.0");
    List<Map.Entry<String, JsonObject>> operations = operations();
    assertThat(operations).hasSize(ParleyRouteTable.ROWS.size());
    Set<String> ids = new HashSet<>();
    for (Map.Entry<String, JsonObject> operation : operations) {
      assertThat(ids.add(operation.getValue().get("operationId").getAsString())).as(operation.getKey()).isTrue();
      assertThat(operation.getValue().get("summary").getAsString()).as(operation.getKey()).isNotBlank();
    }
    assertThat(ids).contains("UserService_Logout", "UserService_Logout_1", "MessageService_Subscribe");
    assertThat(doc.getAsJsonArray("tags")).hasSize(4);
  }

  @Test
  void everyOperationButThePublicOnesNeedsABearerToken() {
    assertThat(doc.getAsJsonObject("components").getAsJsonObject("securitySchemes").getAsJsonObject("bearerAuth")
        .get("scheme").getAsString()).isEqualTo("bearer");
    for (Map.Entry<String, JsonObject> operation : operations()) {
      String method = operation.getValue().get("x-grpc-method").getAsString();
      JsonArray security = operation.getValue().getAsJsonArray("security");
      if (method.endsWith("/Register") || method.endsWith("/Login")) {
        assertThat(security).as(operation.getKey()).isEmpty();
      } else {
        assertThat(security.toString()).as(operation.getKey()).isEqualTo("[{\"bearerAuth\":[]}]");
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
    JsonObject user = schema("parley.user.v1.User");
    assertThat(user.get("description").getAsString()).isEqualTo("A user's public profile.");
    JsonObject userId = user.getAsJsonObject("properties").getAsJsonObject("userId");
    assertThat(userId.get("description").getAsString()).startsWith("Opaque id, assigned at registration");
    assertThat(userId.get("readOnly").getAsBoolean()).isTrue();
    JsonObject password = schema("parley.user.v1.RegisterRequest").getAsJsonObject("properties").getAsJsonObject("password");
    assertThat(password.get("writeOnly").getAsBoolean()).isTrue();
    assertThat(schema("parley.user.v1.RegisterRequest").getAsJsonArray("required").toString())
        .isEqualTo("[\"username\",\"password\"]");
    assertThat(doc.getAsJsonArray("tags").get(0).getAsJsonObject().get("description").getAsString())
        .startsWith("Accounts, login and sessions.");
  }

  @Test
  void wellKnownTypesAndScalarsFollowTheProto3JsonMapping() {
    JsonObject message = schema("parley.message.v1.Message").getAsJsonObject("properties");
    assertThat(message.getAsJsonObject("serverTime").get("format").getAsString()).isEqualTo("date-time");
    assertThat(message.getAsJsonObject("seq").get("type").getAsString()).isEqualTo("string");
    assertThat(message.getAsJsonObject("seq").get("format").getAsString()).isEqualTo("int64");
    assertThat(message.getAsJsonObject("mentionUserIds").get("type").getAsString()).isEqualTo("array");
    assertThat(schema("parley.message.v1.CustomContent").getAsJsonObject("properties").getAsJsonObject("data")
        .get("type").getAsString()).isEqualTo("object");
    assertThat(schema("parley.group.v1.JoinPolicy").getAsJsonArray("enum").toString())
        .isEqualTo("[\"JOIN_POLICY_UNSPECIFIED\",\"OPEN\",\"INVITE_ONLY\"]");
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
    for (Map.Entry<String, JsonObject> entry : operations()) {
      String where = entry.getKey();
      JsonObject operation = entry.getValue();
      String method = where.substring(0, where.indexOf(' '));
      String path = fillPath(where.substring(where.indexOf(' ') + 1), operation);
      boolean streaming = responseContent(operation, "200").has("application/x-ndjson");
      String body = operation.has("requestBody")
          ? sample(operation.getAsJsonObject("requestBody").getAsJsonObject("content")
              .getAsJsonObject("application/json").getAsJsonObject("schema"), 0).toString()
          : null;
      boolean secured = !operation.getAsJsonArray("security").isEmpty();
      List<String> headers = new ArrayList<>(List.of("Accept", streaming ? "application/x-ndjson" : "application/json"));
      if (secured) {
        headers.addAll(List.of("Authorization", token));
      }
      samples.calls.clear();
      HttpTester.Reply reply = http.send(method, path, body, headers.toArray(String[]::new));
      assertThat(operation.getAsJsonObject("responses").has(Integer.toString(reply.status()))).as(where).isTrue();
      assertThat(reply.status()).as(where + ": " + reply.body()).isEqualTo(200);
      assertThat(samples.calls.poll()).as(where).isNotNull()
          .extracting(SampleUpstream.Call::method).isEqualTo(operation.get("x-grpc-method").getAsString());
      if (streaming) {
        JsonObject schema = responseContent(operation, "200").getAsJsonObject("application/x-ndjson").getAsJsonObject("schema");
        for (String line : reply.body().split("\n")) {
          conforms(JsonParser.parseString(line), schema, where);
        }
      } else {
        JsonObject schema = responseContent(operation, "200").getAsJsonObject("application/json").getAsJsonObject("schema");
        conforms(reply.jsonElement(), schema, where);
      }

      if (secured) {
        HttpTester.Reply refused = http.send(method, path, body);
        assertThat(refused.status()).as(where).isEqualTo(401);
        assertThat(operation.getAsJsonObject("responses").has("401")).as(where).isTrue();
        assertThat(refused.header("www-authenticate")).as(where).startsWith("Bearer");
        conforms(refused.jsonElement(), responseContent(operation, "401").getAsJsonObject("application/json")
            .getAsJsonObject("schema"), where + " (401)", false);
      }
    }
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
      assertThat(parameter(describe, "name", "path").get("description").getAsString())
          .contains("Matches `shelves/*/books/*`");
      assertThat(parameter(paths.getAsJsonObject("/v1/wild/{wildcard1}/{id}").getAsJsonObject("get"), "wildcard1", "path")
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
    conforms(reply.jsonElement(), refTo("#/components/schemas/Error"), "login with bad JSON", false);
    HttpTester.Reply unknown = http.send("POST", "/v1/users:register", "{\"usrname\":\"x\"}");
    conforms(unknown.jsonElement(), refTo("#/components/schemas/Error"), "register with an unknown field", false);
    assertThat(unknown.error().toString()).contains("fieldViolations");
  }

  // ---- the document as a test oracle ------------------------------------------------------------

  private JsonObject schema(String name) {
    return doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject(name);
  }

  private JsonObject resolve(JsonObject schema) {
    JsonObject current = schema;
    while (current.has("$ref")) {
      String[] parts = current.get("$ref").getAsString().substring(2).split("/");
      JsonObject target = doc;
      for (String part : parts) {
        target = target.getAsJsonObject(part);
      }
      current = target;
    }
    return current;
  }

  private JsonObject responseContent(JsonObject operation, String status) {
    return resolve(operation.getAsJsonObject("responses").getAsJsonObject(status)).getAsJsonObject("content");
  }

  private static JsonObject refTo(String target) {
    JsonObject ref = new JsonObject();
    ref.addProperty("$ref", target);
    return ref;
  }

  private String fillPath(String template, JsonObject operation) {
    Matcher matcher = PATH_PARAMETER.matcher(template);
    StringBuilder path = new StringBuilder();
    while (matcher.find()) {
      JsonObject parameter = parameter(operation, matcher.group(1), "path");
      matcher.appendReplacement(path, sample(parameter.getAsJsonObject("schema"), 0).getAsString());
    }
    matcher.appendTail(path);
    StringBuilder query = new StringBuilder();
    if (operation.has("parameters")) {
      for (JsonElement element : operation.getAsJsonArray("parameters")) {
        JsonObject parameter = element.getAsJsonObject();
        if (parameter.get("in").getAsString().equals("query") && parameter.has("required")
            && parameter.get("required").getAsBoolean()) {
          JsonElement value = sample(parameter.getAsJsonObject("schema"), 0);
          String text = value.isJsonArray() ? value.getAsJsonArray().get(0).getAsString() : value.getAsString();
          query.append(query.length() == 0 ? "?" : "&").append(parameter.get("name").getAsString()).append('=').append(text);
        }
      }
    }
    return path + query.toString();
  }

  private static JsonObject parameter(JsonObject operation, String name, String in) {
    for (JsonElement element : operation.getAsJsonArray("parameters")) {
      JsonObject parameter = element.getAsJsonObject();
      if (parameter.get("name").getAsString().equals(name) && parameter.get("in").getAsString().equals(in)) {
        return parameter;
      }
    }
    throw new AssertionError("no " + in + " parameter " + name);
  }

  /** The smallest valid value of a schema: required properties only. */
  private JsonElement sample(JsonObject schema, int depth) {
    JsonObject resolved = resolve(schema);
    if (resolved.has("enum")) {
      JsonArray values = resolved.getAsJsonArray("enum");
      return values.get(Math.min(1, values.size() - 1));
    }
    String type = resolved.has("type") && resolved.get("type").isJsonPrimitive() ? resolved.get("type").getAsString() : "object";
    String format = resolved.has("format") ? resolved.get("format").getAsString() : "";
    switch (type) {
      case "string":
        return new JsonPrimitive(switch (format) {
          case "date-time" -> "2030-01-01T00:00:00Z";
          case "int64", "uint64" -> "7";
          default -> resolved.has("pattern") ? "1s" : "v" + depth;
        });
      case "integer":
        return new JsonPrimitive(7);
      case "number":
        return new JsonPrimitive(1.5);
      case "boolean":
        return new JsonPrimitive(true);
      case "array": {
        JsonArray array = new JsonArray();
        array.add(sample(resolved.getAsJsonObject("items"), depth + 1));
        return array;
      }
      default: {
        JsonObject object = new JsonObject();
        if (resolved.has("required") && resolved.has("properties")) {
          for (JsonElement name : resolved.getAsJsonArray("required")) {
            object.add(name.getAsString(),
                sample(resolved.getAsJsonObject("properties").getAsJsonObject(name.getAsString()), depth + 1));
          }
        }
        return object;
      }
    }
  }

  /** Asserts that a sample response has every name its schema documents, and no other. */
  private void conforms(JsonElement value, JsonObject schema, String where) {
    conforms(value, schema, where, true);
  }

  /**
   * Asserts that a JSON value uses only the names its schema documents, with the documented
   * types; if {@code complete}, also that it has every documented name but oneof members (the
   * samples set every field, and the gateway prints fields at their defaults).
   */
  private void conforms(JsonElement value, JsonObject schema, String where, boolean complete) {
    JsonObject resolved = resolve(schema);
    if (resolved.has("oneOf")) {
      String type = value.getAsJsonObject().get("@type").getAsString();
      for (JsonElement branch : resolved.getAsJsonArray("oneOf")) {
        JsonObject typed = branch.getAsJsonObject().getAsJsonObject("properties").getAsJsonObject("@type");
        if (typed.get("const").getAsString().equals(type)) {
          JsonObject inner = resolve(branch.getAsJsonObject().getAsJsonArray("allOf").get(0).getAsJsonObject()).deepCopy();
          inner.getAsJsonObject("properties").add("@type", typed);
          conforms(value, inner, where + "[" + type + "]", complete);
          return;
        }
      }
      throw new AssertionError(where + ": undocumented detail type " + type);
    }
    if (!resolved.has("type")) {
      return;
    }
    Set<String> types = new HashSet<>();
    if (resolved.get("type").isJsonArray()) {
      resolved.getAsJsonArray("type").forEach(t -> types.add(t.getAsString()));
    } else {
      types.add(resolved.get("type").getAsString());
    }
    if (value.isJsonNull()) {
      assertThat(types).as(where).contains("null");
      return;
    }
    if (types.contains("object")) {
      assertThat(value.isJsonObject()).as(where + " is an object: " + value).isTrue();
      JsonObject object = value.getAsJsonObject();
      if (resolved.has("properties")) {
        JsonObject properties = resolved.getAsJsonObject("properties");
        for (String key : object.keySet()) {
          assertThat(properties.has(key)).as(where + ": undocumented name '" + key + "'").isTrue();
          conforms(object.get(key), properties.getAsJsonObject(key), where + "." + key, complete);
        }
        for (Map.Entry<String, JsonElement> property : properties.entrySet()) {
          JsonObject propertySchema = property.getValue().getAsJsonObject();
          boolean inOneof = propertySchema.has("description") && propertySchema.get("description").getAsString().contains("(oneof `");
          boolean writeOnly = propertySchema.has("writeOnly");
          if (complete && !inOneof && !writeOnly && !property.getKey().equals("@type")) {
            assertThat(object.has(property.getKey())).as(where + ": documented name '" + property.getKey() + "' missing").isTrue();
          }
        }
      }
      if (resolved.has("additionalProperties") && resolved.get("additionalProperties").isJsonObject()) {
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
          conforms(entry.getValue(), resolved.getAsJsonObject("additionalProperties"), where + "[" + entry.getKey() + "]",
              complete);
        }
      }
    } else if (types.contains("array")) {
      assertThat(value.isJsonArray()).as(where + " is an array").isTrue();
      for (JsonElement item : value.getAsJsonArray()) {
        conforms(item, resolved.getAsJsonObject("items"), where + "[]", complete);
      }
    } else if (types.contains("string")) {
      assertThat(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()).as(where + " is a string: " + value).isTrue();
      String format = resolved.has("format") ? resolved.get("format").getAsString() : "";
      if (format.equals("date-time")) {
        assertThat(Instant.parse(value.getAsString())).as(where).isNotNull();
      } else if (format.equals("int64") || format.equals("uint64")) {
        assertThat(value.getAsString()).as(where).matches("-?[0-9]+");
      }
      if (resolved.has("enum")) {
        assertThat(resolved.getAsJsonArray("enum").toString()).as(where).contains("\"" + value.getAsString() + "\"");
      }
    } else if (types.contains("integer")) {
      assertThat(value.getAsJsonPrimitive().isNumber() && value.getAsDouble() == Math.rint(value.getAsDouble()))
          .as(where + " is an integer").isTrue();
    } else if (types.contains("number")) {
      assertThat(value.getAsJsonPrimitive().isNumber()).as(where + " is a number").isTrue();
    } else if (types.contains("boolean")) {
      assertThat(value.getAsJsonPrimitive().isBoolean()).as(where + " is a boolean").isTrue();
    }
  }
}
