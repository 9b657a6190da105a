package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.netty.buffer.ByteBuf;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a route's request message from an HTTP request, as {@code google.api.http} says: path
 * variables fill the fields they name; the body fills the whole message ({@code body: "*"}) or
 * one field; with no {@code "*"} body, query parameters fill any other field, nested ({@code
 * a.b=1}), repeated ({@code ids=1&ids=2}) or of a well-known type ({@code
 * updateMask=name,notice}). Field names are accepted both as JSON (lowerCamelCase) and proto
 * names.
 *
 * <p>Strict where grpc-gateway is lax: an unknown JSON member or query parameter, a body where the
 * method takes none, a query parameter that repeats a path variable, or a body that contradicts
 * the path all fail INVALID_ARGUMENT (or MALFORMED_JSON) naming the field. Thread-safe.
 */
final class RequestBinder {
  private final JsonFormat.Parser parser;
  private final FieldValues values;

  RequestBinder(JsonFormat.Parser parser) {
    this.parser = requireNonNull(parser, "parser");
    this.values = new FieldValues(parser);
  }

  /**
   * The request message for {@code route}.
   *
   * @param variables the path variables' values by field path, as the router matched them
   * @param query the decoded query parameters
   * @param contentType the Content-Type header, or null
   * @param body the request body, possibly empty
   * @throws ParleyException INVALID_ARGUMENT, MALFORMED_JSON or UNSUPPORTED_MEDIA_TYPE, saying
   *     what is wrong and naming the field; INVALID_ARGUMENT too for a message no protobuf parser
   *     would read ({@link ProtoLimits})
   */
  DynamicMessage bind(Route route, Map<String, String> variables, Map<String, List<String>> query,
      String contentType, ByteBuf body) {
    Descriptor type = route.method().getInputType();
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    boolean hasBody = body.isReadable() && !isBlank(body);
    if (route.body().isEmpty()) {
      if (hasBody) {
        throw ParleyException.invalidField("body", route.httpMethod() + " " + route.template() + " takes no request body");
      }
    } else if (hasBody) {
      mergeBody(route, contentType, body, builder);
    }
    bindVariables(route, variables, builder);
    if (!route.body().equals("*")) {
      bindQuery(route, query, builder);
    } else if (!query.isEmpty()) {
      String name = query.keySet().iterator().next();
      throw ParleyException.invalidField(name, "unknown query parameter: " + route.httpMethod() + " "
          + route.template() + " takes every field in the body");
    }
    DynamicMessage message = builder.build();
    ProtoLimits.check(message);
    return message;
  }

  private void mergeBody(Route route, String contentType, ByteBuf body, DynamicMessage.Builder builder) {
    requireJson(contentType);
    String text = utf8(body);
    JsonElement json = StrictJson.parse(text);
    FieldDescriptor bodyField = route.bodyField();
    JsonObject whole;
    String merged;
    if (bodyField == null) {
      if (!json.isJsonObject()) {
        throw StrictJson.malformed("the body must be a JSON object");
      }
      whole = json.getAsJsonObject();
      merged = text;
    } else {
      if (bodyField.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !bodyField.isRepeated()
          && !WellKnownTypes.isSpecial(bodyField.getMessageType()) && !json.isJsonObject() && !json.isJsonNull()) {
        throw StrictJson.malformed("the body must be a JSON object (a " + bodyField.getMessageType().getName() + ")");
      }
      whole = new JsonObject();
      whole.add(bodyField.getJsonName(), json);
      merged = "{\"" + bodyField.getJsonName() + "\":" + text + "}";
    }
    List<String> unknown = StrictJson.unknownFields(whole, builder.getDescriptorForType(), "");
    if (!unknown.isEmpty()) {
      ParleyException.Builder error = ParleyException.builder(ErrorReason.MALFORMED_JSON)
          .message((unknown.size() == 1 ? "unknown field \"" : "unknown fields \"")
              + String.join("\", \"", unknown) + "\" in the request body");
      unknown.forEach(path -> error.violation(path, "no such field in " + route.method().getInputType().getFullName()));
      throw error.build();
    }
    try {
      parser.merge(merged, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw StrictJson.malformed(e.getMessage() == null ? "unreadable" : e.getMessage());
    }
  }

  private void bindVariables(Route route, Map<String, String> variables, DynamicMessage.Builder builder) {
    List<PathTemplate.Variable> templateVariables = route.template().variables();
    for (int i = 0; i < templateVariables.size(); i++) {
      List<FieldDescriptor> path = route.variableFields().get(i);
      String name = templateVariables.get(i).fieldPath();
      Object value = values.parse(path.get(path.size() - 1), variables.get(name), name);
      Object inBody = Fields.getIfSet(builder, path);
      if (inBody != null && !inBody.equals(value)) {
        throw ParleyException.invalidField(Fields.jsonPath(path),
            "the body and the path disagree: the path says '" + variables.get(name) + "'");
      }
      Fields.set(builder, path, value);
    }
  }

  private void bindQuery(Route route, Map<String, List<String>> query, DynamicMessage.Builder builder) {
    Set<String> bound = new HashSet<>();
    route.variableFields().forEach(path -> bound.add(Fields.protoPath(path)));
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      String name = parameter.getKey();
      List<FieldDescriptor> path = resolveQueryName(builder.getDescriptorForType(), name);
      if (path == null) {
        throw ParleyException.invalidField(name,
            "unknown query parameter: " + route.method().getInputType().getFullName() + " has no such field");
      }
      String protoPath = Fields.protoPath(path);
      for (String variable : bound) {
        if (protoPath.equals(variable) || protoPath.startsWith(variable + ".") || variable.startsWith(protoPath + ".")) {
          throw ParleyException.invalidField(name, "bound by the path " + route.template() + "; do not repeat it in the query");
        }
      }
      if (!route.body().isEmpty() && (protoPath.equals(route.body()) || protoPath.startsWith(route.body() + "."))) {
        throw ParleyException.invalidField(name, "part of the request body; send it there");
      }
      FieldDescriptor leaf = path.get(path.size() - 1);
      if (leaf.isMapField()) {
        throw ParleyException.invalidField(name, "a map field cannot be set from the query");
      }
      if (leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !WellKnownTypes.hasStringForm(leaf.getMessageType())) {
        List<FieldDescriptor> inner = leaf.getMessageType().getFields();
        throw ParleyException.invalidField(name, inner.isEmpty() ? "a message, which the query cannot set"
            : "a message: set its fields, e.g. " + name + "." + inner.get(0).getJsonName());
      }
      // A repeated field accumulates, even under both spellings; a singular one is set once.
      if (!leaf.isRepeated() && (!seen.add(protoPath) || parameter.getValue().size() > 1)) {
        throw ParleyException.invalidField(name, "given more than once");
      }
      checkOneof(path, builder, name);
      for (String text : parameter.getValue()) {
        Fields.set(builder, path, values.parse(leaf, text, name));
      }
    }
  }

  private static void checkOneof(List<FieldDescriptor> path, DynamicMessage.Builder builder, String name) {
    FieldDescriptor leaf = path.get(path.size() - 1);
    OneofDescriptor oneof = leaf.getRealContainingOneof();
    if (oneof == null) {
      return;
    }
    List<FieldDescriptor> sibling = new ArrayList<>(path);
    for (FieldDescriptor other : oneof.getFields()) {
      sibling.set(sibling.size() - 1, other);
      if (other != leaf && Fields.getIfSet(builder, sibling) != null) {
        throw ParleyException.invalidField(name, "only one of the fields of oneof " + oneof.getName()
            + " may be set, and " + other.getJsonName() + " is set");
      }
    }
  }

  /** The fields a dotted query name names (each part by JSON or proto name); null if it names none. */
  private static List<FieldDescriptor> resolveQueryName(Descriptor type, String name) {
    List<FieldDescriptor> path = new ArrayList<>();
    Descriptor current = type;
    String[] parts = name.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      FieldDescriptor field = Fields.byAnyName(current, parts[i]);
      if (field == null) {
        return null;
      }
      path.add(field);
      if (i < parts.length - 1) {
        if (field.isRepeated() || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
            || WellKnownTypes.isSpecial(field.getMessageType())) {
          return null;
        }
        current = field.getMessageType();
      }
    }
    return path;
  }

  private static void requireJson(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return;
    }
    String[] parts = contentType.split(";");
    String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
    boolean json = mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    for (int i = 1; i < parts.length && json; i++) {
      String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("charset=")) {
        String charset = parameter.substring("charset=".length()).replace("\"", "");
        json = charset.equals("utf-8") || charset.equals("utf8");
      }
    }
    if (!json) {
      throw new ParleyException(ErrorReason.UNSUPPORTED_MEDIA_TYPE,
          "the request body must be application/json (UTF-8), not " + contentType.strip());
    }
  }

  private static boolean isBlank(ByteBuf body) {
    for (int i = body.readerIndex(); i < body.writerIndex(); i++) {
      byte b = body.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }

  private static String utf8(ByteBuf body) {
    try {
      ByteBuffer bytes = body.nioBuffer();
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw StrictJson.malformed("the body is not UTF-8");
    }
  }
}
