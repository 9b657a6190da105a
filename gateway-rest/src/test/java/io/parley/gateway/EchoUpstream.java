package io.parley.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.gatewaytest.v1.EchoMessage;
import io.parley.gatewaytest.v1.EchoProto;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The EchoService of echo.proto as an upstream for the tests: every method answers with its
 * request. The request's {@code name} can ask for something else:
 *
 * <ul>
 *   <li>{@code fail:REASON}: throw a ParleyException with that reason;
 *   <li>{@code retry:REASON}: the same, with a RetryInfo of 1.5 s;
 *   <li>{@code status:CODE}: close with a plain status of that code;
 *   <li>{@code sleep:MILLIS}: answer after a while;
 *   <li>{@code headers}: answer with the metadata received, in {@code labels};
 *   <li>streams: send the request {@code count} times, then {@code hold} the stream open, end it
 *       with {@code fail:REASON}, or {@code flood} it with {@code count} 1 KiB messages as fast as
 *       flow control allows.
 * </ul>
 */
final class EchoUpstream implements BindableService {
  static final String SERVICE = "parley.gatewaytest.v1.EchoService";

  private static final Context.Key<Metadata> HEADERS = Context.key("echo-headers");

  /** Methods called, in order. */
  final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
  /** Ids of streams cancelled by the client. */
  final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
  /** Messages a flood stream has handed to gRPC. */
  final AtomicInteger floodSent = new AtomicInteger();

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "echo-upstream");
    thread.setDaemon(true);
    return thread;
  });

  @Override
  public ServerServiceDefinition bindService() {
    Descriptors.ServiceDescriptor proto = EchoProto.getDescriptor().findServiceByName("EchoService");
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(SERVICE);
    for (Descriptors.MethodDescriptor method : proto.getMethods()) {
      descriptor.addMethod(method(method));
    }
    ServiceDescriptor service = descriptor.build();
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
    for (MethodDescriptor<?, ?> generic : service.getMethods()) {
      @SuppressWarnings("unchecked")
      MethodDescriptor<EchoMessage, EchoMessage> method = (MethodDescriptor<EchoMessage, EchoMessage>) generic;
      String name = method.getBareMethodName();
      definition.addMethod(method, method.getType() == MethodDescriptor.MethodType.UNARY
          ? ServerCalls.asyncUnaryCall((request, response) -> unary(name, request, response))
          : ServerCalls.asyncServerStreamingCall(this::stream));
    }
    return ServerInterceptors.intercept(definition.build(), new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
      }
    });
  }

  void shutdown() {
    scheduler.shutdownNow();
  }

  private void unary(String method, EchoMessage request, StreamObserver<EchoMessage> response) {
    calls.add(method);
    String directive = request.getName();
    if (directive.startsWith("fail:")) {
      throw new ParleyException(ErrorReason.valueOf(directive.substring(5)), "failing as asked");
    }
    if (directive.startsWith("retry:")) {
      throw ParleyException.builder(ErrorReason.valueOf(directive.substring(6)))
          .message("slow down")
          .retryAfter(Duration.ofMillis(1500))
          .build();
    }
    if (directive.startsWith("status:")) {
      response.onError(Status.Code.valueOf(directive.substring(7)).toStatus().withDescription("plain failure")
          .asRuntimeException());
      return;
    }
    if (directive.startsWith("sleep:")) {
      scheduler.schedule(() -> {
        response.onNext(request);
        response.onCompleted();
      }, Long.parseLong(directive.substring(6)), TimeUnit.MILLISECONDS);
      return;
    }
    EchoMessage.Builder reply = request.toBuilder();
    if (directive.equals("headers")) {
      Metadata headers = HEADERS.get();
      for (String key : new String[] {"authorization", "accept-language", "x-request-id", "x-forwarded-for", "cookie"}) {
        String value = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (value != null) {
          reply.putLabels(key, value);
        }
      }
      Deadline deadline = Context.current().getDeadline();
      if (deadline != null) {
        reply.putLabels("deadline_ms", Long.toString(deadline.timeRemaining(TimeUnit.MILLISECONDS)));
      }
    }
    if (method.equals("EchoSpecial")) {
      reply.setPath("special");
    }
    response.onNext(reply.build());
    response.onCompleted();
  }

  private void stream(EchoMessage request, StreamObserver<EchoMessage> observer) {
    calls.add("EchoStream");
    ServerCallStreamObserver<EchoMessage> response = (ServerCallStreamObserver<EchoMessage>) observer;
    response.setOnCancelHandler(() -> cancelled.add(request.getId()));
    String directive = request.getName();
    if (directive.equals("flood")) {
      EchoMessage big = request.toBuilder().setData(ByteString.copyFrom(new byte[1024])).build();
      AtomicBoolean done = new AtomicBoolean();
      response.setOnReadyHandler(() -> {
        while (response.isReady() && floodSent.get() < request.getCount()) {
          response.onNext(big);
          floodSent.incrementAndGet();
        }
        if (floodSent.get() >= request.getCount() && done.compareAndSet(false, true)) {
          response.onCompleted();
        }
      });
      return;
    }
    for (int i = 0; i < request.getCount(); i++) {
      response.onNext(request.toBuilder().setSmall(i).build());
    }
    if (directive.equals("hold")) {
      return;
    }
    if (directive.startsWith("fail:")) {
      response.onError(new ParleyException(ErrorReason.valueOf(directive.substring(5)), "stream failing as asked"));
      return;
    }
    response.onCompleted();
  }

  private static MethodDescriptor<EchoMessage, EchoMessage> method(Descriptors.MethodDescriptor method) {
    return MethodDescriptor.<EchoMessage, EchoMessage>newBuilder()
        .setType(method.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(EchoMessage.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(EchoMessage.getDefaultInstance()))
        .setSchemaDescriptor(new Schema(method))
        .build();
  }

  /** Lets the session interceptor read each method's auth option, as generated stubs do. */
  private record Schema(Descriptors.MethodDescriptor method) implements ProtoMethodDescriptorSupplier {
    @Override
    public Descriptors.MethodDescriptor getMethodDescriptor() {
      return method;
    }

    @Override
    public Descriptors.ServiceDescriptor getServiceDescriptor() {
      return method.getService();
    }

    @Override
    public Descriptors.FileDescriptor getFileDescriptor() {
      return method.getFile();
    }
  }
}
