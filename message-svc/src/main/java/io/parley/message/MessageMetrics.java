package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;

/**
 * message-svc's own meters:
 *
 * <ul>
 *   <li>{@code parley.messages.sent{conversation="private"|"group"}}: messages committed on this
 *       replica (a retried send that repeats an earlier one is not counted again);
 *   <li>{@code parley.messages.delivered}: message events handed to a Subscribe stream open on this
 *       replica, one per receiving device (a stream that falls too far behind drops what it holds
 *       and is told to resync);
 *   <li>{@code parley.subscribe.streams}: Subscribe streams open on this replica.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class MessageMetrics {
  private final MeterRegistry registry;
  private final Counter privateSent;
  private final Counter groupSent;
  private final Counter delivered;

  MessageMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
    this.privateSent = sent("private");
    this.groupSent = sent("group");
    this.delivered = Counter.builder("parley.messages.delivered")
        .description("message events handed to Subscribe streams on this replica, one per receiving device")
        .register(registry);
  }

  /** Meters that nobody reads: for parts built without a registry (tests). */
  static MessageMetrics unobserved() {
    return new MessageMetrics(new SimpleMeterRegistry());
  }

  private Counter sent(String conversation) {
    return Counter.builder("parley.messages.sent")
        .description("messages committed on this replica")
        .tag("conversation", conversation)
        .register(registry);
  }

  /** A message of {@code conversation} was committed. */
  void sent(ConversationId conversation) {
    (conversation.isGroup() ? groupSent : privateSent).increment();
  }

  /** {@code event} was handed to one stream; counted if it carries a message. */
  void handed(Event event) {
    if (event.hasMessage()) {
      delivered.increment();
    }
  }

  /** Reports the streams open in {@code subscribers} on each scrape. */
  void watch(SubscriberRegistry subscribers) {
    Gauge.builder("parley.subscribe.streams", subscribers, SubscriberRegistry::subscriberCount)
        .description("Subscribe streams open on this replica")
        .register(registry);
  }
}
