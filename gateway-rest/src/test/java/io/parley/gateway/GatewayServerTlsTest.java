package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.opentelemetry.api.OpenTelemetry;
import io.parley.client.ParleyChannels;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.TestCertificates;
import io.parley.tls.TlsCredentials;
import io.parley.tls.TlsSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway over HTTPS, calling its upstream over gRPC with TLS, with certificates the test issues. */
class GatewayServerTlsTest {
  @TempDir Path dir;
  private final TestCertificates ca = TestCertificates.newCa("gateway test CA");
  private Platform platform;
  private EchoUpstream echo;
  private TlsCredentials serverTls;
  private TlsCredentials clientTls;
  private ParleyServer upstream;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private Path cert;
  private Path key;

  @BeforeEach
  void start() {
    Path caFile = ca.writeCa(dir.resolve("ca.pem"));
    cert = dir.resolve("server.pem");
    key = dir.resolve("server.key");
    ca.issue("parley", "localhost").writeTo(cert, key);
    serverTls = TlsCredentials.load(TlsSettings.of(cert, key, caFile));
    clientTls = TlsCredentials.load(TlsSettings.of(null, null, caFile));
    platform = TestPlatforms.platform();
    echo = new EchoUpstream();
    upstream = platform.serverBuilder().host("127.0.0.1").port(0).tls(serverTls).addService(echo).build().start();
    channel = ParleyChannels.forTarget("localhost:" + upstream.port(), OpenTelemetry.noop(), null, clientTls.channelCredentials());
    gateway = GatewayServer.builder().host("127.0.0.1").port(0).tls(serverTls)
        .descriptorSet(TestPlatforms.echoDescriptorSet()).route(EchoUpstream.SERVICE, channel).build().start();
  }

  @AfterEach
  void stop() {
    gateway.close();
    channel.shutdownNow();
    upstream.close();
    echo.shutdown();
    platform.close();
    clientTls.close();
    serverTls.close();
  }

  @Test
  void httpsClientTrustingTheCaReachesTheGatewayAndItsTlsUpstream() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5))
        .build();

    HttpResponse<String> health = client.send(get("/healthz"), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready = client.send(get("/readyz"), HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"" + EchoUpstream.SERVICE + "\":\"SERVING\"");
  }

  /** Slow: grpc-java's key manager checks the files once a minute at most. */
  @Test
  void renewedCertificateIsServedWithoutRestart() throws Exception {
    BigInteger first = ca.serverCertificate("localhost", gateway.port()).getSerialNumber();

    TestCertificates.Issued renewed = ca.issue("parley", "localhost");
    renewed.writeTo(cert, key);

    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(ca.serverCertificate("localhost", gateway.port()).getSerialNumber())
            .isEqualTo(renewed.certificate().getSerialNumber()));
    assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(first);
    HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
    assertThat(client.send(get("/healthz"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  @Test
  void httpsClientTrustingAnotherCaIsRefused() {
    HttpClient client = HttpClient.newBuilder()
        .sslContext(TestCertificates.newCa("another CA").clientContext()).connectTimeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> client.send(get("/healthz"), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void plaintextHttpGetsNoAnswer() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest plain = HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + "/healthz"))
        .timeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> client.send(plain, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(10)).build();
  }
}
