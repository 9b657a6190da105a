package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UpstreamCacheTest {
  private static final Duration TTL = Duration.ofSeconds(8);

  private final MutableClock clock = MutableClock.startingNow();
  private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

  private UpstreamCache<String, String> cache(boolean refresh) {
    return new UpstreamCache<>(clock, TTL, 10_000, refresh, key -> {
      int n = loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return CompletableFuture.completedFuture(key + "#" + n);
    });
  }

  private int loadsOf(String key) {
    AtomicInteger n = loads.get(key);
    return n == null ? 0 : n.get();
  }

  @Test
  void anAnswerIsReusedForAtLeastThreeQuartersOfTheTtlAndNeverPastIt() {
    UpstreamCache<String, String> cache = cache(false);
    for (int i = 0; i < 100; i++) {
      assertThat(cache.await("k" + i)).isEqualTo("k" + i + "#1");
    }
    clock.advance(TTL.multipliedBy(3).dividedBy(4).minusMillis(1));
    for (int i = 0; i < 100; i++) {
      assertThat(cache.await("k" + i)).isEqualTo("k" + i + "#1");
    }
    clock.advance(TTL.dividedBy(4).plusMillis(2));
    for (int i = 0; i < 100; i++) {
      assertThat(cache.await("k" + i)).isEqualTo("k" + i + "#2");
    }
  }

  @Test
  void answersLoadedTogetherDoNotExpireTogether() {
    UpstreamCache<String, String> cache = cache(false);
    for (int i = 0; i < 200; i++) {
      cache.await("k" + i);
    }
    // Halfway through the jitter window about half have expired; all or none would mean no jitter
    // (each key has even odds, so 200 alike happens with probability 2^-199).
    clock.advance(TTL.multipliedBy(7).dividedBy(8));
    int reloaded = 0;
    for (int i = 0; i < 200; i++) {
      cache.await("k" + i);
      if (loadsOf("k" + i) == 2) {
        reloaded++;
      }
    }
    assertThat(reloaded).isBetween(1, 199);
  }

  @Test
  void lifetimesStayWithinTheWindow() {
    long ttl = TTL.toNanos();
    for (int i = 0; i < 10_000; i++) {
      assertThat(UpstreamCache.lifetimeNanos(ttl)).isBetween(ttl - ttl / 4, ttl);
    }
    assertThat(UpstreamCache.lifetimeNanos(0)).isZero();
  }

  @Test
  void aFailureIsNotKept() {
    AtomicInteger calls = new AtomicInteger();
    UpstreamCache<String, String> cache = new UpstreamCache<>(clock, TTL, 100, false, key ->
        calls.incrementAndGet() == 1
            ? CompletableFuture.failedFuture(new StatusRuntimeException(Status.UNAVAILABLE))
            : CompletableFuture.completedFuture("ok"));
    assertThatThrownBy(() -> cache.await("k")).isInstanceOf(StatusRuntimeException.class);
    assertThat(cache.await("k")).isEqualTo("ok");
    assertThat(calls).hasValue(2);
  }

  @Test
  void withRefreshAnAnswerPastHalfTheTtlIsServedWhileReloaded() {
    UpstreamCache<String, String> cache = cache(true);
    assertThat(cache.await("k")).isEqualTo("k#1");
    clock.advance(TTL.dividedBy(2).plusMillis(1));
    String served = cache.await("k");
    // Caffeine may complete the (already finished) reload before returning: either answer is fine,
    // but the next one must be the reloaded answer, without waiting for the old one to expire.
    assertThat(served).isIn("k#1", "k#2");
    assertThat(cache.await("k")).isEqualTo("k#2");
    assertThat(loadsOf("k")).isEqualTo(2);
  }
}
