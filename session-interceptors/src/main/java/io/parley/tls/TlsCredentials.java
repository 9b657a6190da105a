package io.parley.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's TLS material, loaded from the PEM files of {@link TlsSettings} and kept current: grpc-java's
 * {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager} check the files every
 * {@link TlsSettings#refreshInterval()} and use renewed ones for every handshake after, without a
 * restart. A file that cannot be read or parsed at a check leaves the previous material in use.
 *
 * <p>It hands out gRPC {@link ServerCredentials} and {@link ChannelCredentials}, and the key manager
 * itself for servers that are not gRPC (the REST gateway's Netty). Clients verify the server's
 * certificate against the CA and the host name they dial; servers verify client certificates
 * against the CA only (a client's address says nothing about its name). Thread-safe; {@link
 * #close()} stops the checks.
 */
public final class TlsCredentials implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TlsCredentials.class);

  private final TlsSettings settings;
  private final ScheduledExecutorService reloader;
  private final List<Closeable> reloads = new ArrayList<>();
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager serverTrust;
  private final AdvancedTlsX509TrustManager clientTrust;

  private TlsCredentials(TlsSettings settings) throws IOException, GeneralSecurityException {
    this.settings = settings;
    this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "parley-tls-reload");
      thread.setDaemon(true);
      return thread;
    });
    long period = settings.refreshInterval().toMillis();
    try {
      if (settings.hasIdentity()) {
        keyManager = new AdvancedTlsX509KeyManager();
        reloads.add(keyManager.updateIdentityCredentials(settings.certFile().toFile(), settings.keyFile().toFile(),
            period, TimeUnit.MILLISECONDS, reloader)::close);
      } else {
        keyManager = null;
      }
      clientTrust = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION).build();
      if (settings.caFile() != null) {
        reloads.add(clientTrust.updateTrustCredentials(settings.caFile().toFile(), period, TimeUnit.MILLISECONDS,
            reloader)::close);
        serverTrust = AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(Verification.CERTIFICATE_ONLY_VERIFICATION).build();
        reloads.add(serverTrust.updateTrustCredentials(settings.caFile().toFile(), period, TimeUnit.MILLISECONDS,
            reloader)::close);
      } else {
        clientTrust.useSystemDefaultTrustCerts();
        serverTrust = null;
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Reads the files of {@code settings} and starts checking them for changes.
   *
   * @throws IllegalArgumentException naming the file, if one cannot be read or holds no usable
   *     certificate or key
   */
  public static TlsCredentials load(TlsSettings settings) {
    requireNonNull(settings, "settings");
    requireReadable(settings.certFile(), "certificate chain");
    requireReadable(settings.keyFile(), "private key");
    requireReadable(settings.caFile(), "CA");
    try {
      TlsCredentials credentials = new TlsCredentials(settings);
      logger.debug("TLS: {}{}; files checked for renewal every {}",
          settings.hasIdentity() ? "serving with " + settings.certFile() : "no server certificate",
          settings.caFile() == null ? ", servers verified against the JVM's CAs" : ", CA " + settings.caFile()
              + (settings.clientAuth() == ClientAuth.NONE ? "" : ", client certificates " + settings.clientAuth()),
          settings.refreshInterval());
      return credentials;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load TLS material (certificate chain " + settings.certFile()
          + ", private key " + settings.keyFile() + ", CA " + settings.caFile() + "): " + e.getMessage(), e);
    }
  }

  private static void requireReadable(Path file, String what) {
    if (file != null && !java.nio.file.Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the TLS " + what + " file " + file);
    }
  }

  public TlsSettings settings() {
    return settings;
  }

  /** True when there is a certificate to serve with. */
  public boolean hasIdentity() {
    return keyManager != null;
  }

  /**
   * Credentials for a gRPC server: the certificate chain, and client certificates asked for and
   * verified against the CA as {@link TlsSettings#clientAuth()} says.
   *
   * @throws IllegalStateException if there is no certificate to serve with
   */
  public ServerCredentials serverCredentials() {
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keyManager());
    if (settings.clientAuth() != ClientAuth.NONE) {
      builder.trustManager(serverTrust).clientAuth(settings.clientAuth() == ClientAuth.REQUIRE
          ? TlsServerCredentials.ClientAuth.REQUIRE
          : TlsServerCredentials.ClientAuth.OPTIONAL);
    }
    return builder.build();
  }

  /**
   * Credentials for a gRPC channel: the server is verified against the CA (or the JVM's CAs) and
   * the host name dialled, and this process's certificate, if it has one, is presented when the
   * server asks.
   */
  public ChannelCredentials channelCredentials() {
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(clientTrust);
    if (keyManager != null) {
      builder.keyManager(keyManager);
    }
    return builder.build();
  }

  /**
   * The key manager that serves the current certificate chain, for a server that is not gRPC.
   *
   * @throws IllegalStateException if there is no certificate to serve with
   */
  public X509ExtendedKeyManager keyManager() {
    if (keyManager == null) {
      throw new IllegalStateException("no TLS certificate chain and key are configured to serve with");
    }
    return keyManager;
  }

  /** Stops checking the files for changes; credentials handed out keep the material last read. */
  @Override
  public void close() {
    for (Closeable reload : reloads) {
      try {
        reload.close();
      } catch (IOException e) {
        logger.debug("stopping a TLS file check failed", e);
      }
    }
    reloader.shutdownNow();
  }
}
