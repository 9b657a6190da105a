package io.parley.database;

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
import io.parley.testing.PostgresServer;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statements of a traced database are client spans of the work that runs them, by the JDBC instrumentation. */
class DatabaseTracingTest {
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static OpenTelemetrySdk sdk;
  private static Database db;

  @BeforeAll
  static void open() {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    db = Database.open(PostgresServer.shared().createDatabase().withOpenTelemetry(sdk), "parley_traced",
        "io/parley/database/testdb");
  }

  @AfterAll
  static void close() {
    if (db != null) {
      db.close();
    }
    if (sdk != null) {
      sdk.close();
    }
  }

  @BeforeEach
  void forgetSpans() {
    spans.reset();
  }

  @Test
  void aStatementIsAPostgresqlClientSpanChildOfTheCurrentSpan() {
    Span work = sdk.getTracer("test").spanBuilder("work").startSpan();
    long counters;
    try (Scope ignored = work.makeCurrent()) {
      counters = db.transaction(c -> {
        try (ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM counter")) {
          rows.next();
          return rows.getLong(1);
        }
      });
    } finally {
      work.end();
    }

    assertThat(counters).isZero();
    SpanData query = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT && "postgresql".equals(system(s))).findFirst().orElseThrow();
    assertThat(query.getParentSpanId()).isEqualTo(work.getSpanContext().getSpanId());
    assertThat(query.getName()).as("operation database.table").startsWith("SELECT ").endsWith(".counter");
  }

  @Test
  void readinessChecksMakeNoSpans() {
    assertThat(db.isReachable(Duration.ofSeconds(2))).isTrue();

    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  /** The database system, under the stable attribute name or the older one. */
  private static String system(SpanData span) {
    String stable = span.getAttributes().get(AttributeKey.stringKey("db.system.name"));
    return stable != null ? stable : span.getAttributes().get(AttributeKey.stringKey("db.system"));
  }
}
