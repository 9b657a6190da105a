package io.parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.parley.common.v1.Terminal;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.UserServiceGrpc;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Client-side helpers for the end-to-end tests: plain channels, tokens as metadata, error reasons. */
final class Clients {
  private Clients() {}

  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  static <S extends AbstractStub<S>> S as(S stub, String token) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** Registers {@code username} and logs it in on the web terminal. */
  static LoginResponse signUp(ManagedChannel users, String username) {
    UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(users);
    stub.register(RegisterRequest.newBuilder().setUsername(username).setPassword("correct horse battery").build());
    return stub.login(LoginRequest.newBuilder().setUsername(username).setPassword("correct horse battery")
        .setTerminal(Terminal.WEB).setDeviceName("test").build());
  }

  static void assertFails(ThrowingCallable call, Status.Code code, String reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(reasonOf(e)).isEqualTo(reason);
    });
  }

  static String reasonOf(StatusRuntimeException e) {
    return StatusProto.fromThrowable(e).getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(any -> {
          try {
            return any.unpack(ErrorInfo.class).getReason();
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .findFirst()
        .orElseThrow();
  }
}
