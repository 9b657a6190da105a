package io.parley.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import org.slf4j.MDC;

/**
 * The outermost interceptor but tracing: gives every call a request id (the client's {@code x-request-id} if
 * it is 1-128 visible ASCII characters, a new one otherwise), puts it in the call's {@link Context}
 * for {@link RequestIds#current()}, and echoes it in the response headers, or in the trailers of a
 * call that ends without headers. While the call's interceptors and handler run (each callback of
 * the call, on whichever thread), the id is also in the logging {@link MDC} under {@value
 * #MDC_KEY}, so that every log line they write carries it (the JSON log format prints the MDC).
 * When the call is traced (an OpenTelemetry span is current as the call starts: the tracing
 * interceptor runs outside this one), its trace and span ids are in the MDC the same way (see
 * {@link LogFields}); an untraced call has neither.
 * Thread-safe.
 */
public final class RequestIdServerInterceptor implements ServerInterceptor {
  /** The MDC key of the request id. */
  public static final String MDC_KEY = LogFields.REQUEST_ID;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String sent = headers.get(RequestIds.METADATA_KEY);
    String requestId = RequestIds.isValid(sent) ? sent : RequestIds.newId();
    Context context = Context.current().withValue(RequestIds.CONTEXT_KEY, requestId);
    LogFields fields = LogFields.of(requestId, Span.current().getSpanContext());
    return fields.during(() -> new LoggingListener<>(
        Contexts.interceptCall(context, new EchoingCall<>(call, requestId), headers, next), fields));
  }

  /** Puts the call's log fields in the MDC around each callback, and restores what was there after. */
  private static final class LoggingListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
    private final LogFields fields;

    LoggingListener(ServerCall.Listener<ReqT> delegate, LogFields fields) {
      super(delegate);
      this.fields = fields;
    }

    @Override
    public void onMessage(ReqT message) {
      withFields(() -> super.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      withFields(super::onHalfClose);
    }

    @Override
    public void onCancel() {
      withFields(super::onCancel);
    }

    @Override
    public void onComplete() {
      withFields(super::onComplete);
    }

    @Override
    public void onReady() {
      withFields(super::onReady);
    }

    private void withFields(Runnable callback) {
      fields.run(callback);
    }
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
