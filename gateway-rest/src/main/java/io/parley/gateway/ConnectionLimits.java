package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What the gateway's connections may hold and how long they may take, validated by {@link
 * GatewayServer.Builder}.
 *
 * @param maxConnections connections open at once; more are answered 503 and closed
 * @param maxRequestBytes the largest request body
 * @param maxPipelinedRequests requests a connection holds behind the one in flight (reading pauses
 *     at the first, so only what one socket read brought can queue up); one more is answered 503
 *     and the connection closes after it
 * @param requestReadTimeout how long a request may take to arrive, from its first byte (or from
 *     the connection's opening) to the end of its body; else 408 and close
 * @param idleTimeout how long a connection may sit with no request in flight and no traffic, or
 *     with a response that the client does not read
 */
record ConnectionLimits(int maxConnections, int maxRequestBytes, int maxPipelinedRequests, Duration requestReadTimeout,
    Duration idleTimeout) {
  ConnectionLimits {
    requireNonNull(requestReadTimeout, "requestReadTimeout");
    requireNonNull(idleTimeout, "idleTimeout");
  }
}
