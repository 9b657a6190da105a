package io.parley.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: it issues EC P-256 certificates, valid for a day, and writes
 * them and their keys as the PEM files an operator would hand Parley (certificate, PKCS#8 key, CA).
 * Every issued certificate also names the IP address 127.0.0.1, so a test may dial either
 * {@code localhost} (when listed) or the address.
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.newCa("test CA");
 * Path caFile = ca.writeCa(dir.resolve("ca.pem"));
 * ca.issue("friend-svc", "localhost").writeTo(dir.resolve("friend.pem"), dir.resolve("friend.key"));
 * }</pre>
 */
public final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
  private static final Duration VALIDITY = Duration.ofDays(1);

  private final X500Name name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCertificates(X500Name name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA named {@code CN=commonName}. */
  public static TestCertificates newCa(String commonName) {
    X500Name name = new X500Name("CN=" + commonName);
    KeyPair keys = newKeys();
    X509v3CertificateBuilder builder = builder(name, name, keys);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestCertificates(name, keys, sign(builder, keys.getPrivate()));
  }

  /** The CA's own certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Writes the CA certificate as PEM to {@code file}; returns it. */
  public Path writeCa(Path file) {
    return write(file, pem("CERTIFICATE", encoded(certificate)));
  }

  /**
   * A certificate for {@code CN=commonName} with the DNS names given (in order, so the first is the
   * peer identity Parley reads) and the IP address 127.0.0.1, signed by this CA.
   */
  public Issued issue(String commonName, String... dnsNames) {
    KeyPair leafKeys = newKeys();
    X509v3CertificateBuilder builder = builder(this.name, new X500Name("CN=" + commonName), leafKeys);
    List<GeneralName> names = new ArrayList<>();
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Issued(sign(builder, keys.getPrivate()), leafKeys.getPrivate());
  }

  /**
   * Handshakes TLS with {@code host:port}, trusting this CA, offering ALPN {@code h2} and
   * {@code http/1.1}, and returns the certificate the server presented.
   */
  public X509Certificate serverCertificate(String host, int port) throws IOException {
    try (Socket plain = new Socket(host, port);
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket(plain, host, port, true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** An SSLContext trusting this CA only, for an HTTPS client. */
  public SSLContext clientContext() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate this CA issued, with its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /**
     * Writes the certificate and the PKCS#8 key as PEM, each through a temporary file and a move,
     * and sets both files' modification time past any earlier write, so that a watcher comparing
     * times sees the change however quickly it follows the last one.
     */
    public void writeTo(Path certFile, Path keyFile) {
      write(keyFile, pem("PRIVATE KEY", key.getEncoded()));
      write(certFile, pem("CERTIFICATE", encoded(certificate)));
    }
  }

  private static final AtomicLong LAST_MTIME = new AtomicLong();

  private static Path write(Path file, String text) {
    try {
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".pem", ".tmp");
      Files.writeString(temporary, text, US_ASCII);
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      long now = System.currentTimeMillis();
      long mtime = LAST_MTIME.updateAndGet(last -> Math.max(now, last + 1_000));
      Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
