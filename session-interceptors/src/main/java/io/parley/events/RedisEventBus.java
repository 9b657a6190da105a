package io.parley.events;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisSubscriber;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;

/**
 * An {@link EventBus} on Redis pub/sub, shared by every replica on one Redis (standalone or
 * Cluster, where a publish reaches subscribers on every node). Each subscription holds one
 * connection and one daemon thread ({@link RedisSubscriber}), so subscribe to a few channels, not
 * one per user. A publish to an unreachable Redis fails with STORE_UNAVAILABLE. Thread-safe.
 */
public final class RedisEventBus implements EventBus {
  private final RedisCalls redis;
  private final Set<RedisSubscriber> subscribers = ConcurrentHashMap.newKeySet();

  public RedisEventBus(UnifiedJedis jedis) {
    this.redis = new RedisCalls(requireNonNull(jedis, "jedis"), ErrorReason.STORE_UNAVAILABLE, "event bus");
  }

  @Override
  public void publish(String channel, byte[] payload) {
    byte[] name = requireNonNull(channel, "channel").getBytes(StandardCharsets.UTF_8);
    redis.write(() -> redis.jedis().publish(name, requireNonNull(payload, "payload")));
  }

  @Override
  public Subscription subscribe(String channel, Handler handler) {
    requireNonNull(handler, "handler");
    RedisSubscriber subscriber = new RedisSubscriber(redis.jedis(), List.of(requireNonNull(channel, "channel")),
        new RedisSubscriber.Handler() {
          @Override
          public void message(String c, byte[] payload) {
            handler.message(c, payload);
          }

          @Override
          public void connected() {
            handler.connected();
          }

          @Override
          public void disconnected() {
            handler.disconnected();
          }
        }, "parley-events-" + channel);
    subscribers.add(subscriber);
    return () -> {
      subscribers.remove(subscriber);
      subscriber.close();
    };
  }

  @Override
  public void close() {
    subscribers.forEach(RedisSubscriber::close);
    subscribers.clear();
  }
}
