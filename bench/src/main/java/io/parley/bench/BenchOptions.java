package io.parley.bench;

import java.time.Duration;

/**
 * Settings shared by every scenario.
 *
 * @param duration how long each load is measured (split into rounds when two loads are compared)
 * @param warmup how long each load runs unmeasured first
 * @param jitWait how much longer a scenario that starts the services warms them up while their JIT
 *     compilers are still busy ({@link Deployment#warmUp}); zero for never longer than {@code warmup}
 * @param concurrency client threads (or in-flight calls) per load
 * @param targets a running deployment to measure instead of starting one (empty: start one)
 * @param scale the size parameter of scenarios that have one (sessions, users, members), or 0 for its default
 * @param rate offered load in operations per second for scenarios that pace their clients, or 0
 *     for the scenario's default
 */
public record BenchOptions(Duration duration, Duration warmup, Duration jitWait, int concurrency, Targets targets,
    int scale, int rate) {
  public int scaleOr(int defaultValue) {
    return scale > 0 ? scale : defaultValue;
  }

  public int rateOr(int defaultValue) {
    return rate > 0 ? rate : defaultValue;
  }
}
