package io.parley.user;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link LoginFailureStore} on Redis, standalone or Cluster: one sorted set per username, {@code
 * <prefix>fail:<username>}, holding one member per failure scored by its time (epoch ms, from the
 * injected clock). {@code begin_login.lua} prunes, counts and records in one step on that one key;
 * the key expires a window after the last failure, so nothing outlives its use. Thread-safe.
 */
final class RedisLoginFailureStore implements LoginFailureStore {
  private static final RedisScript BEGIN = RedisScript.fromResource(RedisLoginFailureStore.class, "begin_login.lua");

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final String prefix;
  private final Clock clock;
  private final int maxFailures;
  private final Duration window;

  /**
   * @param jedis the client, not closed by this store
   * @param prefix the prefix of every key, e.g. {@code "parley:user:"}
   */
  RedisLoginFailureStore(UnifiedJedis jedis, String prefix, Clock clock, int maxFailures, Duration window) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = new RedisCalls(jedis, ErrorReason.STORE_UNAVAILABLE, "user store");
    this.prefix = requireNonNull(prefix, "prefix");
    this.clock = requireNonNull(clock, "clock");
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be positive: " + maxFailures);
    }
    this.maxFailures = maxFailures;
    this.window = requireNonNull(window, "window");
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  @Override
  public Optional<Duration> begin(String username) {
    List<byte[]> args = List.of(
        bytes(Long.toString(clock.millis())),
        bytes(Long.toString(window.toMillis())),
        bytes(Integer.toString(maxFailures)),
        bytes(Ids.newSessionId()));
    Object reply = redis.write(() -> BEGIN.run(jedis, List.of(bytes(key(username))), args));
    long waitMillis = (Long) reply;
    return waitMillis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(waitMillis));
  }

  @Override
  public void reset(String username) {
    redis.write(() -> jedis.del(key(username)));
  }

  /** Nothing to release: the client belongs to the platform. */
  @Override
  public void close() {}

  private String key(String username) {
    return prefix + "fail:" + requireNonNull(username, "username");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
