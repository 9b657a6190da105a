package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.parley.auth.TokenKeys;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A traced gateway in front of a traced service: each routed request is a server span, child of
 * the traceparent it came with, and parent of the gRPC call made for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayTracingTest {
  private static final String CALLER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN_ID = "b7ad6b7169203331";
  private static final String TRACEPARENT = "00-" + CALLER_TRACE_ID + "-" + CALLER_SPAN_ID + "-01";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;
  private Platform platform;
  private EchoUpstream echo;
  private ParleyServer server;
  private GatewayServer gateway;
  private HttpTester http;

  @BeforeAll
  void start() {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    platform = Platform.builder(TokenKeys.hmac("gateway-tracing-0123456789abcdef01234".getBytes(StandardCharsets.UTF_8)))
        .openTelemetry(sdk).build();
    echo = new EchoUpstream();
    String name = TestPlatforms.uniqueName("traced");
    server = TestPlatforms.serve(platform, name, echo);
    ManagedChannel channel = platform.channel("in-process:" + name);
    gateway = GatewayServer.builder().host("127.0.0.1").port(0).descriptorSet(TestPlatforms.echoDescriptorSet())
        .route(EchoUpstream.SERVICE, channel).openTelemetry(sdk).build().start();
    http = new HttpTester(gateway.port());
  }

  @AfterAll
  void stop() {
    gateway.close();
    server.close();
    echo.shutdown();
    platform.close();
    sdk.close();
  }

  @BeforeEach
  void forgetSpans() {
    spans.reset();
  }

  @Test
  void aRoutedRequestIsAServerSpanOfTheCallersTraceAndParentOfItsGrpcCall() {
    HttpTester.Reply reply = http.get("/v1/echo/c2", "traceparent", TRACEPARENT);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);

    SpanData request = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /v1/echo/{id}"));
    assertThat(request.getTraceId()).isEqualTo(CALLER_TRACE_ID);
    assertThat(request.getParentSpanId()).isEqualTo(CALLER_SPAN_ID);
    assertThat(request.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/v1/echo/{id}");
    assertThat(request.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/v1/echo/c2");
    assertThat(request.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);

    SpanData call = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getParentSpanId().equals(request.getSpanId()));
    assertThat(call.getName()).startsWith(EchoUpstream.SERVICE + "/");
    SpanData upstream = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getParentSpanId().equals(call.getSpanId()));
    assertThat(upstream.getTraceId()).isEqualTo(CALLER_TRACE_ID);
  }

  @Test
  void aRequestWithoutTraceparentStartsItsOwnTrace() {
    assertThat(http.get("/v1/echo/c3").status()).isEqualTo(200);

    SpanData request = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /v1/echo/{id}"));
    assertThat(request.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    assertThat(request.getTraceId()).isNotEqualTo(CALLER_TRACE_ID);
  }

  @Test
  void builtInEndpointsAreNotTraced() {
    assertThat(http.get("/healthz", "traceparent", TRACEPARENT).status()).isEqualTo(200);
    assertThat(http.get("/openapi.json", "traceparent", TRACEPARENT).status()).isEqualTo(200);

    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  private SpanData awaitSpan(Predicate<SpanData> which) {
    return Awaitility.await().atMost(Duration.ofSeconds(5)).until(
        () -> spans.getFinishedSpanItems().stream().filter(which).findFirst().orElse(null), Objects::nonNull);
  }
}
