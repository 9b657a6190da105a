package io.parley.webhook;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * An outbox in this process's memory, lost on exit, holding at most {@code capacity} deliveries
 * (waiting or in flight); what comes beyond is not added. Thread-safe.
 */
final class MemoryWebhookOutbox implements WebhookOutbox {
  private record Entry(Delivery delivery, Instant dueAt) {}

  private final int capacity;
  private final PriorityQueue<Entry> waiting = new PriorityQueue<>(
      Comparator.comparing(Entry::dueAt).thenComparingLong(e -> e.delivery().key()));
  private int held;
  private long nextKey;

  MemoryWebhookOutbox(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized int add(List<WebhookEvent> events, List<URI> endpoints, Instant now) {
    int added = 0;
    for (WebhookEvent event : events) {
      byte[] body = event.body();
      for (URI endpoint : endpoints) {
        if (held >= capacity) {
          return added;
        }
        waiting.add(new Entry(new Delivery(++nextKey, event.id(), endpoint, body, 0), now));
        held++;
        added++;
      }
    }
    return added;
  }

  @Override
  public synchronized List<Delivery> claim(int max, Instant now, Instant leaseUntil) {
    List<Delivery> due = new ArrayList<>();
    while (due.size() < max && !waiting.isEmpty() && !waiting.peek().dueAt().isAfter(now)) {
      due.add(waiting.poll().delivery());
    }
    return due;
  }

  @Override
  public synchronized void remove(Delivery delivery) {
    held--;
  }

  @Override
  public synchronized void retry(Delivery delivery, Instant dueAt) {
    waiting.add(new Entry(new Delivery(delivery.key(), delivery.eventId(), delivery.endpoint(), delivery.body(),
        delivery.attempts() + 1), dueAt));
  }

  /** Deliveries waiting or in flight. */
  synchronized int size() {
    return held;
  }
}
