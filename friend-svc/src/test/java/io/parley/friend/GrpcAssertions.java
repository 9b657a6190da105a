package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What a gRPC client sees of a failed call: the status code and the Parley error details. */
final class GrpcAssertions {
  private GrpcAssertions() {}

  /** Asserts that {@code call} fails with {@code code} and {@code reason}; returns the details. */
  static com.google.rpc.Status assertFails(ThrowingCallable call, Status.Code code, ErrorReason reason) {
    AtomicReference<com.google.rpc.Status> details = new AtomicReference<>();
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as("status code").isEqualTo(code);
      com.google.rpc.Status status = StatusProto.fromThrowable(e);
      assertThat(status).as("google.rpc.Status details").isNotNull();
      ErrorInfo info = unpack(status, ErrorInfo.class);
      assertThat(info).as("ErrorInfo").isNotNull();
      assertThat(info.getDomain()).isEqualTo("parley.io");
      assertThat(info.getReason()).as("ErrorInfo.reason").isEqualTo(reason.name());
      details.set(status);
    });
    return details.get();
  }

  /** Asserts an INVALID_ARGUMENT whose BadRequest names exactly {@code fields}. */
  static void assertInvalid(ThrowingCallable call, ErrorReason reason, String... fields) {
    com.google.rpc.Status status = assertFails(call, Status.Code.INVALID_ARGUMENT, reason);
    assertThat(violatedFields(status)).containsExactlyInAnyOrder(fields);
  }

  static void assertInvalid(ThrowingCallable call, String... fields) {
    assertInvalid(call, ErrorReason.INVALID_ARGUMENT, fields);
  }

  static List<String> violatedFields(com.google.rpc.Status status) {
    BadRequest badRequest = unpack(status, BadRequest.class);
    List<String> fields = new ArrayList<>();
    if (badRequest != null) {
      badRequest.getFieldViolationsList().forEach(v -> fields.add(v.getField()));
    }
    return fields;
  }

  static ErrorInfo errorInfo(com.google.rpc.Status status) {
    return unpack(status, ErrorInfo.class);
  }

  /** The RetryInfo delay, or null if there is none. */
  static java.time.Duration retryDelay(com.google.rpc.Status status) {
    com.google.rpc.RetryInfo retry = unpack(status, com.google.rpc.RetryInfo.class);
    return retry == null ? null
        : java.time.Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos());
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.rpc.Status status, Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    return null;
  }
}
