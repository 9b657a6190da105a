package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * The gateway's server spans: one per routed HTTP request, named {@code <METHOD> <route template>}
 * (e.g. {@code POST /v1/messages}), child of the context the request's headers carry (W3C {@code
 * traceparent}, by the OpenTelemetry instance's propagators), so that the gRPC call made for it is
 * its child and the caller's trace goes on through the services. Built-in endpoints ({@code
 * /healthz}, {@code /docs/}, …) are not traced.
 *
 * <p>{@link #NONE} (for {@link OpenTelemetry#noop()}) starts nothing and costs nothing. Immutable
 * and thread-safe.
 */
final class HttpServerTracing {
  static final HttpServerTracing NONE = new HttpServerTracing(null, null);

  private static final AttributeKey<String> REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");

  private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpHeaders carrier) {
      return carrier.names();
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private HttpServerTracing(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /** Tracing with {@code openTelemetry}; {@link #NONE} for {@link OpenTelemetry#noop()}. */
  static HttpServerTracing of(OpenTelemetry openTelemetry) {
    requireNonNull(openTelemetry, "openTelemetry");
    if (openTelemetry == OpenTelemetry.noop()) {
      return NONE;
    }
    return new HttpServerTracing(openTelemetry.getTracer("io.parley.gateway"),
        openTelemetry.getPropagators().getTextMapPropagator());
  }

  /**
   * Starts the server span of a request routed to {@code route}; {@link Span#getInvalid()} when
   * not tracing. The caller makes it current while it starts the gRPC call, and ends it with {@link
   * #end}.
   */
  Span start(HttpHeaders headers, HttpCall call, Route route) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    Context parent = propagator.extract(Context.root(), headers, HEADERS);
    String template = route.template().toString();
    return tracer.spanBuilder(call.method().name() + " " + template)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(REQUEST_METHOD, call.method().name())
        .setAttribute(ROUTE, template)
        .setAttribute(URL_PATH, call.path())
        .setAttribute(URL_SCHEME, "http")
        .setAttribute(RPC_SERVICE, route.serviceName())
        .setAttribute(RPC_METHOD, route.method().getName())
        .startSpan();
  }

  /** Ends {@code span} with the HTTP status answered; a 5xx marks it as an error. */
  static void end(Span span, int status) {
    if (!span.getSpanContext().isValid()) {
      return;
    }
    span.setAttribute(STATUS_CODE, (long) status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Ends {@code span} of a request whose client went away before its answer. */
  static void abandon(Span span) {
    if (span.getSpanContext().isValid()) {
      span.setStatus(StatusCode.ERROR, "the HTTP client went away");
      span.end();
    }
  }
}
