package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RequestInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ErrorStatuses;
import io.parley.error.ParleyException;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SubscribeRequest;
import io.parley.message.v1.Subscribed;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Global exception capture on an in-process server with the real interceptor chain. */
class ExceptionMappingServerInterceptorTest {
  private static final Metadata.Key<String> FAIL_IN = Metadata.Key.of("x-fail-in", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> LANGUAGE = Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);

  private static ParleyServer server;
  private static ManagedChannel channel;
  private ListAppender<ILoggingEvent> log;

  @BeforeAll
  static void start() {
    server = ParleyServer.builder()
        .inProcess("errors")
        .directExecutor()
        .withoutSessions()
        .intercept(new FailingInterceptor())
        .addService(new TestUserService())
        .addService(new TestMessageService())
        .build()
        .start();
    channel = InProcessChannelBuilder.forName("errors").directExecutor().build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    server.close();
  }

  @BeforeEach
  void captureLog() {
    log = new ListAppender<>();
    log.start();
    ((Logger) LoggerFactory.getLogger(ExceptionMappingServerInterceptor.class)).addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    ((Logger) LoggerFactory.getLogger(ExceptionMappingServerInterceptor.class)).detachAppender(log);
  }

  @Test
  void parleyExceptionBecomesItsCodeWithEveryDetail() {
    StatusRuntimeException e = failUnary("parley", headers("x-request-id", "req-123"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("slow down, alice");
    ErrorInfo info = detail(e, ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("LOGIN_THROTTLED");
    assertThat(info.getDomain()).isEqualTo("parley.io");
    assertThat(info.getMetadataMap()).containsEntry("username", "alice");
    assertThat(detail(e, RequestInfo.class).getRequestId()).isEqualTo("req-123");
    assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("password");
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(90);
    LocalizedMessage message = detail(e, LocalizedMessage.class);
    assertThat(message.getLocale()).isEqualTo("en");
    assertThat(message.getMessage()).isEqualTo("Too many failed sign-in attempts; please wait and retry.");
  }

  @Test
  void localizedMessageFollowsAcceptLanguage() {
    assertThat(detail(failUnary("parley", headers("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")), LocalizedMessage.class))
        .satisfies(m -> {
          assertThat(m.getLocale()).isEqualTo("zh-CN");
          assertThat(m.getMessage()).isEqualTo("登录失败次数过多，请稍后重试。");
        });
    assertThat(detail(failUnary("parley", headers("accept-language", "zh")), LocalizedMessage.class).getLocale())
        .isEqualTo("zh-CN");
    assertThat(detail(failUnary("parley", headers("accept-language", "fr-FR")), LocalizedMessage.class).getLocale())
        .isEqualTo("en");
    assertThat(detail(failUnary("parley", headers("accept-language", ";;;garbage")), LocalizedMessage.class).getLocale())
        .isEqualTo("en");
  }

  @Test
  void unexpectedExceptionBecomesInternalWithTheCauseOnlyInTheServerLog() {
    StatusRuntimeException e = failUnary("boom", headers("x-request-id", "req-boom"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("INTERNAL_ERROR");
    assertThat(detail(e, RequestInfo.class).getRequestId()).isEqualTo("req-boom");
    assertThat(StatusProto.fromThrowable(e).toString()).doesNotContain("s3cr3t").doesNotContain("IllegalStateException");
    assertThat(e.getTrailers().toString()).doesNotContain("s3cr3t");

    assertThat(log.list).anySatisfy(event -> {
      assertThat(event.getFormattedMessage()).contains("req-boom");
      assertThat(event.getThrowableProxy().getMessage()).contains("s3cr3t");
    });
  }

  @Test
  void plainStatusFromAHandlerKeepsItsCodeAndGetsTheCommonDetails() {
    StatusRuntimeException e = failUnary("plain", new Metadata());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("no such widget");
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("RESOURCE_NOT_FOUND");
  }

  @Test
  void downstreamParleyErrorKeepsItsReasonAndGetsThisCallsRequestId() {
    StatusRuntimeException e = failUnary("downstream", headers("x-request-id", "req-up"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("USER_NOT_FOUND");
    assertThat(detail(e, ErrorInfo.class).getMetadataMap()).containsEntry("user_id", "u404");
    assertThat(detail(e, RequestInfo.class).getRequestId()).isEqualTo("req-up");
  }

  @Test
  void errorForwardedFromAPeerIsRenderedAgainForThisCall() {
    StatusRuntimeException e = failUnary("forwarded", headers("accept-language", "zh-CN"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("USER_NOT_FOUND");
    assertThat(detail(e, RequestInfo.class).getRequestId()).isNotEqualTo("req-of-the-peer").hasSize(32);
    assertThat(detail(e, LocalizedMessage.class).getLocale()).isEqualTo("zh-CN");
    assertThat(StatusProto.fromThrowable(e).getDetailsCount()).as("one set of details, not two").isEqualTo(3);
  }

  @Test
  void downstreamUnavailableBecomesUpstreamUnavailable() {
    StatusRuntimeException e = failUnary("down", new Metadata());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("UPSTREAM_UNAVAILABLE");
  }

  @Test
  void exceptionThrownByAnInterceptorWhileStartingIsMapped() {
    StatusRuntimeException e = assertThrowsStatus(() -> UserServiceGrpc
        .newBlockingStub(with(channel, headers("x-fail-in", "start")))
        .getMe(GetMeRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("PERMISSION_DENIED");
  }

  @Test
  void exceptionThrownByAnInterceptorsListenerIsMapped() {
    StatusRuntimeException e = assertThrowsStatus(() -> UserServiceGrpc
        .newBlockingStub(with(channel, headers("x-fail-in", "half-close")))
        .getMe(GetMeRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
  }

  @Test
  void streamingHandlerErrorAfterSomeEventsArrivesWithDetails() {
    Iterator<Event> events = MessageServiceGrpc.newBlockingStub(with(channel, headers("x-fail-in", "stream-parley")))
        .subscribe(SubscribeRequest.getDefaultInstance());
    List<Event> received = new ArrayList<>();

    StatusRuntimeException e = assertThrowsStatus(() -> events.forEachRemaining(received::add));

    assertThat(received).hasSize(2);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(detail(e, ErrorInfo.class).getReason()).isEqualTo("SESSION_KICKED");
    assertThat(detail(e, RequestInfo.class).getRequestId()).hasSize(32);
  }

  @Test
  void streamingHandlerThatThrowsBecomesInternal() {
    Iterator<Event> events = MessageServiceGrpc.newBlockingStub(with(channel, headers("x-fail-in", "stream-throw")))
        .subscribe(SubscribeRequest.getDefaultInstance());

    StatusRuntimeException e = assertThrowsStatus(() -> events.forEachRemaining(ev -> {}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
  }

  @Test
  void requestIdIsEchoedInResponseHeadersAndGeneratedWhenAbsent() {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Channel capturing = ClientInterceptors.intercept(channel,
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));

    UserServiceGrpc.newBlockingStub(with(capturing, headers("x-request-id", "mine-1"))).getMe(GetMeRequest.getDefaultInstance());
    assertThat(responseHeaders.get().get(RequestIds.METADATA_KEY)).isEqualTo("mine-1");

    UserServiceGrpc.newBlockingStub(capturing).getMe(GetMeRequest.getDefaultInstance());
    assertThat(responseHeaders.get().get(RequestIds.METADATA_KEY)).matches("[0-9a-f]{32}");

    UserServiceGrpc.newBlockingStub(with(capturing, headers("x-request-id", "bad id with spaces")))
        .getMe(GetMeRequest.getDefaultInstance());
    assertThat(responseHeaders.get().get(RequestIds.METADATA_KEY)).matches("[0-9a-f]{32}");
  }

  @Test
  void requestIdReachesTheTrailersOfACallThatFailsBeforeHeaders() {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Channel capturing = ClientInterceptors.intercept(channel,
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));

    assertThrowsStatus(() -> UserServiceGrpc.newBlockingStub(with(capturing, headers("x-request-id", "fails-1")))
        .getUser(GetUserRequest.newBuilder().setUserId("boom").build()));

    assertThat(trailers.get().get(RequestIds.METADATA_KEY)).isEqualTo("fails-1");
  }

  // ---------------------------------------------------------------------------------------------

  private static StatusRuntimeException failUnary(String mode, Metadata headers) {
    return assertThrowsStatus(() -> UserServiceGrpc.newBlockingStub(with(channel, headers))
        .getUser(GetUserRequest.newBuilder().setUserId(mode).build()));
  }

  private static StatusRuntimeException assertThrowsStatus(Runnable call) {
    AtomicReference<StatusRuntimeException> caught = new AtomicReference<>();
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, caught::set);
    return caught.get();
  }

  private static Metadata headers(String name, String value) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    return headers;
  }

  private static Channel with(Channel channel, Metadata headers) {
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("status details of " + e).isNotNull();
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }

  /** Fails where the x-fail-in header says: while starting the call, or in its half-close. */
  static final class FailingInterceptor implements ServerInterceptor {
    static final Context.Key<String> MODE = Context.key("fail-in");

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      String mode = headers.get(FAIL_IN);
      if ("start".equals(mode)) {
        throw new ParleyException(ErrorReason.PERMISSION_DENIED, "refused by an interceptor");
      }
      ServerCall.Listener<ReqT> listener =
          Contexts.interceptCall(Context.current().withValue(MODE, mode), call, headers, next);
      if (!"half-close".equals(mode)) {
        return listener;
      }
      return new SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onHalfClose() {
          throw new IllegalStateException("an interceptor's listener broke");
        }
      };
    }
  }

  static final class TestUserService extends UserServiceGrpc.UserServiceImplBase {
    @Override
    public void getMe(GetMeRequest request, StreamObserver<User> response) {
      response.onNext(User.newBuilder().setUserId("me").build());
      response.onCompleted();
    }

    @Override
    public void getUser(GetUserRequest request, StreamObserver<User> response) {
      switch (request.getUserId()) {
        case "parley" -> throw ParleyException.builder(ErrorReason.LOGIN_THROTTLED)
            .message("slow down, alice")
            .metadata("username", "alice")
            .violation("password", "tried too often")
            .retryAfter(Duration.ofSeconds(90))
            .build();
        case "boom" -> throw new IllegalStateException("db password s3cr3t leaked into a message");
        case "plain" -> response.onError(Status.NOT_FOUND.withDescription("no such widget").asRuntimeException());
        case "downstream" -> throw ErrorStatuses.toStatusException(
            ParleyException.builder(ErrorReason.USER_NOT_FOUND).message("no user u404").metadata("user_id", "u404").build(),
            "req-down", Locale.ENGLISH);
        case "down" -> throw Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException();
        case "forwarded" -> response.onError(ErrorStatuses.toStatusException(
            ParleyException.builder(ErrorReason.USER_NOT_FOUND).message("no user u404").build(),
            "req-of-the-peer", Locale.ENGLISH));
        default -> {
          response.onNext(User.newBuilder().setUserId(request.getUserId()).build());
          response.onCompleted();
        }
      }
    }
  }

  static final class TestMessageService extends MessageServiceGrpc.MessageServiceImplBase {
    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Event> response) {
      String mode = FailingInterceptor.MODE.get();
      if ("stream-throw".equals(mode)) {
        throw new IllegalArgumentException("handler bug");
      }
      response.onNext(Event.newBuilder().setSubscribed(Subscribed.newBuilder().setSessionId("s1")).build());
      response.onNext(Event.newBuilder().setSubscribed(Subscribed.newBuilder().setSessionId("s1")).build());
      response.onError(new ParleyException(ErrorReason.SESSION_KICKED, "replaced by a newer login"));
    }
  }

}
