package io.parley.server;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.parley.error.ErrorMapping;
import io.parley.error.ErrorReasons;
import io.parley.error.ErrorStatuses;
import io.parley.error.LocalizedMessages;
import io.parley.error.ParleyException;
import io.parley.common.v1.ErrorReason;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global exception capture. Whatever escapes a handler or an interceptor inside this one, in unary
 * and streaming calls alike, closes the call with a status built by {@link ErrorStatuses}: the code
 * of the error's reason and {@code ErrorInfo}, {@code RequestInfo}, {@code BadRequest}, {@code
 * RetryInfo} and a {@code LocalizedMessage} in the language of the {@code accept-language}
 * metadata.
 *
 * <p>It catches:
 *
 * <ul>
 *   <li>exceptions thrown by {@code next.startCall}, i.e. by inner interceptors while setting up;
 *   <li>exceptions thrown from any listener callback ({@code onMessage}, {@code onHalfClose}, ...);
 *   <li>a handler's own {@code close} with a non-OK status, e.g. {@code
 *       responseObserver.onError(new ParleyException(...))} in a streaming handler, a plain {@code
 *       Status}, or an error forwarded from a peer service (rendered again with this call's request
 *       id and language, keeping its reason).
 * </ul>
 *
 * <p>Anything the {@link ErrorMapping} does not know becomes INTERNAL "internal error"; its cause
 * and stack trace go to the server log with the request id, never to the client. Thread-safe.
 */
public final class ExceptionMappingServerInterceptor implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(ExceptionMappingServerInterceptor.class);

  static final Metadata.Key<String> ACCEPT_LANGUAGE =
      Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);

  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final ErrorMapping mapping;

  public ExceptionMappingServerInterceptor() {
    this(ErrorMapping.defaults());
  }

  public ExceptionMappingServerInterceptor(ErrorMapping mapping) {
    this.mapping = requireNonNull(mapping, "mapping");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MappingCall<ReqT, RespT> mappingCall =
        new MappingCall<>(call, RequestIds.current(), headers.get(ACCEPT_LANGUAGE));
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(mappingCall, headers);
    } catch (RuntimeException | Error e) {
      mappingCall.fail(e);
      rethrowIfFatal(e);
      return new ServerCall.Listener<>() {};
    }
    return new MappingListener<>(listener, mappingCall);
  }

  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError error) {
      throw error;
    }
  }

  /** Closes the call with a mapped status, at most once, whoever asks first. */
  private final class MappingCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final String requestId;
    private final String acceptLanguage;
    private final AtomicBoolean closed = new AtomicBoolean();

    MappingCall(ServerCall<ReqT, RespT> delegate, String requestId, String acceptLanguage) {
      super(delegate);
      this.requestId = requestId;
      this.acceptLanguage = acceptLanguage;
    }

    boolean isClosed() {
      return closed.get();
    }

    /** Closes the call for a thrown exception; a no-op if the call is already closed. */
    void fail(Throwable t) {
      if (closed.compareAndSet(false, true)) {
        closeMapped(mapping.map(t), t, new Metadata());
      } else {
        logger.warn("{} threw after the call was closed [request_id={}]", methodName(), requestId, t);
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!closed.compareAndSet(false, true)) {
        logger.debug("{} closed twice [request_id={}], ignoring {}", methodName(), requestId, status);
        return;
      }
      if (status.isOk()) {
        super.close(status, trailers);
        return;
      }
      // Whatever the handler closed with is rendered again for this call: its own request id and
      // language, even for an error forwarded from a peer service.
      Metadata original = new Metadata();
      original.merge(trailers);
      trailers.discardAll(STATUS_DETAILS);
      if (status.getCause() != null) {
        closeMapped(mapping.map(status.getCause()), status.getCause(), trailers);
        return;
      }
      StatusRuntimeException plain = new StatusRuntimeException(status, original);
      if (original.containsKey(STATUS_DETAILS)) {
        closeMapped(mapping.map(plain), plain, trailers);
        return;
      }
      // A plain status chosen by a handler (Status.NOT_FOUND.withDescription(...)): keep its code
      // and description where a generic reason fits, and add the common details.
      ErrorReason reason = ErrorReasons.genericReason(status.getCode());
      ParleyException mapped = reason == null
          ? mapping.map(plain)
          : ParleyException.builder(reason)
              .message(status.getDescription() == null ? status.getCode().name() : status.getDescription())
              .build();
      closeMapped(mapped, plain, trailers);
    }

    private void closeMapped(ParleyException mapped, Throwable original, Metadata trailers) {
      log(mapped, original);
      Locale locale = LocalizedMessages.select(acceptLanguage);
      StatusRuntimeException rendered = ErrorStatuses.toStatusException(mapped, requestId, locale);
      trailers.merge(rendered.getTrailers());
      try {
        super.close(rendered.getStatus(), trailers);
      } catch (IllegalStateException e) {
        // The transport closed the call first (e.g. the client cancelled): nothing left to tell.
        logger.debug("{} could not be closed [request_id={}]", methodName(), requestId, e);
      }
    }

    private void log(ParleyException mapped, Throwable original) {
      if (ErrorMapping.isUnexpected(mapped)) {
        logger.error("{} failed unexpectedly [request_id={}]", methodName(), requestId, original);
      } else if (ErrorReasons.code(mapped.reason()) == Status.Code.UNAVAILABLE
          || ErrorReasons.code(mapped.reason()) == Status.Code.INTERNAL) {
        logger.warn("{} failed: {} {} [request_id={}]", methodName(), mapped.reason(), mapped.getMessage(), requestId,
            mapped.getCause() != null ? mapped.getCause() : original);
      } else {
        logger.debug("{} failed: {} {} [request_id={}]", methodName(), mapped.reason(), mapped.getMessage(), requestId);
      }
    }

    private String methodName() {
      return getMethodDescriptor().getFullMethodName();
    }
  }

  private static final class MappingListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
    private final MappingCall<ReqT, ?> call;

    MappingListener(ServerCall.Listener<ReqT> delegate, MappingCall<ReqT, ?> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(ReqT message) {
      if (call.isClosed()) {
        return;
      }
      try {
        super.onMessage(message);
      } catch (RuntimeException | Error e) {
        call.fail(e);
        rethrowIfFatal(e);
      }
    }

    @Override
    public void onHalfClose() {
      if (call.isClosed()) {
        return;
      }
      try {
        super.onHalfClose();
      } catch (RuntimeException | Error e) {
        call.fail(e);
        rethrowIfFatal(e);
      }
    }

    @Override
    public void onReady() {
      if (call.isClosed()) {
        return;
      }
      try {
        super.onReady();
      } catch (RuntimeException | Error e) {
        call.fail(e);
        rethrowIfFatal(e);
      }
    }

    @Override
    public void onCancel() {
      try {
        super.onCancel();
      } catch (RuntimeException | Error e) {
        logger.warn("onCancel of {} threw", call.methodName(), e);
        rethrowIfFatal(e);
      }
    }

    @Override
    public void onComplete() {
      try {
        super.onComplete();
      } catch (RuntimeException | Error e) {
        logger.warn("onComplete of {} threw", call.methodName(), e);
        rethrowIfFatal(e);
      }
    }
  }
}
