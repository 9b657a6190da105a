package io.parley.gateway;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.util.List;

/** Reads and writes fields of (dynamic) messages along field paths. */
final class Fields {
  private Fields() {}

  /** The field of {@code type} called {@code name}, by its JSON name or its proto name; null if none. */
  static FieldDescriptor byAnyName(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field != null) {
      return field;
    }
    for (FieldDescriptor candidate : type.getFields()) {
      if (candidate.getJsonName().equals(name)) {
        return candidate;
      }
    }
    return null;
  }

  /** The proto names of a field path joined with dots, e.g. {@code group.group_id}. */
  static String protoPath(List<FieldDescriptor> path) {
    StringBuilder out = new StringBuilder();
    for (FieldDescriptor field : path) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(field.getName());
    }
    return out.toString();
  }

  /** The JSON names of a field path joined with dots, e.g. {@code group.groupId}. */
  static String jsonPath(List<FieldDescriptor> path) {
    StringBuilder out = new StringBuilder();
    for (FieldDescriptor field : path) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(field.getJsonName());
    }
    return out.toString();
  }

  /**
   * The value at the end of {@code path} if it is set: present for a field with presence, not the
   * default for one without, non-empty for a repeated one; null otherwise.
   */
  static Object getIfSet(MessageOrBuilder message, List<FieldDescriptor> path) {
    MessageOrBuilder current = message;
    for (int i = 0; i < path.size(); i++) {
      FieldDescriptor field = path.get(i);
      boolean last = i == path.size() - 1;
      if (field.isRepeated()) {
        return last && current.getRepeatedFieldCount(field) > 0 ? current.getField(field) : null;
      }
      if (field.hasPresence() ? !current.hasField(field) : current.getField(field).equals(field.getDefaultValue())) {
        return null;
      }
      if (last) {
        return current.getField(field);
      }
      current = (Message) current.getField(field);
    }
    return null;
  }

  /** Sets (or, for a repeated field, appends) {@code value} at the end of {@code path}, creating messages on the way. */
  static void set(Message.Builder builder, List<FieldDescriptor> path, Object value) {
    set(builder, path, 0, value);
  }

  private static void set(Message.Builder builder, List<FieldDescriptor> path, int index, Object value) {
    FieldDescriptor field = path.get(index);
    if (index == path.size() - 1) {
      if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
      return;
    }
    Message.Builder child = ((Message) builder.getField(field)).toBuilder();
    set(child, path, index + 1, value);
    builder.setField(field, child.build());
  }
}
