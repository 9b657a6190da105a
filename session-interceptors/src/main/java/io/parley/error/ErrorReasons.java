package io.parley.error;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.ErrorReasonProto;
import java.util.EnumMap;
import java.util.Map;

/**
 * The reason-to-code table, read once from the {@code (parley.common.v1.code)} option that every
 * {@link ErrorReason} value carries in {@code error_reason.proto}.
 */
public final class ErrorReasons {
  /** The {@code ErrorInfo.domain} of every Parley error. */
  public static final String DOMAIN = "parley.io";

  private static final Map<ErrorReason, Status.Code> CODES = new EnumMap<>(ErrorReason.class);

  static {
    for (ErrorReason reason : ErrorReason.values()) {
      if (reason == ErrorReason.UNRECOGNIZED) {
        continue;
      }
      com.google.rpc.Code code =
          reason.getValueDescriptor().getOptions().getExtension(ErrorReasonProto.code);
      CODES.put(reason, Status.fromCodeValue(code.getNumber()).getCode());
    }
  }

  private ErrorReasons() {}

  /** The gRPC status code for a reason; UNKNOWN for {@code UNRECOGNIZED}. */
  public static Status.Code code(ErrorReason reason) {
    return CODES.getOrDefault(reason, Status.Code.UNKNOWN);
  }

  /**
   * The generic reason for a bare status code, for a status that carries no reason of its own; null
   * for codes Parley never uses without a specific reason (UNKNOWN, UNAUTHENTICATED, DATA_LOSS, ...).
   */
  public static ErrorReason genericReason(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> ErrorReason.INVALID_ARGUMENT;
      case NOT_FOUND -> ErrorReason.RESOURCE_NOT_FOUND;
      case ALREADY_EXISTS -> ErrorReason.RESOURCE_ALREADY_EXISTS;
      case FAILED_PRECONDITION -> ErrorReason.FAILED_PRECONDITION;
      case ABORTED -> ErrorReason.ABORTED;
      case PERMISSION_DENIED -> ErrorReason.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED -> ErrorReason.RATE_LIMITED;
      case UNIMPLEMENTED -> ErrorReason.NOT_IMPLEMENTED;
      case UNAVAILABLE -> ErrorReason.UPSTREAM_UNAVAILABLE;
      case DEADLINE_EXCEEDED -> ErrorReason.DEADLINE_EXCEEDED;
      case CANCELLED -> ErrorReason.CANCELLED;
      default -> null;
    };
  }

  /** The reason named {@code name}, or {@code ERROR_REASON_UNSPECIFIED} if there is none. */
  public static ErrorReason fromName(String name) {
    try {
      return ErrorReason.valueOf(name);
    } catch (IllegalArgumentException | NullPointerException e) {
      return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
  }
}
