package io.parley.tls;

import java.util.Locale;

/** Whether a TLS server asks its clients for a certificate signed by the CA (mutual TLS). */
public enum ClientAuth {
  /** No client certificate is asked for: the server proves who it is, the client does not. */
  NONE,
  /**
   * A client certificate is asked for and, when one is presented, must be signed by the CA or the
   * handshake fails; calls to INTERNAL methods need one, other methods do not (for tools and
   * clients that hold no certificate).
   */
  OPTIONAL,
  /** Every client must present a certificate signed by the CA, or the handshake fails. */
  REQUIRE;

  /**
   * The value named {@code none}, {@code optional} or {@code require}, in any case.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static ClientAuth parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("client auth must be none, optional or require, not '" + name + "'", e);
    }
  }
}
