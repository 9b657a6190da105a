package io.parley.redis;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Keeps a Redis pub/sub subscription alive on its own daemon thread: subscribes, and after a lost
 * connection waits (100 ms doubling to 2 s) and subscribes again, for as long as it is open.
 *
 * <p>A subscribed connection only reads, so a peer that vanished without closing it (a host lost,
 * a NAT or load balancer dropping idle flows) would go unnoticed for hours. The subscriber
 * therefore PINGs it every {@value #PING_SECONDS} seconds and drops it when three PINGs in a row
 * found nothing answered since the one before; that is reported like any other loss. Counting
 * PINGs rather than time keeps a long pause of this process (a full collection, a starved CPU),
 * after which the answer waits unread in the socket, from passing for a dead connection.
 *
 * <p>The handler hears every message and whether the subscription is {@linkplain
 * Handler#connected() up} or {@linkplain Handler#disconnected() down}; messages published while it
 * is down are lost, as pub/sub goes, so a handler that caches must stop trusting its cache on
 * {@code disconnected()}. Callbacks run on the subscriber thread, one at a time.
 */
public final class RedisSubscriber implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RedisSubscriber.class);
  private static final int PING_SECONDS = 3;

  /** What a subscription reports. */
  public interface Handler {
    void message(String channel, byte[] payload);

    /** The subscription is active: from now on, messages arrive. */
    default void connected() {}

    /** The subscription was lost: messages may be missed until {@link #connected()}. */
    default void disconnected() {}
  }

  private final UnifiedJedis jedis;
  private final byte[][] channels;
  private final Handler handler;
  private final Thread thread;
  private final ScheduledExecutorService watchdog;
  private final long pingMillis;
  private final CountDownLatch firstConnect = new CountDownLatch(1);
  private volatile boolean open = true;
  private volatile PubSub current;

  /** Starts subscribing to {@code channels} at once. */
  public RedisSubscriber(UnifiedJedis jedis, List<String> channels, Handler handler, String threadName) {
    this(jedis, channels, handler, threadName, Duration.ofSeconds(PING_SECONDS));
  }

  RedisSubscriber(UnifiedJedis jedis, List<String> channels, Handler handler, String threadName, Duration pingInterval) {
    this.pingMillis = pingInterval.toMillis();
    this.jedis = requireNonNull(jedis, "jedis");
    this.handler = requireNonNull(handler, "handler");
    requireNonNull(threadName, "threadName");
    this.channels = channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName + "-ping");
      t.setDaemon(true);
      return t;
    });
    this.watchdog.scheduleWithFixedDelay(this::checkAlive, pingInterval.toMillis(), pingInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Waits until the first subscription is active; returns false on timeout. */
  public boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
    return firstConnect.await(timeout, unit);
  }

  public boolean isConnected() {
    PubSub pubSub = current;
    return pubSub != null && pubSub.connected;
  }

  private void run() {
    long backoffMillis = 100;
    while (open) {
      PubSub pubSub = new PubSub();
      current = pubSub;
      try (Connection connection = dedicatedConnection()) {
        pubSub.connection = connection;
        if (open) {
          pubSub.proceed(connection, channels);
        }
      } catch (JedisException | IllegalStateException e) {
        if (open) {
          logger.warn("Redis subscription lost ({}); retrying in {} ms", e.getMessage(), backoffMillis);
        }
      } catch (RuntimeException e) {
        logger.error("Redis subscription handler failed; resubscribing", e);
      }
      if (pubSub.connected) {
        pubSub.connected = false;
        backoffMillis = 100;
        safely(handler::disconnected);
      }
      if (!open) {
        return;
      }
      try {
        Thread.sleep(backoffMillis);
      } catch (InterruptedException e) {
        return;
      }
      backoffMillis = Math.min(backoffMillis * 2, 2000);
    }
  }

  /** A connection of its own (pub/sub holds it), from the client's pool: on a Cluster, any node's. */
  private Connection dedicatedConnection() {
    if (jedis instanceof RedisClient client) {
      return client.getPool().getResource();
    }
    if (jedis instanceof RedisClusterClient cluster) {
      return cluster.getConnectionFromSlot(ThreadLocalRandom.current().nextInt(16384));
    }
    throw new IllegalStateException("unsupported Redis client " + jedis.getClass().getName());
  }

  /** PINGs a live subscription; drops one that left three PINGs in a row unanswered, which the run loop reports. */
  private void checkAlive() {
    PubSub pubSub = current;
    if (pubSub == null || !pubSub.connected) {
      return;
    }
    try {
      if (pubSub.answered) {
        pubSub.answered = false;
        pubSub.unanswered = 0;
      } else if (++pubSub.unanswered >= 3) {
        logger.warn("Redis subscription silent for three PINGs {} ms apart; reconnecting", pingMillis);
        pubSub.drop();
        return;
      }
      pubSub.ping();
    } catch (RuntimeException e) {
      pubSub.drop();
    }
  }

  private void safely(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      logger.error("Redis subscription callback failed", e);
    }
  }

  @Override
  public void close() {
    open = false;
    watchdog.shutdownNow();
    PubSub pubSub = current;
    if (pubSub != null) {
      pubSub.drop();
    }
    thread.interrupt();
  }

  private final class PubSub extends BinaryJedisPubSub {
    volatile boolean connected;
    /** Whether anything came back since the last PING was sent. */
    volatile boolean answered = true;
    /** PINGs in a row after which nothing came back (watchdog thread only). */
    int unanswered;
    volatile Connection connection;

    /** Closes the socket under the blocked read, which ends the subscription with an error. */
    void drop() {
      Connection c = connection;
      if (c != null) {
        try {
          c.setBroken();
          c.disconnect();
        } catch (RuntimeException e) {
          logger.debug("closing a Redis subscription connection failed", e);
        }
      }
    }

    @Override
    public void onSubscribe(byte[] channel, int subscribedChannels) {
      answered = true;
      if (!connected && subscribedChannels == channels.length) {
        connected = true;
        safely(handler::connected);
        firstConnect.countDown();
      }
    }

    @Override
    public void onPong(byte[] pattern) {
      answered = true;
    }

    @Override
    public void onMessage(byte[] channel, byte[] message) {
      answered = true;
      String name = new String(channel, StandardCharsets.UTF_8);
      safely(() -> handler.message(name, message));
    }
  }
}
