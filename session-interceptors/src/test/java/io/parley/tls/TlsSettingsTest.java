package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {
  private static final Path CERT = Path.of("server.pem");
  private static final Path KEY = Path.of("server.key");
  private static final Path CA = Path.of("ca.pem");

  @Test
  void certificateWithoutKeyIsRefused() {
    assertThatThrownBy(() -> TlsSettings.of(CERT, null, CA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs its private key");
    assertThatThrownBy(() -> TlsSettings.of(null, KEY, CA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs its certificate chain");
  }

  @Test
  void nothingToServeOrTrustIsRefused() {
    assertThatThrownBy(() -> TlsSettings.of(null, null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientCertificatesNeedACaAndAnIdentity() {
    assertThatThrownBy(() -> TlsSettings.of(CERT, KEY, null).withClientAuth(ClientAuth.REQUIRE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CA");
    assertThatThrownBy(() -> TlsSettings.of(null, null, CA).withClientAuth(ClientAuth.OPTIONAL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate chain");
    assertThat(TlsSettings.of(CERT, KEY, CA).withClientAuth(ClientAuth.REQUIRE).clientAuth()).isEqualTo(ClientAuth.REQUIRE);
  }

  @Test
  void refreshIntervalUnderAMinuteIsRefused() {
    assertThatThrownBy(() -> TlsSettings.of(CERT, KEY, CA).withRefreshInterval(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least a minute");
  }

  @Test
  void clientAuthIsParsedByName() {
    assertThat(ClientAuth.parse("Require")).isEqualTo(ClientAuth.REQUIRE);
    assertThatThrownBy(() -> ClientAuth.parse("always")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none, optional or require");
  }
}
