package io.parley.redis;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Runs commands for a Redis-backed store and turns failures into what callers should see:
 *
 * <ul>
 *   <li>a Redis that cannot serve now — unreachable, hung, restarting ({@code LOADING}), busy with
 *       a script ({@code BUSY}), a replica after a failover ({@code READONLY}), a cluster without
 *       quorum ({@code CLUSTERDOWN}, {@code TRYAGAIN}) — becomes a {@link ParleyException} with the
 *       store's UNAVAILABLE reason (SESSION_STORE_UNAVAILABLE or STORE_UNAVAILABLE), so that
 *       clients retry;
 *   <li>a command Redis rejects for what it is ({@code WRONGTYPE}, a script error) is a bug,
 *       thrown as {@link IllegalStateException} and answered INTERNAL.
 * </ul>
 *
 * <p>After a broken connection the client's idle pooled connections are dropped, since after a
 * Redis restart every one of them is dead. A {@linkplain #read read} is then tried once more,
 * which is safe for reads; a {@linkplain #write write} is not, since the server may have applied
 * it. Nothing is retried after a timeout: a hung server would only make the caller wait twice.
 * Thread-safe.
 */
public final class RedisCalls {
  private static final Logger logger = LoggerFactory.getLogger(RedisCalls.class);

  /** Error prefixes of a Redis that cannot serve now but may soon. */
  private static final List<String> TRANSIENT_ERRORS = List.of(
      "BUSY", "LOADING", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "NOREPLICAS", "NOAUTH", "WRONGPASS");

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

  /** Runs an idempotent read, once more after a broken connection (not after a timeout). */
  public <T> T read(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      if (isTransient(e) || isTimeout(e)) {
        throw translate(e);
      }
      discardIdleConnections(jedis);
      return write(command);
    }
  }

  /** Runs a command that must not be repeated blindly. */
  public <T> T write(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      throw translate(e);
    }
  }

  private RuntimeException translate(JedisException e) {
    if (e instanceof JedisDataException && !isTransient(e)) {
      return new IllegalStateException(storeName + " rejected a command: " + e.getMessage(), e);
    }
    if (!isTimeout(e)) {
      discardIdleConnections(jedis);
    }
    return unavailable(unavailableReason, storeName, e);
  }

  /**
   * The reply of a pipelined command, after {@code sync()}. A cluster pipeline leaves the replies of
   * a node it could not reach, or that timed out, unset (it logs the failure and goes on with the
   * other nodes): that is a Redis that cannot serve now, thrown as a connection failure, not a bug.
   */
  public static <T> T pipelinedReply(Response<T> response) {
    try {
      return response.get();
    } catch (IllegalStateException e) {
      throw new JedisConnectionException("no reply from the Redis node of a pipelined command", e);
    }
  }

  /** A {@link ParleyException} with {@code reason} for a Redis that cannot serve now. */
  static ParleyException unavailable(ErrorReason reason, String storeName, Exception cause) {
    return ParleyException.builder(reason).message(storeName + " unavailable, retry").cause(cause).build();
  }

  /**
   * Whether {@code e} says Redis cannot serve now but may soon: every failure to talk to it, and
   * the error replies of a busy, loading, read-only or quorum-less server.
   */
  public static boolean isUnavailable(JedisException e) {
    return !(e instanceof JedisDataException) || isTransient(e);
  }

  private static boolean isTransient(JedisException e) {
    if (!(e instanceof JedisDataException)) {
      return false;
    }
    String message = e.getMessage();
    if (message == null) {
      return false;
    }
    for (String prefix : TRANSIENT_ERRORS) {
      if (message.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
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
