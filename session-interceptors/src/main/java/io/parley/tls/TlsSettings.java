package io.parley.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a process finds its TLS material, as PEM files, and how it uses it. Immutable; the files
 * are read by {@link TlsCredentials#load}, not here.
 *
 * <ul>
 *   <li>With a certificate chain and its key, the process's servers (gRPC and the REST gateway)
 *       serve TLS with them, and its clients present them when a server asks (mutual TLS).
 *   <li>With a CA file, its clients verify the servers they call against that CA (and the host
 *       name they dial), and, when {@link #clientAuth()} is not NONE, its gRPC servers verify
 *       client certificates against it. Without one, clients trust the JVM's default CAs.
 *   <li>Either one turns TLS on for the process's outgoing gRPC calls.
 * </ul>
 *
 * @param certFile the PEM certificate chain, leaf first; null for none
 * @param keyFile the PEM (PKCS#8) private key of the chain's leaf; null exactly when certFile is
 * @param caFile the PEM CA certificates trusted; null to trust the JVM's default CAs
 * @param clientAuth whether the gRPC servers ask for client certificates
 * @param refreshInterval how often the files are checked for changes (renewed certificates are
 *     picked up without a restart); a minute at least. A renewal replaces both the certificate
 *     and the key file: grpc-java reloads them when both modification times have changed
 */
public record TlsSettings(Path certFile, Path keyFile, Path caFile, ClientAuth clientAuth, Duration refreshInterval) {
  /**
   * How often the files are checked by default, and at least: a minute, the shortest period
   * grpc-java's key and trust managers accept.
   */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(1);

  /**
   * Validates the combination.
   *
   * @throws IllegalArgumentException if only one of certFile and keyFile is given, neither a
   *     certificate nor a CA is given, or client certificates are asked for without a certificate
   *     to serve with and a CA to verify them against
   */
  public TlsSettings {
    requireNonNull(clientAuth, "clientAuth");
    requireNonNull(refreshInterval, "refreshInterval");
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException(certFile == null
          ? "a TLS private key needs its certificate chain too"
          : "a TLS certificate chain needs its private key too");
    }
    if (certFile == null && caFile == null) {
      throw new IllegalArgumentException("TLS needs a certificate chain and key (to serve), a CA (to verify servers), "
          + "or both");
    }
    if (clientAuth != ClientAuth.NONE && (certFile == null || caFile == null)) {
      throw new IllegalArgumentException("client certificates (" + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
          + ") need a certificate chain and key to serve with and a CA to verify clients against");
    }
    if (refreshInterval.compareTo(DEFAULT_REFRESH_INTERVAL) < 0) {
      throw new IllegalArgumentException("refreshInterval must be at least a minute: " + refreshInterval);
    }
  }

  /** Serving with {@code certFile} and {@code keyFile}, trusting {@code caFile}, without client certificates. */
  public static TlsSettings of(Path certFile, Path keyFile, Path caFile) {
    return new TlsSettings(certFile, keyFile, caFile, ClientAuth.NONE, DEFAULT_REFRESH_INTERVAL);
  }

  /** A copy asking clients for certificates as {@code clientAuth} says. */
  public TlsSettings withClientAuth(ClientAuth clientAuth) {
    return new TlsSettings(certFile, keyFile, caFile, clientAuth, refreshInterval);
  }

  /** A copy checking the files for changes every {@code interval}. */
  public TlsSettings withRefreshInterval(Duration interval) {
    return new TlsSettings(certFile, keyFile, caFile, clientAuth, interval);
  }

  /** True when there is a certificate to serve with. */
  public boolean hasIdentity() {
    return certFile != null;
  }
}
