package io.parley.gateway;

import com.google.protobuf.Descriptors.Descriptor;
import java.util.Set;

/** The {@code google.protobuf} types whose proto3 JSON form is not a plain object of their fields. */
final class WellKnownTypes {
  static final String ANY = "google.protobuf.Any";
  static final String TIMESTAMP = "google.protobuf.Timestamp";
  static final String DURATION = "google.protobuf.Duration";
  static final String FIELD_MASK = "google.protobuf.FieldMask";
  static final String STRUCT = "google.protobuf.Struct";
  static final String VALUE = "google.protobuf.Value";
  static final String LIST_VALUE = "google.protobuf.ListValue";
  static final String EMPTY = "google.protobuf.Empty";

  /** Wrapper types: JSON is the wrapped value, or null. */
  static final Set<String> WRAPPERS = Set.of(
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue");

  private static final Set<String> STRING_FORM = Set.of(TIMESTAMP, DURATION, FIELD_MASK);
  private static final Set<String> SPECIAL = Set.of(ANY, TIMESTAMP, DURATION, FIELD_MASK, STRUCT, VALUE, LIST_VALUE);

  private WellKnownTypes() {}

  /** Whether the type's JSON is not an object of its fields (so unknown-field checks stop there). */
  static boolean isSpecial(Descriptor type) {
    return SPECIAL.contains(type.getFullName()) || WRAPPERS.contains(type.getFullName());
  }

  /** Whether a value of the type can be written as one string: in a path segment or a query parameter. */
  static boolean hasStringForm(Descriptor type) {
    return STRING_FORM.contains(type.getFullName()) || WRAPPERS.contains(type.getFullName());
  }
}
