package io.parley.events;

/**
 * Fire-and-forget notifications between services and replicas, by channel name: what changed, not
 * the data itself (readers go back to the owner for that). {@link LocalEventBus} serves one
 * process; {@link RedisEventBus} every replica on one Redis, through pub/sub.
 *
 * <p>Delivery is at most once: a subscriber that is disconnected misses what is published
 * meanwhile, and is told so through {@link Handler#disconnected()}, so that anything it caches on
 * the strength of these events can be dropped. Thread-safe.
 */
public interface EventBus extends AutoCloseable {

  /** What a subscription hears. Callbacks run on the bus's thread, one at a time per subscription. */
  interface Handler {
    void message(String channel, byte[] payload);

    /** The subscription is live: from now on, messages arrive. */
    default void connected() {}

    /** The subscription was interrupted: messages may be missed until {@link #connected()}. */
    default void disconnected() {}
  }

  /** A live subscription; closing it stops delivery. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Sends {@code payload} to every current subscriber of {@code channel}, on every replica. */
  void publish(String channel, byte[] payload);

  /** Subscribes to {@code channel}; {@code handler.connected()} is called once the subscription is live. */
  Subscription subscribe(String channel, Handler handler);

  @Override
  void close();
}
