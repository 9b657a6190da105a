package io.parley.webhook;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Where deliveries wait until they succeed or are given up. A delivery claimed and neither
 * finished nor rescheduled (its process died) is due again once its lease has passed: delivery is
 * at least once. Implementations are thread-safe.
 */
interface WebhookOutbox {
  /**
   * Adds a delivery of each event to each endpoint, due now.
   *
   * @return the deliveries added (fewer if a bounded outbox is full)
   */
  int add(List<WebhookEvent> events, List<URI> endpoints, Instant now);

  /**
   * Takes up to {@code max} deliveries due at {@code now}, oldest due first, and makes them not due
   * again before {@code leaseUntil}.
   */
  List<Delivery> claim(int max, Instant now, Instant leaseUntil);

  /** Removes {@code delivery}: it succeeded or is given up. */
  void remove(Delivery delivery);

  /** Makes {@code delivery} due at {@code dueAt}, one attempt more. */
  void retry(Delivery delivery, Instant dueAt);
}
