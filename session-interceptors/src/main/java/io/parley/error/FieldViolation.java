package io.parley.error;

import static java.util.Objects.requireNonNull;

/**
 * One invalid field of a request, sent to the client as a {@code google.rpc.BadRequest.FieldViolation}.
 *
 * @param field the field's path in the request message, in proto names, e.g. {@code "group.name"}
 * @param description why the value is invalid, safe to show to the client
 */
public record FieldViolation(String field, String description) {
  public FieldViolation {
    requireNonNull(field, "field");
    requireNonNull(description, "description");
  }
}
