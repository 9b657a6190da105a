package io.parley.bench;

import java.time.Duration;

/**
 * Settings shared by every scenario.
 *
 * @param duration how long each load is measured (split into rounds when two loads are compared)
 * @param warmup how long each load runs unmeasured first
 * @param concurrency client threads (or in-flight calls) per load
 * @param target a running deployment to measure instead of starting one, where the scenario supports it
 * @param scale the size parameter of scenarios that have one (sessions, users, members), or 0 for its default
 */
public record BenchOptions(Duration duration, Duration warmup, int concurrency, String target, int scale) {
  public int scaleOr(int defaultValue) {
    return scale > 0 ? scale : defaultValue;
  }
}
