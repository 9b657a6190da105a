package io.parley.gateway;

import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.parley.error.ParleyException;
import java.util.Base64;
import java.util.Locale;

/**
 * Turns the text of a path variable or a query parameter into a field value, as the proto3 JSON
 * mapping reads the same value from a JSON string: enums by name or number, 64-bit integers,
 * base64 bytes, RFC 3339 timestamps, {@code 1.5s} durations, comma-separated field masks, wrapper
 * types. Thread-safe.
 */
final class FieldValues {
  private final JsonFormat.Parser parser;

  FieldValues(JsonFormat.Parser parser) {
    this.parser = parser;
  }

  /**
   * The value for one (element of a) field.
   *
   * @param name how the client named the value, for the error
   * @throws ParleyException INVALID_ARGUMENT naming {@code name} if the text does not fit the field
   */
  Object parse(FieldDescriptor field, String text, String name) {
    try {
      return switch (field.getJavaType()) {
        case STRING -> text;
        case BOOLEAN -> parseBoolean(text);
        case INT -> parseInt(field, text);
        case LONG -> parseLong(field, text);
        case FLOAT -> Float.parseFloat(text.strip());
        case DOUBLE -> Double.parseDouble(text.strip());
        case BYTE_STRING -> ByteString.copyFrom(decodeBase64(text));
        case ENUM -> parseEnum(field, text);
        case MESSAGE -> parseMessage(field, text);
      };
    } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
      throw ParleyException.invalidField(name, "'" + abbreviate(text) + "' is not a valid " + typeName(field));
    }
  }

  private Object parseMessage(FieldDescriptor field, String text) throws InvalidProtocolBufferException {
    if (!WellKnownTypes.hasStringForm(field.getMessageType())) {
      throw new IllegalArgumentException("not a scalar");
    }
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(field.getMessageType());
    parser.merge(new JsonPrimitive(text).toString(), builder);
    return builder.build();
  }

  private static boolean parseBoolean(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  private static int parseInt(FieldDescriptor field, String text) {
    return switch (field.getType()) {
      case UINT32, FIXED32 -> Integer.parseUnsignedInt(text);
      default -> Integer.parseInt(text);
    };
  }

  private static long parseLong(FieldDescriptor field, String text) {
    return switch (field.getType()) {
      case UINT64, FIXED64 -> Long.parseUnsignedLong(text);
      default -> Long.parseLong(text);
    };
  }

  private static EnumValueDescriptor parseEnum(FieldDescriptor field, String text) {
    EnumValueDescriptor value = field.getEnumType().findValueByName(text);
    if (value != null) {
      return value;
    }
    int number = Integer.parseInt(text);
    value = field.getEnumType().findValueByNumber(number);
    if (value == null) {
      throw new IllegalArgumentException("no such enum value");
    }
    return value;
  }

  private static byte[] decodeBase64(String text) {
    return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
        ? Base64.getUrlDecoder().decode(text)
        : Base64.getDecoder().decode(text);
  }

  private static String typeName(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case ENUM -> field.getEnumType().getName() + " (a name or number)";
      case MESSAGE -> field.getMessageType().getFullName();
      case BYTE_STRING -> "base64 value";
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
