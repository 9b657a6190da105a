package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What a client sees of a failed call: the status code and the Parley error details. */
final class Errors {
  private Errors() {}

  /** Runs {@code call}, which must fail with {@code code} and {@code reason}; returns the failure. */
  static Throwable assertFails(ThrowingCallable call, Status.Code code, ErrorReason reason) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("the call fails").isNotNull();
    assertStatus(thrown, code, reason);
    return thrown;
  }

  static void assertStatus(Throwable thrown, Status.Code code, ErrorReason reason) {
    assertThat(Status.fromThrowable(thrown).getCode()).as("status of %s", thrown).isEqualTo(code);
    assertThat(errorInfo(thrown).getReason()).as("reason of %s", thrown).isEqualTo(reason.name());
    assertThat(errorInfo(thrown).getDomain()).isEqualTo("parley.io");
  }

  static ErrorInfo errorInfo(Throwable thrown) {
    com.google.rpc.Status status = StatusProto.fromThrowable(thrown);
    assertThat(status).as("google.rpc.Status details of %s", thrown).isNotNull();
    return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst()
        .map(d -> unpack(d, ErrorInfo.class))
        .orElseThrow(() -> new AssertionError("no ErrorInfo in " + thrown));
  }

  /** The RetryInfo detail, which must be there. */
  static RetryInfo retryInfo(Throwable thrown) {
    com.google.rpc.Status status = StatusProto.fromThrowable(thrown);
    assertThat(status).as("google.rpc.Status details of %s", thrown).isNotNull();
    return status.getDetailsList().stream().filter(d -> d.is(RetryInfo.class)).findFirst()
        .map(d -> unpack(d, RetryInfo.class))
        .orElseThrow(() -> new AssertionError("no RetryInfo in " + thrown));
  }

  /** The fields named by the BadRequest detail. */
  static List<String> violatedFields(Throwable thrown) {
    com.google.rpc.Status status = StatusProto.fromThrowable(thrown);
    return status.getDetailsList().stream().filter(d -> d.is(BadRequest.class))
        .flatMap(d -> unpack(d, BadRequest.class).getFieldViolationsList().stream())
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
