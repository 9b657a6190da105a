package io.parley.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.IOException;
import java.util.List;

/**
 * Request messages with random field values, for any message type, from one seeded {@link
 * FuzzValues}: ids that exist and near misses, huge strings, numbers at the edges, enum numbers no
 * one declared, timestamps and durations out of range, and nested {@code google.protobuf.Struct}
 * content. Not thread-safe.
 */
final class RandomMessages {
  private static final int MAX_MESSAGE_DEPTH = 6;

  private final FuzzValues values;
  private final int maxStructDepth;

  /** @param maxStructDepth how deep Struct values nest at most */
  RandomMessages(FuzzValues values, int maxStructDepth) {
    this.values = values;
    this.maxStructDepth = maxStructDepth;
  }

  DynamicMessage message(Descriptor type) {
    return message(type, 0);
  }

  private DynamicMessage message(Descriptor type, int depth) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    if (depth > MAX_MESSAGE_DEPTH) {
      return builder.build();
    }
    for (FieldDescriptor field : type.getFields()) {
      if (!values.chance(0.65)) {
        continue;
      }
      if (field.isRepeated()) {
        boolean many = values.chance(0.03);
        int count = many ? values.between(50, 500) : values.between(0, 4);
        for (int i = 0; i < count; i++) {
          builder.addRepeatedField(field, value(field, depth, many));
        }
      } else {
        builder.setField(field, value(field, depth, false));
      }
    }
    FieldDescriptor username = type.findFieldByName("username");
    FieldDescriptor password = type.findFieldByName("password");
    String[] account = username != null && password != null ? values.credentials() : null;
    if (account != null) {
      // Past the password check, the rest of a login (device name, terminal ...) is exercised.
      builder.setField(username, account[0]).setField(password, account[1]);
    }
    return builder.build();
  }

  private Object value(FieldDescriptor field, int depth, boolean small) {
    return switch (field.getJavaType()) {
      case STRING -> FuzzValues.isIdField(field.getName()) && values.chance(0.7)
          ? values.idFor(field.getName())
          : small ? values.ascii(values.between(0, 30)) : values.string();
      case INT -> (int) values.number();
      case LONG -> values.number();
      case FLOAT -> values.pick(0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, (float) values.random().nextGaussian());
      case DOUBLE -> values.pick(0d, -1d, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, values.random().nextGaussian() * 1e12);
      case BOOLEAN -> values.chance(0.5);
      case BYTE_STRING -> {
        byte[] bytes = new byte[small ? values.between(0, 16) : values.pick(0, 1, 16, 1_000, values.between(10_000, 200_000))];
        values.random().nextBytes(bytes);
        yield ByteString.copyFrom(bytes);
      }
      case ENUM -> enumValue(field);
      case MESSAGE -> message(field, depth);
    };
  }

  private EnumValueDescriptor enumValue(FieldDescriptor field) {
    List<EnumValueDescriptor> known = field.getEnumType().getValues();
    if (values.chance(0.75)) {
      return values.pick(known);
    }
    return field.getEnumType().findValueByNumberCreatingIfUnknown(values.pick(-1, 99, 1_000_000, Integer.MIN_VALUE,
        Integer.MAX_VALUE, known.size()));
  }

  private DynamicMessage message(FieldDescriptor field, int depth) {
    Descriptor type = field.getMessageType();
    return switch (type.getFullName()) {
      case "google.protobuf.Timestamp", "google.protobuf.Duration" -> {
        DynamicMessage.Builder time = DynamicMessage.newBuilder(type);
        time.setField(type.findFieldByName("seconds"), values.chance(0.5)
            ? values.number() : (long) values.between(-1_000_000, 2_000_000_000));
        time.setField(type.findFieldByName("nanos"), values.chance(0.7) ? 0 : (int) values.number());
        yield time.build();
      }
      case "google.protobuf.Struct" -> convert(type, struct(values.chance(0.15)
          ? values.between(10, maxStructDepth) : values.between(0, 3)));
      case "google.protobuf.Value" -> convert(type, value(values.between(0, 3)));
      default -> message(type, depth + 1);
    };
  }

  /** A Struct nested {@code depth} levels, with a few more values at each. */
  private Struct struct(int depth) {
    Struct.Builder root = Struct.newBuilder();
    if (depth == 0) {
      for (int i = values.between(0, 3); i > 0; i--) {
        root.putFields(values.ascii(values.between(0, 6)), value(1));
      }
      return root.build();
    }
    root.putFields("k", Value.newBuilder().setStructValue(struct(depth - 1)).build());
    if (values.chance(0.3)) {
      root.putFields(values.ascii(values.between(1, 6)), value(0));
    }
    return root.build();
  }

  private Value value(int depth) {
    return switch (values.random().nextInt(depth > 0 ? 7 : 5)) {
      case 0 -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      case 1 -> Value.newBuilder().setBoolValue(values.chance(0.5)).build();
      // NaN and the infinities too, which once failed SendMessage INTERNAL (RealServicesFindingsTest).
      case 2 -> Value.newBuilder().setNumberValue(values.pick(Double.MAX_VALUE, 1e308, -0d, Double.MIN_VALUE,
          Double.NaN, Double.POSITIVE_INFINITY, (double) values.number())).build();
      case 3, 4 -> Value.newBuilder().setStringValue(values.string()).build();
      case 5 -> {
        ListValue.Builder list = ListValue.newBuilder();
        for (int i = values.between(0, 3); i > 0; i--) {
          list.addValues(value(depth - 1));
        }
        yield Value.newBuilder().setListValue(list).build();
      }
      default -> Value.newBuilder().setStructValue(struct(0)).build();
    };
  }

  /** {@code message} as a dynamic message of {@code type}, however deep it nests. */
  static DynamicMessage convert(Descriptor type, com.google.protobuf.Message message) {
    CodedInputStream in = message.toByteString().newCodedInput();
    in.setRecursionLimit(Integer.MAX_VALUE);
    try {
      return DynamicMessage.newBuilder(type).mergeFrom(in).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
