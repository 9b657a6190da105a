package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsCredentialsTest {
  @TempDir Path dir;
  private final TestCertificates ca = TestCertificates.newCa("test CA");

  @Test
  void missingFileIsNamed() {
    Path caFile = ca.writeCa(dir.resolve("ca.pem"));
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> TlsCredentials.load(TlsSettings.of(missing, dir.resolve("missing.key"), caFile)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate chain file " + missing);
  }

  @Test
  void fileWithoutPemIsRefusedNamingTheFiles() throws Exception {
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    ca.issue("server", "localhost").writeTo(cert, key);
    Files.writeString(key, "not a key\n");

    assertThatThrownBy(() -> TlsCredentials.load(TlsSettings.of(cert, key, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private key " + key);
  }

  @Test
  void peerIdentityIsTheFirstDnsNameElseTheCommonName() {
    assertThat(PeerIdentities.of(ca.issue("message", "message-svc", "localhost").certificate())).isEqualTo("message-svc");
    assertThat(PeerIdentities.of(ca.issue("gateway").certificate())).isEqualTo("gateway");
    assertThat(PeerIdentities.of((javax.net.ssl.SSLSession) null)).isNull();
  }

  @Test
  void caOnlyGivesChannelCredentialsButNoServerIdentity() {
    Path caFile = ca.writeCa(dir.resolve("ca.pem"));
    try (TlsCredentials tls = TlsCredentials.load(TlsSettings.of(null, null, caFile))) {
      assertThat(tls.hasIdentity()).isFalse();
      assertThat(tls.channelCredentials()).isNotNull();
      assertThatThrownBy(tls::serverCredentials).isInstanceOf(IllegalStateException.class);
    }
  }
}
