package io.parley.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Who the other end of a TLS connection is, by the certificate it presented and the handshake verified. */
public final class PeerIdentities {
  private static final int DNS_NAME = 2;

  private PeerIdentities() {}

  /**
   * The identity in the peer's verified certificate: its first DNS subject alternative name, else
   * its subject's common name.
   *
   * @param session the connection's TLS session, or null (plaintext)
   * @return the identity, or null if the session is null, the peer presented no certificate, or
   *     the certificate names neither
   */
  public static String of(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return of(leaf);
  }

  /** The first DNS subject alternative name of {@code certificate}, else its subject's CN, else null. */
  public static String of(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() >= 2 && Integer.valueOf(DNS_NAME).equals(name.get(0)) && name.get(1) instanceof String dns) {
            return dns;
          }
        }
      }
    } catch (CertificateParsingException e) {
      // Unreadable extension: fall back to the subject.
    }
    try {
      List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
          return rdns.get(i).getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
