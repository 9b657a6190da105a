package io.parley.gateway;

/**
 * One request in flight on a connection, from dispatch until its response has been written. Every
 * method runs on the connection's event loop (gRPC calls are given it as their executor), so an
 * exchange needs no locks.
 */
interface Exchange {
  /** Starts the work; the exchange answers through its {@link GatewayHandler} when done. */
  void start();

  /** The HTTP client went away: abandon the work (cancel the gRPC call) and write nothing. */
  void cancel();

  /** The gateway is closing: finish promptly. */
  void shutdown();

  /** The connection became writable or stopped being so. */
  default void writabilityChanged() {}
}
