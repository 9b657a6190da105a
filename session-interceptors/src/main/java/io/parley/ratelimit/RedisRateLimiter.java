package io.parley.ratelimit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link RateLimiter#redis}: {@code rate_limit.lua} on one key per limit and key, {@code
 * parley:rl:{<limit>:<key>}}, holding the theoretical arrival time of the key's next call and
 * expiring a second after the key's bucket is full again. Fails open, as {@link RateLimiter} says:
 * a failed check lets the call through and logs, and the next second's checks do not ask Redis.
 * Thread-safe.
 */
final class RedisRateLimiter implements RateLimiter {
  private static final Logger logger = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final RedisScript SCRIPT = RedisScript.fromResource(RedisRateLimiter.class, "rate_limit.lua");
  private static final RedisScript REFUND = RedisScript.fromResource(RedisRateLimiter.class, "rate_refund.lua");
  private static final int MAX_KEY_LENGTH = 256;
  private static final long PAUSE_MILLIS = 1000;
  private static final long WARN_EVERY_MILLIS = Duration.ofMinutes(1).toMillis();

  private final UnifiedJedis jedis;
  private final Clock clock;
  /** Until when (epoch ms) checks let calls through without asking Redis, after a failure. */
  private volatile long pausedUntilMillis;
  private volatile long nextWarnMillis;
  private final AtomicLong unchecked = new AtomicLong();

  RedisRateLimiter(UnifiedJedis jedis, Clock clock) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Optional<Duration> tryAcquire(RateLimit limit, String key) {
    requireNonNull(limit, "limit");
    checkKey(key);
    if (limit.isUnlimited()) {
      return Optional.empty();
    }
    long nowMillis = clock.millis();
    if (nowMillis < pausedUntilMillis) {
      unchecked.incrementAndGet();
      return Optional.empty();
    }
    List<byte[]> keys = keys(limit, key);
    List<byte[]> args = List.of(
        bytes(Long.toString(nowMillis * 1000)),
        bytes(Long.toString(limit.intervalMicros())),
        bytes(Long.toString(limit.capacityMicros())));
    long waitMillis;
    try {
      waitMillis = (Long) SCRIPT.run(jedis, keys, args);
    } catch (JedisException | ClassCastException e) {
      failedOpen(limit, nowMillis, e);
      return Optional.empty();
    }
    return waitMillis > 0 ? Optional.of(Duration.ofMillis(waitMillis)) : Optional.empty();
  }

  @Override
  public void refund(RateLimit limit, String key) {
    requireNonNull(limit, "limit");
    checkKey(key);
    long nowMillis = clock.millis();
    if (limit.isUnlimited() || nowMillis < pausedUntilMillis) {
      return;  // while paused, nothing was counted
    }
    List<byte[]> args = List.of(bytes(Long.toString(nowMillis * 1000)), bytes(Long.toString(limit.intervalMicros())));
    try {
      REFUND.run(jedis, keys(limit, key), args);
    } catch (JedisException e) {
      logger.debug("a permit of {} stays spent: the refund failed ({})", limit.name(), e.toString());
    }
  }

  private static List<byte[]> keys(RateLimit limit, String key) {
    return List.of(bytes("parley:rl:{" + limit.name() + ":" + key + "}"));
  }

  private void failedOpen(RateLimit limit, long nowMillis, RuntimeException e) {
    pausedUntilMillis = nowMillis + PAUSE_MILLIS;
    unchecked.incrementAndGet();
    boolean unavailable = e instanceof JedisException jedisException && RedisCalls.isUnavailable(jedisException);
    if (e instanceof JedisException && !(e instanceof JedisDataException)) {
      // As RedisCalls does: after a broken connection, the idle ones are likely dead too.
      RedisCalls.discardIdleConnections(jedis);
    }
    if (nowMillis < nextWarnMillis) {
      return;
    }
    nextWarnMillis = nowMillis + WARN_EVERY_MILLIS;
    long skipped = unchecked.getAndSet(0);
    if (unavailable) {
      logger.warn("rate limits are not enforced: Redis cannot check {} ({}); letting calls through "
          + "({} unchecked since the last warning)", limit.name(), e.toString(), skipped);
    } else {
      logger.error("rate limits are not enforced: the check of {} failed; letting calls through "
          + "({} unchecked since the last report)", limit.name(), skipped, e);
    }
  }

  static void checkKey(String key) {
    requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a rate limit key must be 1-" + MAX_KEY_LENGTH + " characters: " + key.length());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Override
  public String toString() {
    return "RedisRateLimiter";
  }
}
