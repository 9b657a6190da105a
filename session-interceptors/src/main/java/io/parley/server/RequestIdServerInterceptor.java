package io.parley.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The outermost interceptor: gives every call a request id (the client's {@code x-request-id} if
 * it is 1-128 visible ASCII characters, a new one otherwise), puts it in the call's {@link Context}
 * for {@link RequestIds#current()}, and echoes it in the response headers, or in the trailers of a
 * call that ends without headers. Thread-safe.
 */
public final class RequestIdServerInterceptor implements ServerInterceptor {
  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String sent = headers.get(RequestIds.METADATA_KEY);
    String requestId = RequestIds.isValid(sent) ? sent : RequestIds.newId();
    Context context = Context.current().withValue(RequestIds.CONTEXT_KEY, requestId);
    return Contexts.interceptCall(context, new EchoingCall<>(call, requestId), headers, next);
  }

  private static final class EchoingCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final String requestId;
    private volatile boolean headersSent;

    EchoingCall(ServerCall<ReqT, RespT> delegate, String requestId) {
      super(delegate);
      this.requestId = requestId;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headers.discardAll(RequestIds.METADATA_KEY);
      headers.put(RequestIds.METADATA_KEY, requestId);
      headersSent = true;
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent) {
        trailers.discardAll(RequestIds.METADATA_KEY);
        trailers.put(RequestIds.METADATA_KEY, requestId);
      }
      super.close(status, trailers);
    }
  }
}
