package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.RedisServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Session reads that reach Redis are client spans of the call that needed them. */
class RedisSessionStoreTracingTest {
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static RedisServer redis;
  private static OpenTelemetrySdk sdk;
  private static RedisSessionStore store;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    store = RedisSessionStore.builder(redis.url()).openTelemetry(sdk).build();
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
    if (sdk != null) {
      sdk.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void forgetSpans() {
    spans.reset();
  }

  @Test
  void aSessionReadIsAnHmgetClientSpanChildOfTheCurrentSpan() {
    SessionRecord record = login();
    Span call = sdk.getTracer("test").spanBuilder("call").startSpan();
    try (Scope ignored = call.makeCurrent()) {
      assertThat(store.find(record.getUserId(), record.getSessionId())).isPresent();
    } finally {
      call.end();
    }

    SpanData read = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("HMGET")).findFirst()
        .orElseThrow();
    assertThat(read.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(read.getParentSpanId()).isEqualTo(call.getSpanContext().getSpanId());
    assertThat(read.getTraceId()).isEqualTo(call.getSpanContext().getTraceId());
    assertThat(read.getAttributes().get(AttributeKey.stringKey("db.system.name"))).isEqualTo("redis");
  }

  @Test
  void aBatchedReadIsOneSpanThatCountsItsSessions() {
    SessionRecord first = login();
    SessionRecord second = login();

    assertThat(store.findAll(List.of(new SessionKey(first.getUserId(), first.getSessionId()),
        new SessionKey(second.getUserId(), second.getSessionId())))).allMatch(found -> found.isPresent());

    assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("HMGET")).singleElement()
        .satisfies(read -> assertThat(read.getAttributes().get(AttributeKey.longKey("db.operation.batch.size")))
            .isEqualTo(2L));
  }

  private static SessionRecord login() {
    Instant now = Instant.now();
    SessionRecord record = SessionRecord.newBuilder()
        .setUserId(Ids.newId("u"))
        .setSessionId(Ids.newSessionId())
        .setTerminal(Terminal.WEB.getNumber())
        .setDeviceName("Pixel 8")
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(SessionPolicy.defaults().maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(SessionPolicy.defaults().absoluteLifetime()).toEpochMilli())
        .build();
    store.create(record, TerminalPolicy.PER_TERMINAL);
    return record;
  }
}
