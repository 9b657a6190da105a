package io.parley.server;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.SpanContext;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * What every log line about one call carries, through the logging {@link MDC}: the request id
 * under {@value #REQUEST_ID}, and, when the call is traced, its trace id (32 hex digits) under
 * {@value #TRACE_ID} and its span id (16 hex digits) under {@value #SPAN_ID}. The JSON log format
 * prints them as fields of the line's {@code mdc}; the text format shows the first two.
 *
 * <p>{@link #during} puts them in the MDC of the running thread and restores what was there after,
 * so a call's callbacks may run on any thread and nest ({@link #run} likewise). Immutable and thread-safe.
 *
 * @param requestId the call's request id
 * @param traceId the trace id, or null if the call is not traced
 * @param spanId the id of the call's own span, or null if the call is not traced
 */
public record LogFields(String requestId, String traceId, String spanId) {
  /** The MDC key of the request id. */
  public static final String REQUEST_ID = "request_id";
  /** The MDC key of the trace id. */
  public static final String TRACE_ID = "trace_id";
  /** The MDC key of the span id. */
  public static final String SPAN_ID = "span_id";

  public LogFields {
    requireNonNull(requestId, "requestId");
    if ((traceId == null) != (spanId == null)) {
      throw new IllegalArgumentException("traceId and spanId go together: " + traceId + ", " + spanId);
    }
  }

  /** The fields of a call with {@code requestId} in {@code span}; no trace ids if the span is invalid (untraced). */
  public static LogFields of(String requestId, SpanContext span) {
    return span.isValid()
        ? new LogFields(requestId, span.getTraceId(), span.getSpanId())
        : new LogFields(requestId, null, null);
  }

  /** Runs {@code work} with these fields in the MDC, then restores what was there. */
  public <T> T during(Supplier<T> work) {
    String outerRequestId = MDC.get(REQUEST_ID);
    String outerTraceId = MDC.get(TRACE_ID);
    String outerSpanId = MDC.get(SPAN_ID);
    put(REQUEST_ID, requestId);
    put(TRACE_ID, traceId);
    put(SPAN_ID, spanId);
    try {
      return work.get();
    } finally {
      put(REQUEST_ID, outerRequestId);
      put(TRACE_ID, outerTraceId);
      put(SPAN_ID, outerSpanId);
    }
  }

  /** Runs {@code work} with these fields in the MDC, then restores what was there. */
  public void run(Runnable work) {
    during(() -> {
      work.run();
      return null;
    });
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
