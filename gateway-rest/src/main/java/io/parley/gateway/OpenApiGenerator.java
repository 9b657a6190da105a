package io.parley.gateway;

import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import io.grpc.Status;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ErrorReasons;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Writes the OpenAPI 3.1 document of a route table, from the descriptors alone: one operation per
 * binding, with the JSON names the gateway reads and writes, path, query and body parameters as
 * the transcoder binds them, schemas for every message and enum (well-known types as the proto3
 * JSON mapping writes them), the AIP-193 error schema with each google.rpc detail type, bearer
 * security on every operation that needs a session, and descriptions from the proto comments.
 *
 * <p>Each operation also names its gRPC method as {@code x-grpc-method}. Not thread-safe: one
 * instance writes one document.
 */
final class OpenApiGenerator {
  private static final String SCHEMAS = "#/components/schemas/";
  private static final String RESPONSES = "#/components/responses/";
  private static final String HEADERS = "#/components/headers/";
  private static final String SECURITY_SCHEME = "bearerAuth";
  private static final String ACCESS_TOKEN = "access_token";
  private static final int MAX_QUERY_DEPTH = 4;

  /** The error responses every operation declares: status code, component name, description. */
  private static final List<String[]> ERROR_RESPONSES = List.of(
      new String[] {"400", "BadRequest", "Bad Request: INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE."},
      new String[] {"401", "Unauthorized", "Unauthorized: no session, or the token or session is no good (UNAUTHENTICATED)."},
      new String[] {"403", "Forbidden", "Forbidden: PERMISSION_DENIED."},
      new String[] {"404", "NotFound", "Not Found: NOT_FOUND."},
      new String[] {"409", "Conflict", "Conflict: ALREADY_EXISTS or ABORTED."},
      new String[] {"429", "TooManyRequests", "Too Many Requests: RESOURCE_EXHAUSTED; Retry-After says when to retry."},
      new String[] {"500", "InternalError", "Internal Server Error: INTERNAL, UNKNOWN or DATA_LOSS."},
      new String[] {"501", "NotImplemented", "Not Implemented: UNIMPLEMENTED."},
      new String[] {"503", "Unavailable", "Service Unavailable: UNAVAILABLE; retry with backoff."},
      new String[] {"504", "GatewayTimeout", "Gateway Timeout: DEADLINE_EXCEEDED."});

  /** The extra error responses of operations that take a body. */
  private static final List<String[]> BODY_ERROR_RESPONSES = List.of(
      new String[] {"413", "PayloadTooLarge", "Payload Too Large: the body is over the gateway's limit."},
      new String[] {"415", "UnsupportedMediaType", "Unsupported Media Type: the body must be application/json."});

  private static final String DESCRIPTION = """
      HTTP/JSON access to the Parley services, transcoded to gRPC by the REST gateway.

      **Authentication.** Operations with a lock need `Authorization: Bearer <token>`, the \
      `accessToken` a login returns.

      **JSON.** Field names are lowerCamelCase in responses; requests may use them or the proto \
      names (`page_size`). Unknown fields are rejected. 64-bit integers are strings, timestamps \
      RFC 3339, durations like `1.5s`, enums their names. Responses include every field, even at \
      its default value.

      **Errors** have one shape, AIP-193: `{"error":{"code":404,"status":"NOT_FOUND",\
      "message":"…","details":[…]}}`. Branch on the `reason` of the `google.rpc.ErrorInfo` \
      detail; show users the `google.rpc.LocalizedMessage` (chosen by `Accept-Language`).

      **Headers.** `X-Request-Id` is echoed (or generated) on every response; `Grpc-Timeout` \
      (e.g. `5S`, `200m`) sets the deadline.

      **Streams** are Server-Sent Events with `Accept: text/event-stream`, newline-delimited JSON \
      otherwise; an error ends the stream as a last `event: error` (or `{"error":…}` line).
      """;

  private final Router router;
  private final SourceComments comments;
  private final JsonObject schemas = new JsonObject();
  private final Map<String, List<String>> pathParameterNames = new HashMap<>();

  OpenApiGenerator(ServiceCatalog catalog, Router router) {
    this.router = router;
    this.comments = catalog.comments();
  }

  /** The document. */
  JsonObject generate() {
    JsonObject root = new JsonObject();
    root.addProperty("openapi", "3.1.0");
    JsonObject info = new JsonObject();
    info.addProperty("title", "Parley API");
    info.addProperty("version", "v1");
    info.addProperty("description", DESCRIPTION.strip());
    root.add("info", info);
    root.add("tags", tags());
    JsonObject paths = new JsonObject();
    for (Route route : router.routes()) {
      PathDoc doc = pathDoc(route);
      JsonObject item = paths.has(doc.path()) ? paths.getAsJsonObject(doc.path()) : new JsonObject();
      item.add(route.httpMethod().name().toLowerCase(Locale.ROOT), operation(route, doc));
      paths.add(doc.path(), item);
    }
    root.add("paths", paths);
    root.add("components", components());
    return root;
  }

  private JsonArray tags() {
    JsonArray tags = new JsonArray();
    Set<String> seen = new HashSet<>();
    for (Route route : router.routes()) {
      if (seen.add(route.serviceName())) {
        JsonObject tag = new JsonObject();
        tag.addProperty("name", route.method().getService().getName());
        String comment = comments.of(route.method().getService());
        tag.addProperty("description", (comment.isEmpty() ? "" : comment + "\n\n") + "gRPC service `" + route.serviceName() + "`.");
        tags.add(tag);
      }
    }
    return tags;
  }

  // ---- operations -----------------------------------------------------------------------------

  /** An OpenAPI path and its path parameters (name, the field it sets or null, the variable pattern). */
  private record PathDoc(String path, List<PathParameter> parameters) {}

  private record PathParameter(String name, List<FieldDescriptor> field, String pattern) {}

  /**
   * The OpenAPI path of a route. OpenAPI holds paths that differ only in their parameter names to
   * be the same path, so the second route of such a shape reuses the first one's names.
   */
  private PathDoc pathDoc(Route route) {
    PathTemplate template = route.template();
    List<PathTemplate.Segment> segments = template.segments();
    Map<Integer, Integer> variableAt = new HashMap<>();
    for (int i = 0; i < template.variables().size(); i++) {
      variableAt.put(template.variables().get(i).start(), i);
    }
    StringBuilder shape = new StringBuilder();
    List<PathParameter> parameters = new ArrayList<>();
    List<String> literals = new ArrayList<>();
    int wildcards = 0;
    for (int i = 0; i < segments.size(); ) {
      Integer index = variableAt.get(i);
      if (index != null) {
        PathTemplate.Variable variable = template.variables().get(index);
        List<FieldDescriptor> field = route.variableFields().get(index);
        parameters.add(new PathParameter(Fields.jsonPath(field), field, variable.pattern()));
        literals.add(null);
        shape.append("/{}");
        i = variable.end() == -1 ? segments.size() : variable.end();
        continue;
      }
      PathTemplate.Segment segment = segments.get(i);
      if (segment.kind() == PathTemplate.Kind.LITERAL) {
        literals.add(segment.literal());
        shape.append('/').append(segment.literal());
      } else {
        wildcards++;
        parameters.add(new PathParameter("wildcard" + wildcards, null, segment.kind() == PathTemplate.Kind.MULTI ? "**" : "*"));
        literals.add(null);
        shape.append("/{}");
      }
      i++;
    }
    if (template.verb() != null) {
      shape.append(':').append(template.verb());
    }
    List<String> names = pathParameterNames.computeIfAbsent(shape.toString(),
        key -> parameters.stream().map(PathParameter::name).toList());
    StringBuilder path = new StringBuilder();
    int parameter = 0;
    List<PathParameter> named = new ArrayList<>();
    for (String literal : literals) {
      path.append('/');
      if (literal != null) {
        path.append(literal);
      } else {
        PathParameter original = parameters.get(parameter);
        String name = names.get(parameter++);
        named.add(new PathParameter(name, original.field(), original.pattern()));
        path.append('{').append(name).append('}');
      }
    }
    if (template.verb() != null) {
      path.append(':').append(template.verb());
    }
    return new PathDoc(path.toString(), named);
  }

  private JsonObject operation(Route route, PathDoc doc) {
    MethodDescriptor method = route.method();
    String comment = comments.of(method);
    JsonObject operation = new JsonObject();
    operation.add("tags", strings(method.getService().getName()));
    operation.addProperty("summary", comment.isEmpty() ? method.getName() : SourceComments.firstSentence(comment));
    String binding = route.bindingIndex() == 0 ? "" : "\n\nAn additional binding of `" + method.getName() + "`.";
    List<ErrorReason> errors = specificErrors(method);
    operation.addProperty("description", comment + binding + "\n\ngRPC: `" + route.fullMethodName() + "`."
        + errorsDescription(errors));
    operation.addProperty("operationId", route.operationId());
    operation.addProperty("x-grpc-method", route.fullMethodName());
    if (!errors.isEmpty()) {
      JsonArray reasons = new JsonArray();
      for (ErrorReason reason : errors) {
        JsonObject entry = new JsonObject();
        entry.addProperty("reason", reason.name());
        entry.addProperty("status", ApiError.httpStatus(ErrorReasons.code(reason)).code());
        reasons.add(entry);
      }
      operation.add("x-parley-errors", reasons);
    }
    JsonArray parameters = new JsonArray();
    for (PathParameter parameter : doc.parameters()) {
      parameters.add(pathParameter(parameter));
    }
    if (!route.body().equals("*")) {
      Set<String> excluded = new HashSet<>();
      route.variableFields().forEach(path -> excluded.add(Fields.protoPath(path)));
      if (!route.body().isEmpty()) {
        excluded.add(route.body());
      }
      queryParameters(method.getInputType(), "", "", excluded, new ArrayDeque<>(), parameters);
    }
    if (route.isStreaming() && method.getInputType().findFieldByName(ACCESS_TOKEN) == null) {
      JsonObject token = new JsonObject();
      token.addProperty("name", ACCESS_TOKEN);
      token.addProperty("in", "query");
      token.addProperty("description", "The bearer token, for clients that cannot send headers (a browser's "
          + "EventSource). Prefer the Authorization header: URLs end up in logs.");
      token.add("schema", type("string"));
      parameters.add(token);
    }
    if (!parameters.isEmpty()) {
      operation.add("parameters", parameters);
    }
    if (!route.body().isEmpty()) {
      operation.add("requestBody", requestBody(route));
    }
    operation.add("responses", responses(route));
    JsonArray security = new JsonArray();
    if (route.auth() != AuthLevel.PUBLIC) {
      JsonObject bearer = new JsonObject();
      bearer.add(SECURITY_SCHEME, new JsonArray());
      security.add(bearer);
    }
    operation.add("security", security);
    return operation;
  }

  private JsonObject pathParameter(PathParameter parameter) {
    JsonObject json = new JsonObject();
    json.addProperty("name", parameter.name());
    json.addProperty("in", "path");
    json.addProperty("required", true);
    List<String> notes = new ArrayList<>();
    if (parameter.field() == null) {
      json.add("schema", type("string"));
      notes.add("Any " + (parameter.pattern().equals("**") ? "path" : "segment") + "; not sent to the service.");
    } else {
      FieldDescriptor leaf = parameter.field().get(parameter.field().size() - 1);
      json.add("schema", valueSchema(leaf));
      String fieldComment = comments.of(leaf);
      if (!fieldComment.isEmpty()) {
        notes.add(fieldComment);
      }
      String jsonPath = Fields.jsonPath(parameter.field());
      if (!jsonPath.equals(parameter.name())) {
        notes.add("Sets `" + jsonPath + "`.");
      }
      if (!parameter.pattern().equals("*")) {
        notes.add("Matches `" + parameter.pattern() + "`; its slashes are part of the value.");
      }
    }
    if (!notes.isEmpty()) {
      json.addProperty("description", String.join("\n\n", notes));
    }
    return json;
  }

  /** Every field the query may set: scalars, repeated scalars and string-form well-known types, at any depth. */
  private void queryParameters(Descriptor type, String protoPrefix, String jsonPrefix, Set<String> excluded,
      Deque<Descriptor> visiting, JsonArray out) {
    for (FieldDescriptor field : type.getFields()) {
      String protoPath = protoPrefix + field.getName();
      String jsonPath = jsonPrefix + field.getJsonName();
      if (excluded.contains(protoPath) || field.isMapField()) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !WellKnownTypes.hasStringForm(field.getMessageType())) {
        Descriptor inner = field.getMessageType();
        if (!field.isRepeated() && !WellKnownTypes.isSpecial(inner) && !visiting.contains(inner)
            && visiting.size() < MAX_QUERY_DEPTH) {
          visiting.push(inner);
          queryParameters(inner, protoPath + ".", jsonPath + ".", excluded, visiting, out);
          visiting.pop();
        }
        continue;
      }
      JsonObject parameter = new JsonObject();
      parameter.addProperty("name", jsonPath);
      parameter.addProperty("in", "query");
      String description = fieldDescription(field);
      if (!description.isEmpty()) {
        parameter.addProperty("description", description);
      }
      if (protoPrefix.isEmpty() && behaviors(field).contains(FieldBehavior.REQUIRED)) {
        parameter.addProperty("required", true);
      }
      if (field.isRepeated()) {
        parameter.addProperty("style", "form");
        parameter.addProperty("explode", true);
      }
      parameter.add("schema", shapeSchema(field));
      out.add(parameter);
    }
  }

  private JsonObject requestBody(Route route) {
    FieldDescriptor bodyField = route.bodyField();
    JsonObject schema;
    if (bodyField != null) {
      schema = fieldSchema(bodyField);
    } else {
      Set<String> inPath = new HashSet<>();
      route.variableFields().stream().filter(path -> path.size() == 1).forEach(path -> inPath.add(path.get(0).getName()));
      schema = inPath.isEmpty() ? ref(route.method().getInputType()) : messageSchema(route.method().getInputType(), inPath);
    }
    JsonObject body = new JsonObject();
    body.addProperty("required", false);
    body.add("content", jsonContent(schema));
    return body;
  }

  /** The reasons of the method's {@code (parley.common.v1.errors)} option, as the descriptor set holds them. */
  private static List<ErrorReason> specificErrors(MethodDescriptor method) {
    return List.copyOf(method.getOptions().getExtension(AuthProto.errors));
  }

  private static String errorsDescription(List<ErrorReason> errors) {
    if (errors.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("\n\nBesides the errors of every operation, `error.details[].reason` may be: ");
    for (int i = 0; i < errors.size(); i++) {
      ErrorReason reason = errors.get(i);
      text.append(i == 0 ? "" : ", ").append('`').append(reason.name()).append("` (")
          .append(ApiError.httpStatus(ErrorReasons.code(reason)).code()).append(')');
    }
    return text.append('.').toString();
  }

  private JsonObject responses(Route route) {
    JsonObject responses = new JsonObject();
    JsonObject ok = new JsonObject();
    ok.add("headers", requestIdHeader());
    if (route.isStreaming()) {
      ok.addProperty("description", "A stream of `" + route.method().getOutputType().getName() + "` messages: "
          + "Server-Sent Events with `Accept: text/event-stream` (one `data:` event per message, a comment as a "
          + "heartbeat, an error as a last `event: error` whose data is the Error body), else newline-delimited "
          + "JSON (one message per line, an error as a last line with the Error body).");
      JsonObject content = new JsonObject();
      JsonObject sse = new JsonObject();
      JsonObject text = type("string");
      text.addProperty("description", "`data: <" + route.method().getOutputType().getName() + " as JSON>` events.");
      sse.add("schema", text);
      content.add("text/event-stream", sse);
      JsonObject ndjson = new JsonObject();
      ndjson.add("schema", ref(route.method().getOutputType()));
      content.add("application/x-ndjson", ndjson);
      ok.add("content", content);
    } else {
      ok.addProperty("description", "OK");
      FieldDescriptor field = route.responseBodyField();
      ok.add("content", jsonContent(field == null ? ref(route.method().getOutputType()) : fieldSchema(field)));
    }
    responses.add("200", ok);
    List<String[]> errors = new ArrayList<>(ERROR_RESPONSES);
    if (!route.body().isEmpty()) {
      errors.addAll(BODY_ERROR_RESPONSES);
    }
    errors.sort((a, b) -> a[0].compareTo(b[0]));
    for (String[] error : errors) {
      responses.add(error[0], refTo(RESPONSES + error[1]));
    }
    responses.add("default", refTo(RESPONSES + "Error"));
    return responses;
  }

  // ---- schemas --------------------------------------------------------------------------------

  /** A field's schema with its description, read/write-only marks and oneof note. */
  private JsonObject fieldSchema(FieldDescriptor field) {
    JsonObject schema = shapeSchema(field);
    String description = fieldDescription(field);
    if (!description.isEmpty()) {
      schema.addProperty("description", description);
    }
    List<FieldBehavior> behaviors = behaviors(field);
    if (behaviors.contains(FieldBehavior.OUTPUT_ONLY)) {
      schema.addProperty("readOnly", true);
    }
    if (behaviors.contains(FieldBehavior.INPUT_ONLY)) {
      schema.addProperty("writeOnly", true);
    }
    if (field.getOptions().getDeprecated()) {
      schema.addProperty("deprecated", true);
    }
    return schema;
  }

  /** The schema of a field's value as a whole: an array for a repeated field, an object for a map. */
  private JsonObject shapeSchema(FieldDescriptor field) {
    if (field.isMapField()) {
      JsonObject map = type("object");
      map.add("additionalProperties", valueSchema(field.getMessageType().findFieldByName("value")));
      return map;
    }
    if (field.isRepeated()) {
      JsonObject array = type("array");
      array.add("items", valueSchema(field));
      return array;
    }
    return valueSchema(field);
  }

  private String fieldDescription(FieldDescriptor field) {
    List<String> parts = new ArrayList<>();
    String comment = comments.of(field);
    if (!comment.isEmpty()) {
      parts.add(comment);
    }
    OneofDescriptor oneof = field.getRealContainingOneof();
    if (oneof != null) {
      StringJoiner members = new StringJoiner("`, `", "`", "`");
      oneof.getFields().forEach(member -> members.add(member.getJsonName()));
      parts.add("At most one of " + members + " is set (oneof `" + oneof.getName() + "`).");
    }
    List<FieldBehavior> behaviors = behaviors(field);
    if (behaviors.contains(FieldBehavior.REQUIRED)) {
      parts.add("Required.");
    }
    if (behaviors.contains(FieldBehavior.OUTPUT_ONLY)) {
      parts.add("Output only: ignored in requests.");
    }
    if (behaviors.contains(FieldBehavior.INPUT_ONLY)) {
      parts.add("Input only: never in responses.");
    }
    if (behaviors.contains(FieldBehavior.IMMUTABLE)) {
      parts.add("Immutable once set.");
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.LONG) {
      parts.add("A 64-bit integer, written as a decimal string (a JSON number is accepted too).");
    }
    return String.join("\n\n", parts);
  }

  private static List<FieldBehavior> behaviors(FieldDescriptor field) {
    return field.getOptions().getExtension(FieldBehaviorProto.fieldBehavior);
  }

  /** The schema of one value of a field (one element of a repeated field). */
  private JsonObject valueSchema(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case STRING -> type("string");
      case BOOLEAN -> type("boolean");
      case INT -> switch (field.getType()) {
        case UINT32, FIXED32 -> {
          JsonObject unsigned = type("integer");
          unsigned.addProperty("minimum", 0);
          unsigned.addProperty("maximum", 4294967295L);
          yield unsigned;
        }
        default -> format("integer", "int32");
      };
      case LONG -> format("string", field.getType() == FieldDescriptor.Type.UINT64
          || field.getType() == FieldDescriptor.Type.FIXED64 ? "uint64" : "int64");
      case FLOAT -> format("number", "float");
      case DOUBLE -> format("number", "double");
      case BYTE_STRING -> {
        JsonObject bytes = type("string");
        bytes.addProperty("contentEncoding", "base64");
        yield bytes;
      }
      case ENUM -> enumRef(field.getEnumType());
      case MESSAGE -> ref(field.getMessageType());
    };
  }

  /** A $ref to a message's schema, or the inline schema of a well-known type. */
  private JsonObject ref(Descriptor type) {
    JsonObject wellKnown = wellKnownSchema(type.getFullName());
    if (wellKnown != null) {
      return wellKnown;
    }
    String name = type.getFullName();
    if (!schemas.has(name)) {
      schemas.add(name, new JsonObject());
      schemas.add(name, messageSchema(type, Set.of()));
    }
    return refTo(SCHEMAS + name);
  }

  private JsonObject messageSchema(Descriptor type, Set<String> excluded) {
    JsonObject schema = type("object");
    String comment = comments.of(type);
    if (!comment.isEmpty()) {
      schema.addProperty("description", comment);
    }
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    for (FieldDescriptor field : type.getFields()) {
      if (excluded.contains(field.getName())) {
        continue;
      }
      properties.add(field.getJsonName(), fieldSchema(field));
      if (behaviors(field).contains(FieldBehavior.REQUIRED)) {
        required.add(field.getJsonName());
      }
    }
    schema.add("properties", properties);
    if (!required.isEmpty()) {
      schema.add("required", required);
    }
    return schema;
  }

  private JsonObject enumRef(EnumDescriptor type) {
    String name = type.getFullName();
    if (!schemas.has(name)) {
      JsonObject schema = type("string");
      JsonArray values = new JsonArray();
      StringBuilder description = new StringBuilder(comments.of(type));
      for (EnumValueDescriptor value : type.getValues()) {
        values.add(value.getName());
        String valueComment = comments.of(value);
        if (!valueComment.isEmpty()) {
          description.append(description.length() == 0 ? "" : "\n\n").append("- `").append(value.getName())
              .append("`: ").append(valueComment.replace('\n', ' '));
        }
      }
      schema.add("enum", values);
      if (description.length() > 0) {
        schema.addProperty("description", description.toString());
      }
      schemas.add(name, schema);
    }
    return refTo(SCHEMAS + name);
  }

  /** The proto3 JSON form of a well-known type; null for any other type. */
  private static JsonObject wellKnownSchema(String fullName) {
    switch (fullName) {
      case WellKnownTypes.TIMESTAMP:
        return format("string", "date-time");
      case WellKnownTypes.DURATION: {
        JsonObject duration = type("string");
        duration.addProperty("pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$");
        duration.addProperty("description", "A duration in seconds with an s suffix, e.g. `1.5s`.");
        return duration;
      }
      case WellKnownTypes.FIELD_MASK: {
        JsonObject mask = type("string");
        mask.addProperty("description", "Comma-separated lowerCamelCase field paths, e.g. `name,notice`.");
        return mask;
      }
      case WellKnownTypes.STRUCT: {
        JsonObject struct = type("object");
        struct.addProperty("additionalProperties", true);
        return struct;
      }
      case WellKnownTypes.VALUE: {
        JsonObject any = new JsonObject();
        any.addProperty("description", "Any JSON value.");
        return any;
      }
      case WellKnownTypes.LIST_VALUE: {
        JsonObject list = type("array");
        list.add("items", new JsonObject());
        return list;
      }
      case WellKnownTypes.EMPTY:
        return type("object");
      case WellKnownTypes.ANY: {
        JsonObject any = type("object");
        JsonObject properties = new JsonObject();
        properties.add("@type", type("string"));
        any.add("properties", properties);
        any.add("required", strings("@type"));
        any.addProperty("additionalProperties", true);
        return any;
      }
      case "google.protobuf.DoubleValue", "google.protobuf.FloatValue":
        return nullable("number", null);
      case "google.protobuf.Int64Value":
        return nullable("string", "int64");
      case "google.protobuf.UInt64Value":
        return nullable("string", "uint64");
      case "google.protobuf.Int32Value", "google.protobuf.UInt32Value":
        return nullable("integer", null);
      case "google.protobuf.BoolValue":
        return nullable("boolean", null);
      case "google.protobuf.StringValue":
        return nullable("string", null);
      case "google.protobuf.BytesValue": {
        JsonObject bytes = nullable("string", null);
        bytes.addProperty("contentEncoding", "base64");
        return bytes;
      }
      default:
        return null;
    }
  }

  // ---- components -----------------------------------------------------------------------------

  private JsonObject components() {
    JsonObject components = new JsonObject();
    addErrorSchemas();
    components.add("schemas", schemas);
    JsonObject responses = new JsonObject();
    List<String[]> all = new ArrayList<>(ERROR_RESPONSES);
    all.addAll(BODY_ERROR_RESPONSES);
    all.add(new String[] {"default", "Error", "An error, in the same shape whatever its status."});
    for (String[] error : all) {
      JsonObject response = new JsonObject();
      response.addProperty("description", error[2]);
      JsonObject headers = requestIdHeader();
      if (error[0].equals("401")) {
        headers.add("WWW-Authenticate", refTo(HEADERS + "WWW-Authenticate"));
      }
      if (error[0].equals("429") || error[0].equals("503")) {
        headers.add("Retry-After", refTo(HEADERS + "Retry-After"));
      }
      response.add("headers", headers);
      response.add("content", jsonContent(refTo(SCHEMAS + "Error")));
      responses.add(error[1], response);
    }
    components.add("responses", responses);
    JsonObject headers = new JsonObject();
    headers.add("X-Request-Id", header("The request's id: the client's X-Request-Id if it sent a usable one, "
        + "else a new one. Quote it when reporting a problem."));
    headers.add("WWW-Authenticate", header("`Bearer realm=\"parley\"`, with `error=\"invalid_token\"` when the "
        + "token was sent but is expired, revoked, kicked or otherwise no good (RFC 6750)."));
    headers.add("Retry-After", header("Seconds to wait before retrying, from the error's RetryInfo."));
    components.add("headers", headers);
    JsonObject bearer = new JsonObject();
    bearer.addProperty("type", "http");
    bearer.addProperty("scheme", "bearer");
    bearer.addProperty("bearerFormat", "JWT");
    bearer.addProperty("description", "The access token a login returns, as `Authorization: Bearer <token>`.");
    JsonObject schemes = new JsonObject();
    schemes.add(SECURITY_SCHEME, bearer);
    components.add("securitySchemes", schemes);
    return components;
  }

  private void addErrorSchemas() {
    JsonObject error = type("object");
    error.addProperty("description", "The body of every error response (AIP-193).");
    JsonObject errorProperties = new JsonObject();
    errorProperties.add("error", refTo(SCHEMAS + "Status"));
    error.add("properties", errorProperties);
    error.add("required", strings("error"));
    schemas.add("Error", error);

    JsonObject status = type("object");
    JsonObject properties = new JsonObject();
    JsonObject code = type("integer");
    code.addProperty("description", "The HTTP status code.");
    properties.add("code", code);
    JsonObject name = type("string");
    name.addProperty("description", "The gRPC status code.");
    JsonArray codes = new JsonArray();
    for (Status.Code value : Status.Code.values()) {
      codes.add(value.name());
    }
    name.add("enum", codes);
    properties.add("status", name);
    JsonObject message = type("string");
    message.addProperty("description", "For developers, in English; show users the LocalizedMessage detail.");
    properties.add("message", message);
    JsonObject details = type("array");
    details.add("items", refTo(SCHEMAS + "ErrorDetail"));
    details.addProperty("description", "google.rpc details, each with its @type: ErrorInfo (reason, domain "
        + "\"parley.io\", metadata), RequestInfo, BadRequest (field violations), RetryInfo, LocalizedMessage.");
    properties.add("details", details);
    status.add("properties", properties);
    status.add("required", strings("code", "status", "message", "details"));
    schemas.add("Status", status);

    JsonArray oneOf = new JsonArray();
    for (Descriptor type : ProtoJson.ERROR_DETAIL_TYPES) {
      JsonObject typeUrl = new JsonObject();
      typeUrl.addProperty("const", "type.googleapis.com/" + type.getFullName());
      JsonObject typed = new JsonObject();
      typed.add("@type", typeUrl);
      JsonObject branch = new JsonObject();
      JsonArray allOf = new JsonArray();
      allOf.add(ref(type));
      branch.add("allOf", allOf);
      branch.add("properties", typed);
      branch.add("required", strings("@type"));
      oneOf.add(branch);
    }
    JsonObject detail = new JsonObject();
    detail.addProperty("description", "One google.rpc error detail, identified by its @type.");
    detail.add("oneOf", oneOf);
    schemas.add("ErrorDetail", detail);
  }

  // ---- small JSON helpers ---------------------------------------------------------------------

  private static JsonObject type(String type) {
    JsonObject schema = new JsonObject();
    schema.addProperty("type", type);
    return schema;
  }

  private static JsonObject format(String type, String format) {
    JsonObject schema = type(type);
    schema.addProperty("format", format);
    return schema;
  }

  private static JsonObject nullable(String type, String format) {
    JsonObject schema = new JsonObject();
    schema.add("type", strings(type, "null"));
    if (format != null) {
      schema.addProperty("format", format);
    }
    return schema;
  }

  private static JsonObject refTo(String target) {
    JsonObject ref = new JsonObject();
    ref.addProperty("$ref", target);
    return ref;
  }

  private static JsonObject header(String description) {
    JsonObject header = new JsonObject();
    header.addProperty("description", description);
    header.add("schema", type("string"));
    return header;
  }

  private static JsonObject requestIdHeader() {
    JsonObject headers = new JsonObject();
    headers.add("X-Request-Id", refTo(HEADERS + "X-Request-Id"));
    return headers;
  }

  private static JsonObject jsonContent(JsonObject schema) {
    JsonObject media = new JsonObject();
    media.add("schema", schema);
    JsonObject content = new JsonObject();
    content.add("application/json", media);
    return content;
  }

  private static JsonArray strings(String... values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }
}
