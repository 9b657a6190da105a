package io.parley.launcher;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The OTLP exporter that --otlp-endpoint sets up, against a tiny OTLP/HTTP receiver started here. */
class OtlpTracingTest {
  /** One request the receiver got. */
  record Export(String method, String path, String contentType, byte[] body) {}

  private final List<Export> exports = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        exports.add(new Export(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestHeaders().getFirst("Content-Type"), in.readAllBytes()));
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void theOtlpEndpointOptionExportsSpansToTheReceiverUnderTheRolesServiceName() {
    OtlpTracing tracing = parse("--otlp-endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort())
        .tracing(Role.MESSAGE);
    assertThat(tracing.serviceName()).isEqualTo("parley-message");

    try (OpenTelemetrySdk sdk = tracing.start()) {
      Span span = sdk.getTracer("test").spanBuilder("probe-span").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        assertThat(Span.current().getSpanContext().isSampled()).as("a ratio of 1 records every trace").isTrue();
      } finally {
        span.end();
      }
      // Closing flushes what is batched: nothing is lost at shutdown.
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> !exports.isEmpty());
    Export export = exports.get(0);
    assertThat(export.method()).isEqualTo("POST");
    assertThat(export.path()).isEqualTo("/v1/traces");
    assertThat(export.contentType()).isEqualTo("application/x-protobuf");
    // Protobuf keeps strings as they are: the span's name and the service's are in the request.
    String body = new String(export.body(), ISO_8859_1);
    assertThat(body).contains("probe-span").contains("parley-message").contains("service.name");
  }

  @Test
  void theServiceNameAndSampleRatioAreOptions() {
    OtlpTracing tracing = parse("--otlp-endpoint", "https://collector.example:4318/otlp/", "--service-name",
        "parley-eu-gateway", "--trace-sample-ratio", "0.25").tracing(Role.GATEWAY);

    assertThat(tracing.serviceName()).isEqualTo("parley-eu-gateway");
    assertThat(tracing.sampleRatio()).isEqualTo(0.25);
    assertThat(tracing.tracesUrl()).isEqualTo("https://collector.example:4318/otlp/v1/traces");
  }

  @Test
  void withoutAnEndpointThereIsNoTracing() {
    assertThat(parse().tracing(Role.ALL)).isNull();
    assertThat(parse().toConfig(Role.ALL, Map.of()).openTelemetry()).isSameAs(OpenTelemetry.noop());
  }

  @Test
  void badTracingValuesAreRefusedWithTheOptionNamed() {
    assertThatThrownBy(() -> parse("--otlp-endpoint", "collector:4318").tracing(Role.ALL))
        .hasMessageContaining("--otlp-endpoint");
    assertThatThrownBy(() -> parse("--otlp-endpoint", "grpc://collector:4317").tracing(Role.ALL))
        .hasMessageContaining("--otlp-endpoint");
    assertThatThrownBy(() -> parse("--otlp-endpoint", "http://c:4318", "--trace-sample-ratio", "1.5")
        .tracing(Role.ALL)).hasMessageContaining("--trace-sample-ratio");
    assertThatThrownBy(() -> parse("--otlp-endpoint", "http://c:4318", "--service-name", " ")
        .tracing(Role.ALL)).hasMessageContaining("--service-name");
  }

  private static LauncherOptions parse(String... args) {
    LauncherOptions options = new LauncherOptions();
    new CommandLine(new LauncherOptionsTest.Holder(options)).parseArgs(args);
    return options;
  }
}
