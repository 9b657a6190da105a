package io.parley.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RateLimiter#memory}: the generic cell rate algorithm on a map from limit and key to the
 * theoretical arrival time of the next call (epoch µs), the same arithmetic as {@code
 * rate_limit.lua}, held to the same contract by the same tests. Thread-safe: each key changes
 * atomically.
 */
final class MemoryRateLimiter implements RateLimiter {
  private static final long SWEEP_MICROS = Duration.ofMinutes(1).toNanos() / 1000;

  private final Clock clock;
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private volatile long nextSweepMicros;

  MemoryRateLimiter(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Optional<Duration> tryAcquire(RateLimit limit, String key) {
    requireNonNull(limit, "limit");
    RedisRateLimiter.checkKey(key);
    if (limit.isUnlimited()) {
      return Optional.empty();
    }
    long now = clock.millis() * 1000;
    sweepIfDue(now);
    long interval = limit.intervalMicros();
    long capacity = limit.capacityMicros();
    long[] wait = {0};
    arrivals.compute(limit.name() + ':' + key, (k, stored) -> {
      long tat = stored == null ? now : Math.max(stored, now);
      long early = tat + interval - capacity - now;
      if (early > 0) {
        wait[0] = early;
        return stored;
      }
      return tat + interval;
    });
    return wait[0] > 0 ? Optional.of(Duration.ofMillis((wait[0] + 999) / 1000)) : Optional.empty();
  }

  @Override
  public void refund(RateLimit limit, String key) {
    requireNonNull(limit, "limit");
    RedisRateLimiter.checkKey(key);
    if (limit.isUnlimited()) {
      return;
    }
    long now = clock.millis() * 1000;
    long interval = limit.intervalMicros();
    // As rate_refund.lua: the arrival time moves back an interval; a key whose bucket is full goes.
    arrivals.computeIfPresent(limit.name() + ':' + key, (k, tat) -> tat - interval > now ? tat - interval : null);
  }

  /** Drops the keys whose bucket is full again: they hold nothing that a missing key would not. */
  private void sweepIfDue(long now) {
    if (now < nextSweepMicros) {
      return;
    }
    nextSweepMicros = now + SWEEP_MICROS;
    arrivals.values().removeIf(tat -> tat <= now);
  }

  @Override
  public String toString() {
    return "MemoryRateLimiter{" + arrivals.size() + " keys}";
  }
}
