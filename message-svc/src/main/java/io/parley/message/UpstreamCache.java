package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Answers of another service, reused for a short time: concurrent questions about one key share
 * one call, an answer lives at most {@code ttl} by the injected clock, and a failure is never kept
 * (the next question asks again). With {@code refresh}, an answer older than half the ttl is
 * reloaded in the background while it keeps being served, and kept if the reload fails.
 *
 * <p>Each answer lives a random time between three quarters of the ttl and the ttl. Answers
 * loaded together (a burst of new conversations, a replica that just started) then do not all
 * expire together: without the jitter, 1,000 conversations opened in the same second come back
 * every ttl as 1,000 calls to the other service in one burst, which the sends of that moment wait
 * behind (the messaging benchmark showed the stall every five seconds).
 *
 * <p>Failures travel inside the cached future as values, so that Caffeine neither caches nor logs
 * them (the caller's error mapping does). Thread-safe.
 */
final class UpstreamCache<K, V> {
  private record Outcome<V>(V value, RuntimeException failure) {}

  private final AsyncLoadingCache<K, Outcome<V>> cache;

  UpstreamCache(Clock clock, Duration ttl, long maximumSize, boolean refresh, Function<K, CompletableFuture<V>> load) {
    requireNonNull(load, "load");
    long ttlNanos = ttl.toNanos();
    Caffeine<K, Outcome<V>> builder = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .maximumSize(maximumSize)
        .executor(Runnable::run)
        .expireAfter(new Expiry<K, Outcome<V>>() {
          @Override
          public long expireAfterCreate(K key, Outcome<V> value, long currentTime) {
            return lifetimeNanos(ttlNanos);
          }

          @Override
          public long expireAfterUpdate(K key, Outcome<V> value, long currentTime, long currentDuration) {
            return lifetimeNanos(ttlNanos);
          }

          @Override
          public long expireAfterRead(K key, Outcome<V> value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        });
    if (refresh && ttl.toMillis() >= 2) {
      builder.refreshAfterWrite(ttl.dividedBy(2));
    }
    this.cache = builder.buildAsync(new AsyncCacheLoader<K, Outcome<V>>() {
      @Override
      public CompletableFuture<Outcome<V>> asyncLoad(K key, Executor executor) {
        return outcome(load, key);
      }

      @Override
      public CompletableFuture<Outcome<V>> asyncReload(K key, Outcome<V> old, Executor executor) {
        return outcome(load, key).thenApply(fresh -> fresh.failure() == null ? fresh : old);
      }
    });
  }

  /** A random lifetime in [3/4 ttl, ttl]. */
  static long lifetimeNanos(long ttlNanos) {
    long shortest = ttlNanos - ttlNanos / 4;
    return shortest + ThreadLocalRandom.current().nextLong(ttlNanos - shortest + 1);
  }

  private static <K, V> CompletableFuture<Outcome<V>> outcome(Function<K, CompletableFuture<V>> load, K key) {
    CompletableFuture<V> loading;
    try {
      loading = load.apply(key);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Outcome<>(null, e));
    }
    return loading.handle((value, error) -> error == null
        ? new Outcome<>(value, null)
        : new Outcome<>(null, UnaryCalls.unwrap(error)));
  }

  /** The answer for {@code key}, cached or loading; completes exceptionally with the call's failure. */
  CompletableFuture<V> get(K key) {
    CompletableFuture<Outcome<V>> future = cache.get(key);
    return future.thenApply(outcome -> {
      if (outcome.failure() != null) {
        cache.asMap().remove(key, future);
        throw outcome.failure();
      }
      return outcome.value();
    });
  }

  /** Waits for {@link #get}; a failure is rethrown as is. */
  V await(K key) {
    return UnaryCalls.await(get(key));
  }

  /** The answer if it is cached and loaded, else null; never starts a call. */
  V getIfLoaded(K key) {
    CompletableFuture<Outcome<V>> future = cache.getIfPresent(key);
    if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
      return null;
    }
    Outcome<V> outcome = future.join();
    return outcome.failure() == null ? outcome.value() : null;
  }

  void invalidate(K key) {
    cache.synchronous().invalidate(key);
  }

  void invalidateIf(Predicate<K> keys) {
    cache.synchronous().asMap().keySet().removeIf(keys);
  }

  void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
