package io.parley.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

/**
 * Sample messages with every field set to something other than its default (the first member of
 * each oneof), so that every JSON name a message can have shows up when it is printed.
 */
final class Samples {
  private static final int MAX_DEPTH = 6;

  private Samples() {}

  /** A filled message of the prototype's type. */
  static Message of(Message prototype) {
    Message.Builder builder = prototype.newBuilderForType();
    fill(builder, 0);
    return builder.build();
  }

  private static void fill(Message.Builder builder, int depth) {
    Descriptor type = builder.getDescriptorForType();
    switch (type.getFullName()) {
      case "google.protobuf.Timestamp" -> {
        builder.setField(type.findFieldByName("seconds"), 1_700_000_000L);
        return;
      }
      case "google.protobuf.Duration" -> {
        builder.setField(type.findFieldByName("seconds"), 90L);
        return;
      }
      case "google.protobuf.Struct" -> {
        builder.mergeFrom(Struct.newBuilder().putFields("k", Value.newBuilder().setStringValue("v").build()).build());
        return;
      }
      default -> { }
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getRealContainingOneof() != null && field.getRealContainingOneof().getField(0) != field) {
        continue;
      }
      if (field.isMapField()) {
        Message.Builder entry = builder.newBuilderForField(field);
        FieldDescriptor key = entry.getDescriptorForType().findFieldByName("key");
        FieldDescriptor value = entry.getDescriptorForType().findFieldByName("value");
        entry.setField(key, value(entry, key, depth));
        Object v = value(entry, value, depth);
        if (v != null) {
          entry.setField(value, v);
        }
        builder.addRepeatedField(field, entry.build());
        continue;
      }
      Object value = value(builder, field, depth);
      if (value == null) {
        continue;
      }
      if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
    }
  }

  private static Object value(Message.Builder builder, FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case STRING -> "s-" + field.getName();
      case INT -> 7;
      case LONG -> 7L;
      case FLOAT -> 1.5f;
      case DOUBLE -> 2.5;
      case BOOLEAN -> true;
      case BYTE_STRING -> ByteString.copyFromUtf8("bytes");
      case ENUM -> {
        EnumDescriptor type = field.getEnumType();
        yield type.getValues().get(Math.min(1, type.getValues().size() - 1));
      }
      case MESSAGE -> {
        if (depth >= MAX_DEPTH) {
          yield null;
        }
        Message.Builder inner = builder.newBuilderForField(field);
        fill(inner, depth + 1);
        yield inner.build();
      }
    };
  }
}
