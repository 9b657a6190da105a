package io.parley.bench;

import org.HdrHistogram.Histogram;

/**
 * Throughput and latency of one measured load.
 *
 * @param name what was measured, e.g. {@code "Echo with session check"}
 * @param operations operations completed in the measured window
 * @param seconds length of the measured window
 * @param histogram latencies in microseconds
 */
public record Measurement(String name, long operations, double seconds, Histogram histogram) {
  public double throughput() {
    return operations / seconds;
  }

  /** A latency percentile in milliseconds. */
  public double percentileMillis(double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxMillis() {
    return histogram.getMaxValue() / 1000.0;
  }

  String describe() {
    return String.format("%-36s %10.0f ops/s  p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  max %7.3f ms  (%d ops)",
        name, throughput(), percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(99.9),
        maxMillis(), operations);
  }
}
