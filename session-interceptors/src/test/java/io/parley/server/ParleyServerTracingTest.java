package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.parley.auth.TokenKeys;
import io.parley.client.ParleyChannels;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RegisterResponse;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Servers and channels of a traced platform: a call is a client span and a server span of the
 * caller's trace, linked by the W3C traceparent the channel sends, and while the handler runs its
 * trace and span ids are in the MDC next to the request id.
 */
class ParleyServerTracingTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("tracing-test-secret-of-32-bytes!!!".getBytes(UTF_8));

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;

  @BeforeEach
  void startSdk() {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  @AfterEach
  void stopSdk() {
    sdk.close();
  }

  @Test
  void aCallIsAClientAndAServerSpanOfTheCallersTraceWithItsIdsInTheMdc() throws Exception {
    try (Platform platform = Platform.builder(KEYS).openTelemetry(sdk).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").addService(new MdcEcho()).build()
            .start()) {
      ManagedChannel channel = platform.channel("127.0.0.1:" + server.port());
      Span caller = sdk.getTracer("test").spanBuilder("caller").startSpan();
      String echoed;
      try (Scope ignored = caller.makeCurrent()) {
        echoed = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .register(RegisterRequest.getDefaultInstance()).getUser().getUsername();
      } finally {
        caller.end();
      }

      SpanData client = await(SpanKind.CLIENT);
      SpanData serverSpan = await(SpanKind.SERVER);
      String traceId = caller.getSpanContext().getTraceId();
      assertThat(client.getName()).isEqualTo("parley.user.v1.UserService/Register");
      assertThat(client.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
      assertThat(serverSpan.getName()).isEqualTo("parley.user.v1.UserService/Register");
      assertThat(serverSpan.getParentSpanId()).as("linked by traceparent").isEqualTo(client.getSpanId());
      assertThat(serverSpan.getTraceId()).isEqualTo(traceId);
      assertThat(echoed).as("the handler's MDC: request id, trace id, span id")
          .matches("[0-9a-f]{32} " + traceId + " " + serverSpan.getSpanId());
    }
  }

  @Test
  void healthChecksMakeNoSpans() throws Exception {
    try (Platform platform = Platform.builder(KEYS).openTelemetry(sdk).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").addService(new MdcEcho()).build()
            .start()) {
      ManagedChannel channel = ParleyChannels.forTarget("127.0.0.1:" + server.port());
      try {
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
      } finally {
        channel.shutdownNow();
      }
      assertThat(spans.getFinishedSpanItems()).isEmpty();
    }
  }

  @Test
  void anUntracedServerPutsNoTraceIdsInTheMdcWhateverTheCallerSends() throws Exception {
    try (Platform platform = Platform.builder(KEYS).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").addService(new MdcEcho()).build()
            .start()) {
      assertThat(platform.openTelemetry()).isSameAs(OpenTelemetry.noop());
      // The caller is traced and sends a traceparent; the server is not.
      ManagedChannel channel = ParleyChannels.forTarget("127.0.0.1:" + server.port(), sdk);
      Span caller = sdk.getTracer("test").spanBuilder("caller").startSpan();
      String echoed;
      try (Scope ignored = caller.makeCurrent()) {
        echoed = UserServiceGrpc.newBlockingStub(channel).register(RegisterRequest.getDefaultInstance())
            .getUser().getUsername();
      } finally {
        caller.end();
        channel.shutdownNow();
      }
      assertThat(echoed).matches("[0-9a-f]{32} null null");
      assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getKind)
          .containsExactlyInAnyOrder(SpanKind.INTERNAL, SpanKind.CLIENT);
    }
  }

  private SpanData await(SpanKind kind) {
    return Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<SpanData> finished = spans.getFinishedSpanItems();
      return finished.stream().filter(s -> s.getKind() == kind).findFirst().orElse(null);
    }, Objects::nonNull);
  }

  /** Register answers with what a log line written in the handler would carry. */
  private static final class MdcEcho extends UserServiceGrpc.UserServiceImplBase {
    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      String inMdc = MDC.get(LogFields.REQUEST_ID) + " " + MDC.get(LogFields.TRACE_ID) + " " + MDC.get(LogFields.SPAN_ID);
      response.onNext(RegisterResponse.newBuilder().setUser(User.newBuilder().setUsername(inMdc)).build());
      response.onCompleted();
    }
  }
}
