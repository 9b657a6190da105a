package io.parley.ratelimit;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.Platform;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Counts calls against {@link RateLimit}s, per key, for every replica of a service at once (Redis)
 * or for one process (memory, the embedded default).
 *
 * <p>How a service adopts it: a {@link RateLimit} setting per limited call (parsed from a flag with
 * {@link RateLimit#parse}), one limiter per module from {@link #of(Platform)}, and one line in the
 * handler, after validating the request and before any work the limit protects:
 *
 * <pre>{@code
 * // per user
 * limiter.acquire(settings.sendLimit(), Sessions.current().userId());
 * // per client address (see io.parley.server.ClientAddresses)
 * limiter.acquire(settings.loginLimit(), ClientAddresses.currentKey());
 * }</pre>
 *
 * <p>A refused call fails RESOURCE_EXHAUSTED with reason RATE_LIMITED, a {@code RetryInfo} with
 * the wait and {@code ErrorInfo.metadata["limit"]} naming the limit; the refused call is not
 * counted. Several limits may share one limiter: a limit's name is part of its key.
 *
 * <p><b>Fails open.</b> When the store cannot answer (Redis down, hung, failing over) the call is
 * let through and a WARN is logged (at most once a minute, with how many calls went unchecked):
 * a rate limit protects a service, and must not turn an outage of its store into refusals. After a
 * failure the Redis limiter does not ask Redis again for a second, so a hung Redis costs the
 * callers one socket timeout a second, not one each.
 *
 * <p>Each check costs at most one Redis command (an {@code EVALSHA} of a script on one key,
 * hash-tagged, so it works on Redis Cluster; the first call after Redis lost its script cache
 * sends the script once more). Limits with {@code permits = 0} cost nothing. Time comes from the
 * injected clock of each replica, so replicas whose clocks differ by d may let a key through up to
 * d early. Thread-safe.
 */
public interface RateLimiter {

  /**
   * Takes one permit of {@code limit} for {@code key} if there is one: returns empty, or how long
   * until there will be one (and takes nothing). Never throws for an unreachable store.
   *
   * @param key who is limited, e.g. a user id or {@link io.parley.server.ClientAddresses#currentKey()};
   *     at most 256 characters
   */
  Optional<Duration> tryAcquire(RateLimit limit, String key);

  /**
   * Takes one permit of {@code limit} for {@code key}, or throws.
   *
   * @throws ParleyException RATE_LIMITED with a RetryInfo (the wait, rounded up to whole
   *     milliseconds) and metadata {@code limit} (the limit's name)
   */
  default void acquire(RateLimit limit, String key) {
    Optional<Duration> wait = tryAcquire(limit, key);
    if (wait.isPresent()) {
      throw ParleyException.builder(ErrorReason.RATE_LIMITED)
          .message("too many requests (" + limit.name() + "); retry after the delay in RetryInfo")
          .metadata("limit", limit.name())
          .retryAfter(wait.get())
          .build();
    }
  }

  /**
   * Gives back one permit of {@code limit} that this caller took for {@code key}, as if its call had
   * not been counted: for a call that takes permits of two limits and is refused by the second, so
   * that the refusal costs nothing (see {@link #acquireBoth}). A key never holds more than its burst.
   * Never throws for an unreachable store (the permit then stays spent).
   */
  void refund(RateLimit limit, String key);

  /**
   * Takes one permit of each of two limits for {@code key}, or none: if the second refuses, the
   * first's permit is {@link #refund refunded} before it throws.
   *
   * @throws ParleyException RATE_LIMITED, as {@link #acquire}, naming the limit that refused
   */
  default void acquireBoth(RateLimit first, RateLimit second, String key) {
    acquire(first, key);
    try {
      acquire(second, key);
    } catch (ParleyException refused) {
      refund(first, key);
      throw refused;
    }
  }

  /** The limiter for {@code platform}'s services: on its Redis when it has one, else in memory. */
  static RateLimiter of(Platform platform) {
    requireNonNull(platform, "platform");
    return platform.isRedis() ? redis(platform.redis(), platform.clock()) : memory(platform.clock());
  }

  /**
   * Limits held in this process only, for the embedded default. Keys a limit has forgotten (whose
   * bucket is full again) are swept out at most once a minute, so memory is bounded by the keys
   * active within the longest {@code burst * period / permits} of the limits used.
   */
  static RateLimiter memory(Clock clock) {
    return new MemoryRateLimiter(clock);
  }

  /**
   * Limits shared by every replica, in Redis (standalone or Cluster) under {@code parley:rl:{<limit
   * name>:<key>}}, each key expiring a second after its bucket is full again.
   *
   * @param jedis the client, not closed by the limiter
   */
  static RateLimiter redis(UnifiedJedis jedis, Clock clock) {
    return new RedisRateLimiter(jedis, clock);
  }
}
