package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What a client sees of a failed call: code, ErrorInfo reason, BadRequest fields, RetryInfo. */
final class RpcErrors {
  private RpcErrors() {}

  /** Runs {@code call}, asserts it fails with {@code code} and {@code reason}, and returns the failure. */
  static StatusRuntimeException assertFails(ThrowingCallable call, Status.Code code, ErrorReason reason) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("the call should fail with %s %s", code, reason).isNotNull();
    assertThat(e.getStatus().getCode()).as("status code of %s", e.getStatus()).isEqualTo(code);
    assertThat(reason(e)).as("ErrorInfo reason of %s", e.getStatus()).isEqualTo(reason.name());
    return e;
  }

  /** Asserts INVALID_ARGUMENT naming exactly {@code fields} in its BadRequest. */
  static StatusRuntimeException assertInvalid(ThrowingCallable call, String... fields) {
    StatusRuntimeException e = assertFails(call, Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(violatedFields(e)).containsExactlyInAnyOrder(fields);
    return e;
  }

  static String reason(StatusRuntimeException e) {
    ErrorInfo info = detail(e, ErrorInfo.class);
    return info == null ? null : info.getReason();
  }

  static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class);
  }

  static List<String> violatedFields(StatusRuntimeException e) {
    BadRequest badRequest = detail(e, BadRequest.class);
    List<String> fields = new ArrayList<>();
    if (badRequest != null) {
      badRequest.getFieldViolationsList().forEach(v -> fields.add(v.getField()));
    }
    return fields;
  }

  /** The RetryInfo delay, or null if there is none. */
  static Duration retryDelay(StatusRuntimeException e) {
    RetryInfo retry = detail(e, RetryInfo.class);
    return retry == null ? null
        : Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos());
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return null;
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError("undecodable " + type.getSimpleName(), ex);
        }
      }
    }
    return null;
  }
}
