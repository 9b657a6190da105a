package io.parley.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ErrorReasons;
import io.parley.server.RequestIds;
import io.parley.session.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a service-to-service call act for the same caller as the call being served. From the
 * current call's {@link io.grpc.Context} it copies the {@code authorization} value, unless the
 * outgoing call carries its own {@link io.grpc.CallCredentials} (as calls to INTERNAL methods do,
 * with {@link ServiceTokenCredentials}), and the request id, as {@code x-request-id}, so that one id
 * follows the work across services. The deadline needs no copying: grpc-java already bounds a call
 * made inside a call's Context by that call's deadline.
 *
 * <p>A call made while serving another call, that carried this service's own {@link
 * ServiceTokenCredentials} and was refused for it (UNAUTHENTICATED, or SERVICE_CREDENTIAL_REQUIRED),
 * fails INTERNAL instead: the refusal is about this service's key or
 * clock, not the user's session, and must never reach the user as UNAUTHENTICATED, which clients
 * take as "log in again". (The upstream service re-renders every other downstream error in its own
 * caller's language.) Install it on every channel a service uses to reach another; {@link
 * ParleyChannels} does. Thread-safe.
 */
public final class PropagatingClientInterceptor implements ClientInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(PropagatingClientInterceptor.class);
  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    boolean ownCredentials = callOptions.getCredentials() != null;
    String authorization = ownCredentials ? null : Sessions.currentAuthorization();
    String requestId = RequestIds.current();
    // Inside a call being served, a refusal of this service's credential would be forwarded to
    // that call's user; elsewhere (a background job, a test client) the caller sees it as it is.
    boolean serviceCredentials = callOptions.getCredentials() instanceof ServiceTokenCredentials && requestId != null;
    return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        if (authorization != null && !headers.containsKey(BearerTokenCredentials.AUTHORIZATION)) {
          headers.put(BearerTokenCredentials.AUTHORIZATION, authorization);
        }
        if (requestId != null && !headers.containsKey(RequestIds.METADATA_KEY)) {
          headers.put(RequestIds.METADATA_KEY, requestId);
        }
        super.start(serviceCredentials ? new CredentialRefusals<>(responseListener, method) : responseListener, headers);
      }
    };
  }

  /** Turns a refusal of this service's own credential into INTERNAL, logged. */
  private static final class CredentialRefusals<RespT> extends SimpleForwardingClientCallListener<RespT> {
    private final MethodDescriptor<?, ?> method;

    CredentialRefusals(ClientCall.Listener<RespT> delegate, MethodDescriptor<?, ?> method) {
      super(delegate);
      this.method = method;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (status.getCode() == Status.Code.UNAUTHENTICATED || isServiceCredentialRequired(status, trailers)) {
        logger.error("{} refused this service's credential: {} {}; check that every service shares the "
            + "signing keys and that clocks agree", method.getFullMethodName(), status.getCode(), status.getDescription());
        trailers.discardAll(STATUS_DETAILS);
        super.onClose(Status.INTERNAL.withDescription("a peer service refused this service's credential"), trailers);
        return;
      }
      super.onClose(status, trailers);
    }

    private static boolean isServiceCredentialRequired(Status status, Metadata trailers) {
      if (status.getCode() != Status.Code.PERMISSION_DENIED) {
        return false;
      }
      com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromStatusAndTrailers(status, trailers);
      return details != null && details.getDetailsList().stream()
          .filter(any -> any.is(com.google.rpc.ErrorInfo.class))
          .anyMatch(any -> {
            try {
              com.google.rpc.ErrorInfo info = any.unpack(com.google.rpc.ErrorInfo.class);
              return ErrorReasons.DOMAIN.equals(info.getDomain())
                  && ErrorReason.SERVICE_CREDENTIAL_REQUIRED.name().equals(info.getReason());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              return false;
            }
          });
    }
  }
}
