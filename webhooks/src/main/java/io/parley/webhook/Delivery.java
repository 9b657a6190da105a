package io.parley.webhook;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * One event for one endpoint, as an outbox holds it.
 *
 * @param key the outbox's key of the row
 * @param eventId the event's id, the Idempotency-Key
 * @param endpoint where it goes
 * @param body the exact JSON body
 * @param attempts attempts made so far
 */
record Delivery(long key, String eventId, URI endpoint, byte[] body, int attempts) {
  Delivery {
    requireNonNull(eventId, "eventId");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(body, "body");
  }
}
