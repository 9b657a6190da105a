package io.parley.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The one set of latency buckets every Parley timer publishes (gRPC calls served and made, gateway
 * requests), so that Prometheus can aggregate and compare them: 1 ms to 10 s, about three buckets
 * per decade, plus {@code +Inf}. Fixed buckets rather than Micrometer's percentile histogram keep
 * each timer at 14 series instead of about 70.
 */
public final class LatencyHistograms {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private LatencyHistograms() {}

  /** {@code timer} with Parley's latency buckets; returns the same builder. */
  public static Timer.Builder withBuckets(Timer.Builder timer) {
    return timer.serviceLevelObjectives(BUCKETS);
  }
}
