package io.parley.bench;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;

/**
 * The messaging run's books: for every message, by its sequence number (its client message id is
 * {@code "b<n>"}), whether its send was acknowledged and how often it reached its recipient.
 * Primitive arrays, sized once: the books of 400,000 messages kept as strings in hash maps grew
 * the heap the servers run in, and lengthened every young collection the latencies were
 * measured under. Thread-safe.
 */
final class Ledger implements Delivery.Receiver {
  private final AtomicIntegerArray acknowledged;
  private final AtomicIntegerArray deliveries;
  private final IntUnaryOperator recipientOf;
  private final AtomicLong misdelivered = new AtomicLong();
  private final AtomicLong foreign = new AtomicLong();

  /**
   * @param capacity the most messages the run can send
   * @param recipientOf the index of the user message {@code n} is sent to
   */
  Ledger(int capacity, IntUnaryOperator recipientOf) {
    this.acknowledged = new AtomicIntegerArray(capacity);
    this.deliveries = new AtomicIntegerArray(capacity);
    this.recipientOf = recipientOf;
  }

  int capacity() {
    return deliveries.length();
  }

  static String clientMsgId(int n) {
    return "b" + n;
  }

  /** The sequence number {@code n} of a {@link #clientMsgId(int)}, or -1 if the id is not a bench message's. */
  static int sequence(String clientMsgId) {
    if (!clientMsgId.startsWith("b")) {
      return -1;
    }
    try {
      return Math.max(-1, Integer.parseInt(clientMsgId, 1, clientMsgId.length(), 10));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  void acknowledged(int n) {
    acknowledged.set(n, 1);
  }

  @Override
  public void received(int recipient, io.parley.message.v1.Message message) {
    int n = sequence(message.getClientMsgId());
    if (n < 0 || n >= deliveries.length()) {
      foreign.incrementAndGet();
    } else if (recipientOf.applyAsInt(n) != recipient) {
      misdelivered.incrementAndGet();
    } else {
      deliveries.incrementAndGet(n);
    }
  }

  /** Acknowledged sends among the first {@code sent}. */
  long acknowledgedCount(int sent) {
    long count = 0;
    for (int n = 0; n < sent; n++) {
      count += acknowledged.get(n);
    }
    return count;
  }

  /** Acknowledged sends among the first {@code sent} that no stream of their recipient received. */
  long lost(int sent) {
    long count = 0;
    for (int n = 0; n < sent; n++) {
      if (acknowledged.get(n) == 1 && deliveries.get(n) == 0) {
        count++;
      }
    }
    return count;
  }

  /** Messages their recipient received more than once. */
  long duplicated() {
    long count = 0;
    for (int n = 0; n < deliveries.length(); n++) {
      if (deliveries.get(n) > 1) {
        count++;
      }
    }
    return count;
  }

  /** Messages pushed to a user they were not sent to. */
  long misdelivered() {
    return misdelivered.get();
  }

  /** Messages that were not the run's (should be none). */
  long foreign() {
    return foreign.get();
  }
}
