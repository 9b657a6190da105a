package io.parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.testing.TestCertificates;
import io.parley.tls.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The --tls-* flags: plaintext by default, and every misconfiguration stops the start naming its flag. */
class LauncherTlsOptionsTest {
  @TempDir Path dir;
  private Path ca;
  private Path cert;
  private Path key;

  @BeforeEach
  void issue() {
    TestCertificates authority = TestCertificates.newCa("launcher test CA");
    ca = authority.writeCa(dir.resolve("ca.pem"));
    cert = dir.resolve("node.pem");
    key = dir.resolve("node.key");
    authority.issue("node", "localhost").writeTo(cert, key);
  }

  private static NodeConfig config(String... args) {
    LauncherOptions options = new LauncherOptions();
    new CommandLine(new LauncherOptionsTest.Holder(options)).parseArgs(args);
    return options.toConfig(Role.ALL, Map.of());
  }

  @Test
  void plaintextIsTheDefault() {
    assertThat(config().tls()).isNull();
  }

  @Test
  void certificateKeyAndCaGiveTlsWithMutualTlsWhenAsked() {
    NodeConfig config = config("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-file", ca.toString(), "--tls-client-auth", "require");

    assertThat(config.tls().certFile()).isEqualTo(cert);
    assertThat(config.tls().keyFile()).isEqualTo(key);
    assertThat(config.tls().caFile()).isEqualTo(ca);
    assertThat(config.tls().clientAuth()).isEqualTo(ClientAuth.REQUIRE);
  }

  @Test
  void certificateWithoutKeyIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> config("--tls-cert-file", cert.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key-file");
    assertThatThrownBy(() -> config("--tls-key-file", key.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert-file");
  }

  @Test
  void unreadableFileIsRefusedNamingTheFlag() {
    Path missing = dir.resolve("missing-ca.pem");

    assertThatThrownBy(() -> config("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-file", missing.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-ca-file").hasMessageContaining(missing.toString());
  }

  @Test
  void fileThatHoldsNoCertificateIsRefusedNamingTheFlags() throws Exception {
    Files.writeString(cert, "not a certificate\n");

    assertThatThrownBy(() -> config("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert-file");
  }

  @Test
  void clientCertificatesNeedTheCa() {
    assertThatThrownBy(() -> config("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-client-auth", "require"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-ca-file");
    assertThatThrownBy(() -> config("--tls-client-auth", "optional"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert-file");
    assertThatThrownBy(() -> config("--tls-client-auth", "sometimes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-client-auth");
  }
}
