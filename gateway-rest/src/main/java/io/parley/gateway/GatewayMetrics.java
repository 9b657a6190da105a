package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.metrics.LatencyHistograms;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meter: {@code parley.gateway.requests}, a timer of the requests answered, from the
 * request's arrival to its last byte handed to the connection (a Subscribe stream: to its end), by
 * {@code route} and {@code status} (the HTTP status code).
 *
 * <p>The route is what the request matched, never its raw path, so that the number of series is
 * bounded by the route table: {@code "POST /v1/sessions"}, {@code "GET /v1/users/{user_id}"} (the
 * HTTP method and the path template), a built-in page ({@code "GET /healthz"}, {@code "GET
 * /readyz"}, {@code "GET /openapi.json"}, {@code "GET /docs"}), or {@value #UNMATCHED} for every
 * request that matched none (404, 405, and requests refused before they were routed: too large,
 * too slow, unreadable). Requests whose client went away before the answer are not counted.
 *
 * <p>Thread-safe.
 */
final class GatewayMetrics {
  static final String UNMATCHED = "unmatched";

  private final MeterRegistry registry;

  GatewayMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  /** The route label of {@code route}. */
  static String label(Route route) {
    return route.httpMethod().name() + " " + route.template();
  }

  /** Records a request on {@code route} answered with {@code status} after {@code nanos}. */
  void answered(String route, int status, long nanos) {
    LatencyHistograms.withBuckets(Timer.builder("parley.gateway.requests"))
        .description("HTTP requests answered by the gateway, by route template and status")
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
