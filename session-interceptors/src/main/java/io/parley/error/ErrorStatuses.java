package io.parley.error;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RequestInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Locale;

/**
 * Renders a {@link ParleyException} as the status a client receives: the code from its reason, its
 * message as the description, and {@code google.rpc.Status} details {@code ErrorInfo} (reason,
 * domain {@value ErrorReasons#DOMAIN}, metadata), {@code RequestInfo}, {@code BadRequest} when
 * fields are invalid, {@code RetryInfo} when the client should wait, and {@code LocalizedMessage}.
 */
public final class ErrorStatuses {
  private ErrorStatuses() {}

  /** The {@code google.rpc.Status} for an error; nothing of its cause is included. */
  public static com.google.rpc.Status toRpcStatus(ParleyException error, String requestId, Locale locale) {
    requireNonNull(error, "error");
    requireNonNull(locale, "locale");
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(ErrorReasons.code(error.reason()).value())
            .setMessage(error.getMessage())
            .addDetails(Any.pack(ErrorInfo.newBuilder()
                .setReason(error.reason().name())
                .setDomain(ErrorReasons.DOMAIN)
                .putAllMetadata(error.metadata())
                .build()));
    if (requestId != null) {
      status.addDetails(Any.pack(RequestInfo.newBuilder().setRequestId(requestId).build()));
    }
    if (!error.violations().isEmpty()) {
      BadRequest.Builder badRequest = BadRequest.newBuilder();
      error.violations().forEach(v -> badRequest.addFieldViolationsBuilder()
          .setField(v.field())
          .setDescription(v.description()));
      status.addDetails(Any.pack(badRequest.build()));
    }
    if (error.retryAfter() != null) {
      status.addDetails(Any.pack(RetryInfo.newBuilder()
          .setRetryDelay(com.google.protobuf.Duration.newBuilder()
              .setSeconds(error.retryAfter().getSeconds())
              .setNanos(error.retryAfter().getNano()))
          .build()));
    }
    status.addDetails(Any.pack(LocalizedMessage.newBuilder()
        .setLocale(locale.toLanguageTag())
        .setMessage(LocalizedMessages.message(error.reason(), locale, error.metadata()))
        .build()));
    return status.build();
  }

  /**
   * The error as a {@link StatusRuntimeException} whose trailers carry the details, e.g. to close a
   * call with {@code call.close(e.getStatus(), e.getTrailers())}.
   */
  public static StatusRuntimeException toStatusException(ParleyException error, String requestId, Locale locale) {
    return StatusProto.toStatusRuntimeException(toRpcStatus(error, requestId, locale), new Metadata());
  }

  /** Whether {@code trailers} already carry Parley error details (an error mapped upstream). */
  public static boolean hasParleyDetails(Status status, Metadata trailers) {
    com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
    if (details == null) {
      return false;
    }
    for (Any any : details.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        try {
          return ErrorReasons.DOMAIN.equals(any.unpack(ErrorInfo.class).getDomain());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          return false;
        }
      }
    }
    return false;
  }
}
