package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's {@code /openapi.json} as a test oracle: its operations, the requests their
 * documentation describes, and assertions that an answer is one the document declares (a declared
 * status, and JSON with the documented names and types). Shared by the walk over stand-in services
 * ({@link OpenApiTest}) and the one over the real services ({@link RealServicesOpenApiTest}).
 */
final class OpenApiOracle {
  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

  /** One operation of the document: an HTTP method on a path. */
  record Operation(String verb, String template, JsonObject spec) {
    /** E.g. {@code GET /v1/users/{userId}}. */
    String where() {
      return verb + " " + template;
    }

    /** The gRPC method, e.g. {@code parley.user.v1.UserService/GetUser}. */
    String grpcMethod() {
      return spec.get("x-grpc-method").getAsString();
    }

    String operationId() {
      return spec.get("operationId").getAsString();
    }

    /** Whether the operation needs a bearer token. */
    boolean secured() {
      return !spec.getAsJsonArray("security").isEmpty();
    }
  }

  /** A request built from an operation's documentation, and the answer to it. */
  record Exchange(Operation operation, String path, String body, HttpTester.Reply reply) {
    @Override
    public String toString() {
      return operation.where() + " as " + operation.verb() + " " + path + ": " + reply.status() + " " + reply.body();
    }
  }

  private final JsonObject doc;

  private OpenApiOracle(JsonObject doc) {
    this.doc = doc;
  }

  /** Fetches the document from a gateway. */
  static OpenApiOracle fetch(HttpTester http) {
    HttpTester.Reply reply = http.get("/openapi.json");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    return new OpenApiOracle(reply.json());
  }

  JsonObject doc() {
    return doc;
  }

  /** Every operation, in document order. */
  List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    for (Map.Entry<String, JsonElement> path : doc.getAsJsonObject("paths").entrySet()) {
      for (Map.Entry<String, JsonElement> operation : path.getValue().getAsJsonObject().entrySet()) {
        operations.add(new Operation(operation.getKey().toUpperCase(Locale.ROOT), path.getKey(),
            operation.getValue().getAsJsonObject()));
      }
    }
    return operations;
  }

  /** The operation with this operationId. */
  Operation operation(String operationId) {
    return operations().stream()
        .filter(operation -> operation.operationId().equals(operationId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no operation " + operationId + " in /openapi.json"));
  }

  JsonObject schema(String name) {
    return doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject(name);
  }

  JsonObject resolve(JsonObject schema) {
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

  JsonObject responseContent(JsonObject operation, String status) {
    return resolve(operation.getAsJsonObject("responses").getAsJsonObject(status)).getAsJsonObject("content");
  }

  /** Whether the operation answers with a stream (its 200 is newline-delimited JSON). */
  boolean streaming(Operation operation) {
    return responseContent(operation.spec(), "200").has("application/x-ndjson");
  }

  static JsonObject refTo(String target) {
    JsonObject ref = new JsonObject();
    ref.addProperty("$ref", target);
    return ref;
  }

  static JsonObject parameter(JsonObject operation, String name, String in) {
    for (JsonElement element : operation.getAsJsonArray("parameters")) {
      JsonObject parameter = element.getAsJsonObject();
      if (parameter.get("name").getAsString().equals(name) && parameter.get("in").getAsString().equals(in)) {
        return parameter;
      }
    }
    throw new AssertionError("no " + in + " parameter " + name);
  }

  // ---- requests the document describes ----------------------------------------------------------

  /**
   * The path of a request: path parameters and the required query parameters filled with {@code
   * values.apply(name)}, or with a {@linkplain #sample sample} where that is null.
   */
  String requestPath(Operation operation, Function<String, String> values) {
    Matcher matcher = PATH_PARAMETER.matcher(operation.template());
    StringBuilder path = new StringBuilder();
    while (matcher.find()) {
      String value = values.apply(matcher.group(1));
      if (value == null) {
        JsonObject parameter = parameter(operation.spec(), matcher.group(1), "path");
        value = sample(parameter.getAsJsonObject("schema")).getAsString();
      }
      matcher.appendReplacement(path, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(path);
    StringBuilder query = new StringBuilder();
    if (operation.spec().has("parameters")) {
      for (JsonElement element : operation.spec().getAsJsonArray("parameters")) {
        JsonObject parameter = element.getAsJsonObject();
        if (parameter.get("in").getAsString().equals("query") && parameter.has("required")
            && parameter.get("required").getAsBoolean()) {
          String name = parameter.get("name").getAsString();
          String text = values.apply(name);
          if (text == null) {
            JsonElement value = sample(parameter.getAsJsonObject("schema"));
            text = value.isJsonArray() ? value.getAsJsonArray().get(0).getAsString() : value.getAsString();
          }
          query.append(query.length() == 0 ? "?" : "&").append(name).append('=').append(text);
        }
      }
    }
    return path + query.toString();
  }

  /** The body of a request, the smallest its schema allows; null if the operation takes none. */
  String requestBody(Operation operation) {
    return operation.spec().has("requestBody")
        ? sample(operation.spec().getAsJsonObject("requestBody").getAsJsonObject("content")
            .getAsJsonObject("application/json").getAsJsonObject("schema")).toString()
        : null;
  }

  /** The smallest valid value of a schema: required properties only. */
  JsonElement sample(JsonObject schema) {
    return sample(schema, 0);
  }

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

  // ---- the walk ---------------------------------------------------------------------------------

  /**
   * Sends every operation the request its documentation describes, with {@code authorization}'s
   * token where the operation is secured (streams as newline-delimited JSON, of which the first
   * message is read), and asserts that the answer is {@linkplain #assertDocumented documented}; then
   * hands it to {@code check}. A secured operation is then sent without a token and must answer
   * the documented 401 with {@code WWW-Authenticate: Bearer}. Reads (GET) go first, so that what
   * the writes do (a leave, a logout) cannot change what the reads find.
   *
   * @param parameterValues values for path and required query parameters by name; null for a sample
   * @param complete whether success bodies must carry every documented name (see {@link #conforms})
   */
  void walk(HttpTester http, Supplier<String> authorization, Function<String, String> parameterValues,
      boolean complete, Consumer<Exchange> check) {
    List<Operation> readsFirst = new ArrayList<>(operations());
    readsFirst.sort(Comparator.comparing(operation -> !operation.verb().equals("GET")));
    for (Operation operation : readsFirst) {
      String path = requestPath(operation, parameterValues);
      String body = requestBody(operation);
      boolean streaming = streaming(operation);
      List<String> headers = new ArrayList<>(List.of("Accept", streaming ? "application/x-ndjson" : "application/json"));
      if (operation.secured()) {
        headers.addAll(List.of("Authorization", authorization.get()));
      }
      HttpTester.Reply reply = streaming
          ? http.firstLine(path, headers.toArray(String[]::new))
          : http.send(operation.verb(), path, body, headers.toArray(String[]::new));
      Exchange exchange = new Exchange(operation, path, body, reply);
      assertDocumented(operation, reply, complete, exchange.toString());
      check.accept(exchange);

      if (operation.secured()) {
        HttpTester.Reply refused = http.send(operation.verb(), path, body);
        assertThat(refused.status()).as(operation.where()).isEqualTo(401);
        assertThat(refused.header("www-authenticate")).as(operation.where()).startsWith("Bearer");
        assertDocumented(operation, refused, false, operation.where() + " (401)");
      }
    }
  }

  /**
   * Asserts that {@code reply} is an answer the operation documents: its status is declared, and
   * its body conforms to that status's schema (for a 200 stream, the one message read).
   *
   * @param complete whether a success body must carry every documented name
   */
  void assertDocumented(Operation operation, HttpTester.Reply reply, boolean complete, String where) {
    String status = Integer.toString(reply.status());
    assertThat(operation.spec().getAsJsonObject("responses").has(status))
        .as(where + ": status " + status + " is not declared").isTrue();
    JsonObject content = responseContent(operation.spec(), status);
    if (reply.status() == 200 && streaming(operation)) {
      JsonObject schema = content.getAsJsonObject("application/x-ndjson").getAsJsonObject("schema");
      for (String line : reply.body().split("\n")) {
        conforms(JsonParser.parseString(line), schema, where, complete);
      }
    } else {
      JsonObject schema = content.getAsJsonObject("application/json").getAsJsonObject("schema");
      conforms(reply.jsonElement(), schema, where, reply.status() == 200 && complete);
    }
  }

  /** Asserts that a sample response has every name its schema documents, and no other. */
  void conforms(JsonElement value, JsonObject schema, String where) {
    conforms(value, schema, where, true);
  }

  /**
   * Asserts that a JSON value uses only the names its schema documents, with the documented
   * types; if {@code complete}, also that it has every documented name but oneof members (the
   * samples set every field, and the gateway prints fields at their defaults).
   */
  void conforms(JsonElement value, JsonObject schema, String where, boolean complete) {
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
