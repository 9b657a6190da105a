package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link RateLimiter} owes its callers, run against each, on a clock the tests move. */
abstract class RateLimiterContract {
  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  /** Keys unique to the test, so that tests sharing a store do not meet. */
  final String user = Ids.newId("u");

  abstract RateLimiter limiter();

  private static final RateLimit TEN_A_MINUTE_THREE_AT_ONCE = RateLimit.parse("test.ten", "10/1m,burst=3");

  @Test
  void aQuietKeyMaySpendItsBurstAtOnceThenGetsOnePerInterval() {
    RateLimiter limiter = limiter();
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).as("call %d", i + 1).isEmpty();
    }
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).contains(Duration.ofSeconds(6));

    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).contains(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isEmpty();
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).contains(Duration.ofSeconds(6));
  }

  @Test
  void refusedCallsAreNotCounted() {
    RateLimiter limiter = limiter();
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isPresent();
    }
    clock.advance(Duration.ofSeconds(6));

    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isEmpty();
  }

  @Test
  void aLongQuietSpellRefillsTheBurstAndNoMore() {
    RateLimiter limiter = limiter();
    limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user);
    clock.advance(Duration.ofHours(5));

    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isEmpty();
    }
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isPresent();
  }

  @Test
  void keysAndLimitsAreCountedApart() {
    RateLimiter limiter = limiter();
    RateLimit other = RateLimit.parse("test.other", "1/1h");
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user);
    }

    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isPresent();
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user + "x")).isEmpty();
    assertThat(limiter.tryAcquire(other, user)).isEmpty();
    assertThat(limiter.tryAcquire(other, user)).contains(Duration.ofHours(1));
  }

  @Test
  void waitsShorterThanAMillisecondAreRoundedUpToOne() {
    RateLimiter limiter = limiter();
    RateLimit fast = RateLimit.parse("test.fast", "3/1ms,burst=1");

    assertThat(limiter.tryAcquire(fast, user)).isEmpty();
    assertThat(limiter.tryAcquire(fast, user)).contains(Duration.ofMillis(1));
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire(fast, user)).isEmpty();
  }

  @Test
  void anUnlimitedLimitLetsEveryCallThrough() {
    RateLimiter limiter = limiter();
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.tryAcquire(RateLimit.unlimited("test.off"), user)).isEmpty();
    }
  }

  @Test
  void acquireFailsRateLimitedWithTheWaitAndTheNameOfTheLimit() {
    RateLimiter limiter = limiter();
    RateLimit once = RateLimit.parse("test.once", "1/1m");
    limiter.acquire(once, user);

    ParleyException e = catchThrowableOfType(ParleyException.class, () -> limiter.acquire(once, user));

    assertThat(e.reason()).isEqualTo(ErrorReason.RATE_LIMITED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1));
    assertThat(e.metadata()).containsEntry("limit", "test.once");
  }

  @Test
  void aRefundedPermitMayBeTakenAgainAndARefundNeverAddsToTheBurst() {
    RateLimiter limiter = limiter();
    for (int i = 0; i < 3; i++) {
      limiter.acquire(TEN_A_MINUTE_THREE_AT_ONCE, user);
    }
    limiter.refund(TEN_A_MINUTE_THREE_AT_ONCE, user);
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).isEmpty();
    assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user)).contains(Duration.ofSeconds(6));

    // Refunds beyond what was taken (and of a key never counted) leave the burst as it was.
    for (int i = 0; i < 10; i++) {
      limiter.refund(TEN_A_MINUTE_THREE_AT_ONCE, user);
    }
    String quiet = Ids.newId("u");
    limiter.refund(TEN_A_MINUTE_THREE_AT_ONCE, quiet);
    for (String key : List.of(user, quiet)) {
      for (int i = 0; i < 3; i++) {
        assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, key)).as("%s, call %d", key, i + 1).isEmpty();
      }
      assertThat(limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, key)).as(key).isPresent();
    }
  }

  @Test
  void acquireBothTakesNothingOfTheFirstLimitWhenTheSecondRefuses() {
    RateLimiter limiter = limiter();
    RateLimit opens = RateLimit.parse("test.opens", "2/1m,burst=2");
    RateLimit large = RateLimit.parse("test.large", "1/1m");
    limiter.acquireBoth(opens, large, user);

    for (int i = 0; i < 5; i++) {
      ParleyException e = catchThrowableOfType(ParleyException.class, () -> limiter.acquireBoth(opens, large, user));
      assertThat(e.metadata()).as("refusal %d", i + 1).containsEntry("limit", "test.large");
    }

    // The five refusals cost the first limit nothing: its second permit is still there.
    limiter.acquire(opens, user);
    assertThat(limiter.tryAcquire(opens, user)).isPresent();
  }

  @Test
  void concurrentCallsNeverExceedTheBurst() throws Exception {
    RateLimiter limiter = limiter();
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Duration>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return limiter.tryAcquire(TEN_A_MINUTE_THREE_AT_ONCE, user);
        }));
      }
      start.countDown();
      int allowed = 0;
      for (Future<Optional<Duration>> result : results) {
        allowed += result.get(10, TimeUnit.SECONDS).isEmpty() ? 1 : 0;
      }

      assertThat(allowed).isEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
  }
}
