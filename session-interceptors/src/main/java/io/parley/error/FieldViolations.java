package io.parley.error;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Collects the invalid fields of a request, so that one INVALID_ARGUMENT answer names all of them.
 *
 * <pre>{@code
 * FieldViolations violations = new FieldViolations();
 * violations.check(USERNAME.matcher(name).matches(), "username", "must be 3-32 of [a-z0-9_.]");
 * violations.check(password.length() >= 8, "password", "must be at least 8 characters");
 * violations.throwIfAny();
 * }</pre>
 *
 * <p>Not thread-safe; one instance per request.
 */
public final class FieldViolations {
  private final List<FieldViolation> violations = new ArrayList<>();

  /** Records a violation of {@code field} unless {@code valid}. Returns {@code valid}. */
  public boolean check(boolean valid, String field, String description) {
    if (!valid) {
      add(field, description);
    }
    return valid;
  }

  public FieldViolations add(String field, String description) {
    violations.add(new FieldViolation(requireNonNull(field, "field"), requireNonNull(description, "description")));
    return this;
  }

  public boolean isEmpty() {
    return violations.isEmpty();
  }

  /** Throws INVALID_ARGUMENT with a {@code BadRequest} listing every violation, if there is any. */
  public void throwIfAny() {
    if (violations.isEmpty()) {
      return;
    }
    String message =
        violations.stream().map(v -> v.field() + ": " + v.description()).collect(Collectors.joining("; "));
    throw ParleyException.builder(ErrorReason.INVALID_ARGUMENT).message(message).violations(violations).build();
  }
}
