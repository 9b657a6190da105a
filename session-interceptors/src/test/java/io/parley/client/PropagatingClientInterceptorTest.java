package io.parley.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.server.RequestIds;
import io.parley.session.Sessions;
import io.parley.testing.TestSessions;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream service calling a downstream one through {@link ParleyChannels}: the caller's token,
 * request id and deadline travel along; a call with service credentials carries those instead.
 */
class PropagatingClientInterceptorTest {
  private static Platform platform;
  private static ParleyServer upstream;
  private static ParleyServer downstream;
  private static ManagedChannel toDownstream;
  private static final List<Metadata> downstreamHeaders = new CopyOnWriteArrayList<>();
  private static final List<Deadline> downstreamDeadlines = new CopyOnWriteArrayList<>();
  private static final List<String> downstreamCallers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    platform = Platform.builder(TokenKeys.hmac("propagation-test-secret-32-bytes!!".getBytes(UTF_8))).build();
    toDownstream = ParleyChannels.forTarget("in-process:downstream");
    downstream = platform.serverBuilder().inProcess("downstream")
        .intercept(new Recorder())
        .addService(new UserServiceGrpc.UserServiceImplBase() {
          @Override
          public void getUser(GetUserRequest request, StreamObserver<User> response) {
            downstreamCallers.add(Sessions.current().userId());
            downstreamDeadlines.add(Context.current().getDeadline());
            response.onNext(User.newBuilder().setUserId(request.getUserId()).build());
            response.onCompleted();
          }
        })
        .addService(new FriendServiceGrpc.FriendServiceImplBase() {
          @Override
          public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
            downstreamCallers.add("service:" + Sessions.callingService());
            response.onNext(CheckRelationResponse.newBuilder().setFriends(true).build());
            response.onCompleted();
          }
        })
        .build().start();
    upstream = platform.serverBuilder().inProcess("upstream")
        .addService(new UserServiceGrpc.UserServiceImplBase() {
          @Override
          public void getMe(GetMeRequest request, StreamObserver<User> response) {
            User other = UserServiceGrpc.newBlockingStub(toDownstream)
                .getUser(GetUserRequest.newBuilder().setUserId("u-down").build());
            FriendServiceGrpc.newBlockingStub(toDownstream)
                .withCallCredentials(platform.serviceCredentials("message-svc"))
                .checkRelation(CheckRelationRequest.newBuilder().setUserIdA("a").setUserIdB("b").build());
            response.onNext(other);
            response.onCompleted();
          }
        })
        .build().start();
  }

  @AfterAll
  static void stop() {
    toDownstream.shutdownNow();
    upstream.close();
    downstream.close();
    platform.close();
  }

  @Test
  void tokenRequestIdAndDeadlineReachTheDownstreamService() {
    String authorization = TestSessions.login(platform, "u-alice", Terminal.WEB);
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    headers.put(RequestIds.METADATA_KEY, "trace-77");
    ManagedChannel channel = io.grpc.inprocess.InProcessChannelBuilder.forName("upstream").build();
    try {
      User user = UserServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(3, TimeUnit.SECONDS)
          .getMe(GetMeRequest.getDefaultInstance());

      assertThat(user.getUserId()).isEqualTo("u-down");
      assertThat(downstreamCallers).containsExactly("u-alice", "service:message-svc");
      Metadata userCall = downstreamHeaders.get(0);
      assertThat(userCall.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo(authorization);
      assertThat(userCall.get(RequestIds.METADATA_KEY)).isEqualTo("trace-77");
      assertThat(downstreamDeadlines.get(0)).isNotNull();
      assertThat(downstreamDeadlines.get(0).timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1L, 3000L);

      Metadata serviceCall = downstreamHeaders.get(1);
      assertThat(serviceCall.getAll(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
          .hasSize(1)
          .allSatisfy(value -> assertThat(value).isNotEqualTo(authorization));
      assertThat(serviceCall.get(RequestIds.METADATA_KEY)).isEqualTo("trace-77");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aPeerThatRefusesThisServicesCredentialNeverLogsTheUserOut() throws Exception {
    // A peer with other keys: it refuses this service's token (as after a botched key rotation).
    try (Platform stranger = Platform.builder(TokenKeys.hmac("a-different-secret-of-32-bytes-long".getBytes(UTF_8)))
            .build();
        ParleyServer peer = stranger.serverBuilder().inProcess("stranger")
            .addService(new FriendServiceGrpc.FriendServiceImplBase() {})
            .build().start();
        ParleyServer caller = platform.serverBuilder().inProcess("caller")
            .addService(new UserServiceGrpc.UserServiceImplBase() {
              @Override
              public void getMe(GetMeRequest request, StreamObserver<User> response) {
                ManagedChannel toStranger = ParleyChannels.forTarget("in-process:stranger");
                try {
                  FriendServiceGrpc.newBlockingStub(toStranger)
                      .withCallCredentials(platform.serviceCredentials("message-svc"))
                      .checkRelation(CheckRelationRequest.getDefaultInstance());
                } finally {
                  toStranger.shutdownNow();
                }
              }
            })
            .build().start()) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          TestSessions.login(platform, "u-bob", Terminal.WEB));
      ManagedChannel channel = io.grpc.inprocess.InProcessChannelBuilder.forName("caller").build();
      try {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UserServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .getMe(GetMeRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
            });
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static final class Recorder implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      downstreamHeaders.add(headers);
      return next.startCall(call, headers);
    }
  }
}
