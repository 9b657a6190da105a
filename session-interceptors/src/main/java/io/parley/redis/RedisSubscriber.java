package io.parley.redis;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Keeps a Redis pub/sub subscription alive on its own daemon thread: subscribes, and after a lost
 * connection waits (100 ms doubling to 2 s) and subscribes again, for as long as it is open.
 *
 * <p>The handler hears every message and whether the subscription is {@linkplain
 * Handler#connected() up} or {@linkplain Handler#disconnected() down}; messages published while it
 * is down are lost, as pub/sub goes, so a handler that caches must stop trusting its cache on
 * {@code disconnected()}. Callbacks run on the subscriber thread, one at a time.
 */
public final class RedisSubscriber implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RedisSubscriber.class);

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
  private final CountDownLatch firstConnect = new CountDownLatch(1);
  private volatile boolean open = true;
  private volatile PubSub current;

  /** Starts subscribing to {@code channels} at once. */
  public RedisSubscriber(UnifiedJedis jedis, List<String> channels, Handler handler, String threadName) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.handler = requireNonNull(handler, "handler");
    this.channels = channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.thread = new Thread(this::run, requireNonNull(threadName, "threadName"));
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
      try {
        jedis.subscribe(pubSub, channels);
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
    PubSub pubSub = current;
    if (pubSub != null && pubSub.isSubscribed()) {
      try {
        pubSub.unsubscribe();
      } catch (RuntimeException e) {
        logger.debug("unsubscribe failed while closing", e);
      }
    }
    thread.interrupt();
  }

  private final class PubSub extends BinaryJedisPubSub {
    volatile boolean connected;

    @Override
    public void onSubscribe(byte[] channel, int subscribedChannels) {
      if (!connected && subscribedChannels == channels.length) {
        connected = true;
        safely(handler::connected);
        firstConnect.countDown();
      }
    }

    @Override
    public void onMessage(byte[] channel, byte[] message) {
      String name = new String(channel, StandardCharsets.UTF_8);
      safely(() -> handler.message(name, message));
    }
  }
}
