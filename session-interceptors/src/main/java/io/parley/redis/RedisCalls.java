package io.parley.redis;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Runs commands for a Redis-backed store and turns failures into what callers should see:
 *
 * <ul>
 *   <li>an unreachable, hung or restarting Redis becomes a {@link ParleyException} with the
 *       store's UNAVAILABLE reason (SESSION_STORE_UNAVAILABLE or STORE_UNAVAILABLE), so that
 *       clients retry;
 *   <li>a rejected command ({@code WRONGTYPE}, a script error) is a bug, thrown as {@link
 *       IllegalStateException} and answered INTERNAL.
 * </ul>
 *
 * <p>After a broken connection the client's idle pooled connections are dropped, since after a
 * Redis restart every one of them is dead. A {@linkplain #read read} is then tried once more, which
 * is safe for reads; a {@linkplain #write write} is not, since the server may have applied it.
 * Thread-safe.
 */
public final class RedisCalls {
  private static final Logger logger = LoggerFactory.getLogger(RedisCalls.class);

  private final UnifiedJedis jedis;
  private final ErrorReason unavailableReason;
  private final String storeName;

  /**
   * @param unavailableReason SESSION_STORE_UNAVAILABLE or STORE_UNAVAILABLE
   * @param storeName how errors and logs name the store, e.g. {@code "session store"}
   */
  public RedisCalls(UnifiedJedis jedis, ErrorReason unavailableReason, String storeName) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.unavailableReason = requireNonNull(unavailableReason, "unavailableReason");
    this.storeName = requireNonNull(storeName, "storeName");
  }

  public UnifiedJedis jedis() {
    return jedis;
  }

  /** Runs an idempotent read, once more after a broken connection. */
  public <T> T read(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisDataException e) {
      throw rejected(e);
    } catch (JedisException e) {
      discardIdleConnections(jedis);
      return write(command);
    }
  }

  /** Runs a command that must not be repeated blindly. */
  public <T> T write(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisDataException e) {
      throw rejected(e);
    } catch (JedisException e) {
      discardIdleConnections(jedis);
      throw ParleyException.builder(unavailableReason)
          .message(storeName + " unavailable, retry")
          .cause(e)
          .build();
    }
  }

  private IllegalStateException rejected(JedisDataException e) {
    return new IllegalStateException(storeName + " rejected a command: " + e.getMessage(), e);
  }

  /** Drops the idle pooled connections of {@code jedis}; those in use are dropped as they fail. */
  public static void discardIdleConnections(UnifiedJedis jedis) {
    try {
      if (jedis instanceof RedisClient client) {
        client.getPool().clear();
      } else if (jedis instanceof RedisClusterClient cluster) {
        cluster.getClusterNodes().values().forEach(ConnectionPool::clear);
      }
    } catch (RuntimeException e) {
      logger.debug("could not clear the Redis connection pool", e);
    }
  }
}
