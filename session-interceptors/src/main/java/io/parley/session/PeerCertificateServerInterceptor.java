package io.parley.session;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.tls.PeerIdentities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer's identity from its TLS client certificate, for a server that serves TLS: the identity
 * (see {@link PeerIdentities}) of a certificate the handshake verified is in {@link
 * Sessions#peerIdentity()} for the interceptors inside this one and the handler.
 *
 * <p>When client certificates are in use ({@code requireForInternal}), a call to an INTERNAL method
 * must come from such a peer, on top of the service credential that {@link
 * SessionServerInterceptor} checks: one without fails PERMISSION_DENIED with
 * PEER_CERTIFICATE_REQUIRED. Runs outside {@link SessionServerInterceptor}. Thread-safe.
 */
public final class PeerCertificateServerInterceptor implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(PeerCertificateServerInterceptor.class);

  private final boolean requireForInternal;
  private final AuthLevels authLevels = new AuthLevels();

  /** @param requireForInternal whether INTERNAL methods need a verified client certificate */
  public PeerCertificateServerInterceptor(boolean requireForInternal) {
    this.requireForInternal = requireForInternal;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String peer = PeerIdentities.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (peer == null) {
      if (requireForInternal && authLevels.of(call.getMethodDescriptor()) == AuthLevel.INTERNAL) {
        logger.debug("refused {} from {}: internal methods need a verified client certificate",
            call.getMethodDescriptor().getFullMethodName(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        throw new ParleyException(ErrorReason.PEER_CERTIFICATE_REQUIRED,
            call.getMethodDescriptor().getFullMethodName() + " is internal: it needs a client certificate signed by "
                + "the deployment's CA");
      }
      return next.startCall(call, headers);
    }
    logger.debug("{} called by the peer {}", call.getMethodDescriptor().getFullMethodName(), peer);
    return Contexts.interceptCall(Context.current().withValue(Sessions.PEER, peer), call, headers, next);
  }
}
