package io.parley.error;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one exception type Parley handlers throw for an expected failure.
 *
 * <p>It carries an {@link ErrorReason} (which fixes the gRPC status code), a message that is safe to
 * send to the client, and optionally metadata, field violations and a retry delay. {@link
 * ExceptionMappingServerInterceptor} turns it into a status with {@code google.rpc.ErrorInfo} and
 * friends. Nothing else about the exception (its cause, its stack) reaches the client.
 *
 * <p>Stack traces are not captured: these exceptions are control flow for expected outcomes (a bad
 * token, a missing user), and capturing them would cost more than the call. The cause, if any, is
 * kept for the server log.
 */
public final class ParleyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorReason reason;
  private final Map<String, String> metadata;
  private final List<FieldViolation> violations;
  private final Duration retryAfter;

  /** An error with a reason and a client-safe message. */
  public ParleyException(ErrorReason reason, String message) {
    this(builder(reason).message(message));
  }

  private ParleyException(Builder builder) {
    super(builder.message, builder.cause, false, false);
    this.reason = builder.reason;
    this.metadata = Map.copyOf(builder.metadata);
    this.violations = List.copyOf(builder.violations);
    this.retryAfter = builder.retryAfter;
  }

  /** Starts an error with the given reason; the message defaults to the reason's name. */
  public static Builder builder(ErrorReason reason) {
    return new Builder(reason);
  }

  /** An INVALID_ARGUMENT error naming a single field. */
  public static ParleyException invalidField(String field, String description) {
    return builder(ErrorReason.INVALID_ARGUMENT)
        .message(field + ": " + description)
        .violation(field, description)
        .build();
  }

  public ErrorReason reason() {
    return reason;
  }

  /** Metadata for {@code ErrorInfo.metadata}; never null, possibly empty. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Field violations for {@code google.rpc.BadRequest}; never null, possibly empty. */
  public List<FieldViolation> violations() {
    return violations;
  }

  /** How long the client should wait before retrying, sent as {@code RetryInfo}; may be null. */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String toString() {
    return "ParleyException{" + reason + ": " + getMessage() + (metadata.isEmpty() ? "" : " " + metadata) + "}";
  }

  /** Builds a {@link ParleyException}. Not thread-safe. */
  public static final class Builder {
    private final ErrorReason reason;
    private String message;
    private Throwable cause;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<FieldViolation> violations = new ArrayList<>();
    private Duration retryAfter;

    private Builder(ErrorReason reason) {
      this.reason = requireNonNull(reason, "reason");
      this.message = reason.name();
    }

    /** The message sent as the status description; it must be safe for clients. */
    public Builder message(String message) {
      this.message = requireNonNull(message, "message");
      return this;
    }

    /** The underlying cause, logged on the server and never sent to the client. */
    public Builder cause(Throwable cause) {
      this.cause = cause;
      return this;
    }

    /** An entry of {@code ErrorInfo.metadata}; also fills {@code {key}} in localized messages. */
    public Builder metadata(String key, String value) {
      metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    public Builder violation(String field, String description) {
      violations.add(new FieldViolation(field, description));
      return this;
    }

    public Builder violations(List<FieldViolation> violations) {
      this.violations.addAll(violations);
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      if (retryAfter != null && retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
      }
      this.retryAfter = retryAfter;
      return this;
    }

    public ParleyException build() {
      return new ParleyException(this);
    }
  }
}
