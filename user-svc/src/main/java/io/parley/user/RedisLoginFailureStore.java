package io.parley.user;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link LoginFailureStore} on Redis, standalone or Cluster: per client address, one sorted set of
 * its failures, {@code <prefix>fail:{<address>}}, and one per username tried from it, {@code
 * <prefix>fail:{<address>}:<username>}, each holding attempt ids scored by their time (epoch ms,
 * from the injected clock). The address is the hash tag, so both sets of an attempt are in one slot
 * and {@code begin_login.lua} prunes, counts and records in one step, one command per attempt; a
 * success is one more ({@code login_succeeded.lua}). Every set expires a window after its last
 * failure, so nothing outlives its use. Thread-safe.
 */
final class RedisLoginFailureStore implements LoginFailureStore {
  private static final RedisScript BEGIN = RedisScript.fromResource(RedisLoginFailureStore.class, "begin_login.lua");
  private static final RedisScript SUCCEEDED =
      RedisScript.fromResource(RedisLoginFailureStore.class, "login_succeeded.lua");

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final String prefix;
  private final Clock clock;
  private final int maxFailures;
  private final int maxPerAddress;
  private final Duration window;

  /**
   * @param jedis the client, not closed by this store
   * @param prefix the prefix of every key, e.g. {@code "parley:user:"}
   */
  RedisLoginFailureStore(
      UnifiedJedis jedis, String prefix, Clock clock, int maxFailures, int maxPerAddress, Duration window) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = new RedisCalls(jedis, ErrorReason.STORE_UNAVAILABLE, "user store");
    this.prefix = requireNonNull(prefix, "prefix");
    this.clock = requireNonNull(clock, "clock");
    if (maxFailures < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException("the limits must be positive: " + maxFailures + ", " + maxPerAddress);
    }
    this.maxFailures = maxFailures;
    this.maxPerAddress = maxPerAddress;
    this.window = requireNonNull(window, "window");
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  @Override
  public Optional<Refusal> begin(String username, String address, String attemptId) {
    List<byte[]> args = List.of(
        bytes(Long.toString(clock.millis())),
        bytes(Long.toString(window.toMillis())),
        bytes(Integer.toString(maxFailures)),
        bytes(Integer.toString(maxPerAddress)),
        bytes(requireNonNull(attemptId, "attemptId")));
    @SuppressWarnings("unchecked")
    List<Long> reply = (List<Long>) redis.write(() -> BEGIN.run(jedis, keys(username, address), args));
    long which = reply.get(0);
    if (which == 0) {
      return Optional.empty();
    }
    Limit limit = which == 1 ? Limit.USERNAME_FROM_ADDRESS : Limit.ADDRESS;
    return Optional.of(new Refusal(limit, Duration.ofMillis(reply.get(1))));
  }

  @Override
  public void succeeded(String username, String address, String attemptId) {
    List<byte[]> args = List.of(bytes(requireNonNull(attemptId, "attemptId")));
    redis.write(() -> SUCCEEDED.run(jedis, keys(username, address), args));
  }

  /** Nothing to release: the client belongs to the platform. */
  @Override
  public void close() {}

  /** The username's failures from the address, then the address's failures: one hash slot. */
  private List<byte[]> keys(String username, String address) {
    String addressKey = prefix + "fail:{" + requireNonNull(address, "address") + "}";
    return List.of(bytes(addressKey + ":" + requireNonNull(username, "username")), bytes(addressKey));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
