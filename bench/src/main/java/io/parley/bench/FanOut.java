package io.parley.bench;

import io.parley.message.v1.Message;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * The group fan-out run's books: for every message sent to the group, by its sequence number (its
 * client message id is {@link Ledger#clientMsgId}), which members it reached and how often, and
 * when it had reached every member but its sender. The first {@code warmUp} messages are kept but
 * never measured, however late they complete: only messages {@code warmUp} and after count. A
 * delivery to the sender, or of a message that is not the run's, counts towards nothing.
 * Primitive arrays, sized once, as in {@link Ledger}. Thread-safe.
 */
final class FanOut implements Delivery.Receiver {
  private final int warmUp;
  private final int members;
  private final int sender;
  /** Deliveries of message {@code n} to member {@code m}, at {@code n * members + m}. */
  private final AtomicIntegerArray deliveries;
  /** Members other than the sender that message {@code n} has reached. */
  private final AtomicIntegerArray reached;
  /** Microseconds from sending message {@code n} until its last member had it; -1 until then. */
  private final AtomicLongArray untilAll;
  private final AtomicLong duplicated = new AtomicLong();

  /**
   * @param warmUp how many messages are sent first, unmeasured
   * @param measured how many messages are sent after them, measured
   * @param members the members of the group, the sender among them
   * @param sender the index of the member who sends every message
   */
  FanOut(int warmUp, int measured, int members, int sender) {
    int messages = warmUp + measured;
    this.warmUp = warmUp;
    this.members = members;
    this.sender = sender;
    this.deliveries = new AtomicIntegerArray(Math.multiplyExact(messages, members));
    this.reached = new AtomicIntegerArray(messages);
    this.untilAll = new AtomicLongArray(messages);
    for (int n = 0; n < messages; n++) {
      untilAll.set(n, -1);
    }
  }

  @Override
  public void received(int recipient, Message message) {
    int n = Ledger.sequence(message.getClientMsgId());
    if (n < 0 || n >= reached.length() || recipient < 0 || recipient >= members || recipient == sender) {
      return;
    }
    if (deliveries.incrementAndGet(n * members + recipient) > 1) {
      duplicated.incrementAndGet();
    } else if (reached.incrementAndGet(n) == members - 1) {
      long sent = Delivery.sentNanos(message);
      untilAll.set(n, sent > 0 ? Math.max(0, (System.nanoTime() - sent) / 1000) : 0);
    }
  }

  /** Measured messages that have reached every member but the sender. */
  long fullyDelivered() {
    long count = 0;
    for (int n = warmUp; n < untilAll.length(); n++) {
      if (untilAll.get(n) >= 0) {
        count++;
      }
    }
    return count;
  }

  /**
   * Microseconds from sending until the last member had it, one value for each measured message
   * that has reached every member but the sender.
   */
  Histogram untilAllReceived() {
    Histogram histogram = new Histogram(3);
    for (int n = warmUp; n < untilAll.length(); n++) {
      long micros = untilAll.get(n);
      if (micros >= 0) {
        histogram.recordValue(micros);
      }
    }
    return histogram;
  }

  /** Deliveries beyond the first of a message to a member, warm-up messages' included. */
  long duplicated() {
    return duplicated.get();
  }
}
