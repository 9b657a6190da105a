package io.parley.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the call's client address in its {@link Context} for {@link ClientAddresses#current()}, by
 * the rule written there. A call that carries {@code x-forwarded-for} from a peer that is not
 * trusted is served as from that peer, with a WARN at most every ten minutes (a proxy missing from
 * the trusted list makes every client behind it share one address's limits). Thread-safe.
 */
final class ClientAddressServerInterceptor implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(ClientAddressServerInterceptor.class);
  private static final long WARN_EVERY_NANOS = 10L * 60 * 1_000_000_000;

  private final TrustedProxies trusted;
  private volatile long nextWarnNanos = System.nanoTime();

  ClientAddressServerInterceptor(TrustedProxies trusted) {
    this.trusted = requireNonNull(trusted, "trusted");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Iterable<String> forwardedFor = headers.getAll(ClientAddresses.X_FORWARDED_FOR);
    InetAddress client = ClientAddresses.resolve(peer, forwardedFor, trusted);
    if (forwardedFor != null && peer instanceof InetSocketAddress inet && inet.getAddress() != null
        && !trusted.trusts(inet.getAddress())) {
      warnUntrusted(inet.getAddress());
    }
    return Contexts.interceptCall(ClientAddresses.withAddress(Context.current(), client), call, headers, next);
  }

  private void warnUntrusted(InetAddress peer) {
    long now = System.nanoTime();
    if (now - nextWarnNanos < 0) {
      return;
    }
    nextWarnNanos = now + WARN_EVERY_NANOS;
    logger.warn("x-forwarded-for from {} ignored: it is not a trusted proxy ({}). If it is the REST gateway or "
        + "another proxy, add its addresses to the trusted proxies, or every client behind it shares its limits",
        peer.getHostAddress(), trusted);
  }
}
