package io.parley.gateway;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.parley.error.ParleyException;
import java.util.List;
import java.util.Map;

/**
 * What every protobuf parser accepts, checked on a request message before it is sent, so that a
 * request no service could read is refused here, INVALID_ARGUMENT naming the field, instead of
 * failing INTERNAL in the service's parser: messages nested at most {@link #MAX_NESTING} levels
 * (protobuf's default recursion limit, which gRPC servers keep; a {@code google.protobuf.Struct}
 * spends three levels on each level of JSON), and {@code google.protobuf.Value} numbers that are
 * finite (JSON has none that are not; a number past the range of a double would become one).
 */
final class ProtoLimits {
  /** Levels of embedded messages (map entries included) that protobuf parsers read by default. */
  static final int MAX_NESTING = 100;

  private ProtoLimits() {}

  /**
   * Checks {@code message}, a request about to be sent.
   *
   * @throws ParleyException INVALID_ARGUMENT naming the field, by its proto path, where the
   *     message goes too deep or holds a number that is not finite
   */
  static void check(Message message) {
    check(message, 0, "");
  }

  private static void check(Message message, int level, String path) {
    if (message.getDescriptorForType().getFullName().equals(Value.getDescriptor().getFullName())) {
      FieldDescriptor number = message.getDescriptorForType().findFieldByName("number_value");
      if (message.hasField(number) && !Double.isFinite((Double) message.getField(number))) {
        throw ParleyException.invalidField(path, "not a finite number: JSON numbers must fit a double");
      }
    }
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      // Inside a well-known type (a Struct's entries and values), errors name the field that holds it.
      String fieldPath = isWellKnown(message) ? path : path.isEmpty() ? field.getName() : path + "." + field.getName();
      if (level + 1 > MAX_NESTING) {
        throw ParleyException.invalidField(fieldPath, "nested more than " + MAX_NESTING + " messages deep, "
            + "which protobuf cannot read (a JSON object inside a google.protobuf.Struct takes three)");
      }
      List<?> values = field.isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue());
      for (Object value : values) {
        check((Message) value, level + 1, fieldPath);
      }
    }
  }

  private static boolean isWellKnown(Message message) {
    String name = message.getDescriptorForType().getFullName();
    return name.startsWith("google.protobuf.") || message.getDescriptorForType().getOptions().getMapEntry();
  }
}
