package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@link RateLimiter} contract in memory. */
class MemoryRateLimiterTest extends RateLimiterContract {
  private final MemoryRateLimiter limiter = new MemoryRateLimiter(clock);

  @Override
  RateLimiter limiter() {
    return limiter;
  }

  @Test
  void keysWhoseBucketIsFullAgainAreForgotten() {
    RateLimit limit = RateLimit.parse("test.sweep", "1/1s");
    for (int i = 0; i < 1000; i++) {
      limiter.tryAcquire(limit, "10.0.0." + i);
    }
    assertThat(limiter.toString()).contains("1000 keys");

    clock.advance(Duration.ofMinutes(2));
    limiter.tryAcquire(limit, "10.1.0.0");

    assertThat(limiter.toString()).contains("1 keys");
  }
}
