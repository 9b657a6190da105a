package io.parley.gateway;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Request bodies read as strict RFC 8259 JSON (no comments, single quotes, NaN or trailing text,
 * which protobuf's own parser would let through), and checked for members that name no field, so
 * that a typo is an error that names it rather than a silently dropped value.
 */
final class StrictJson {
  private static final TypeAdapter<JsonElement> ELEMENTS = new Gson().getAdapter(JsonElement.class);

  private StrictJson() {}

  /**
   * Parses exactly one JSON value.
   *
   * @throws ParleyException MALFORMED_JSON saying where the text goes wrong
   */
  static JsonElement parse(String text) {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement element = ELEMENTS.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw malformed("trailing data after the JSON value");
      }
      return element;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw malformed(firstLine(e.getMessage()));
    }
  }

  /**
   * The members of {@code json}, at any depth, that name no field of {@code type} by either its
   * JSON name or its proto name; each as a path such as {@code book.author.nmae}.
   */
  static List<String> unknownFields(JsonElement json, Descriptor type, String prefix) {
    List<String> unknown = new ArrayList<>();
    collect(json, type, prefix, unknown);
    return unknown;
  }

  static ParleyException malformed(String detail) {
    return ParleyException.builder(ErrorReason.MALFORMED_JSON)
        .message("the request body is not valid JSON: " + detail)
        .build();
  }

  private static void collect(JsonElement json, Descriptor type, String prefix, List<String> unknown) {
    if (!json.isJsonObject() || WellKnownTypes.isSpecial(type)) {
      return;
    }
    for (Map.Entry<String, JsonElement> member : json.getAsJsonObject().entrySet()) {
      FieldDescriptor field = Fields.byAnyName(type, member.getKey());
      String path = prefix + member.getKey();
      if (field == null) {
        unknown.add(path);
        continue;
      }
      JsonElement value = member.getValue();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || value.isJsonNull()) {
        continue;
      }
      if (field.isMapField()) {
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE && value.isJsonObject()) {
          for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
            collect(entry.getValue(), valueField.getMessageType(), path + "." + entry.getKey() + ".", unknown);
          }
        }
      } else if (field.isRepeated()) {
        if (value.isJsonArray()) {
          JsonArray array = value.getAsJsonArray();
          for (int i = 0; i < array.size(); i++) {
            collect(array.get(i), field.getMessageType(), path + "[" + i + "].", unknown);
          }
        }
      } else {
        collect(value, field.getMessageType(), path + ".", unknown);
      }
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
