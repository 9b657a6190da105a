package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a store keeps what it stores.
 *
 * @param maxAge messages older than this are no longer returned, and are deleted
 * @param maxCount at most this many messages are kept per conversation, the newest
 * @param idempotencyWindow how long a {@code client_msg_id} is remembered, so that a retry within
 *     it returns the first send's result
 */
public record Retention(Duration maxAge, int maxCount, Duration idempotencyWindow) {
  public Retention {
    requireNonNull(maxAge, "maxAge");
    requireNonNull(idempotencyWindow, "idempotencyWindow");
    if (maxAge.toMillis() < 1) {
      throw new IllegalArgumentException("maxAge must be at least 1 ms: " + maxAge);
    }
    if (maxCount < 1) {
      throw new IllegalArgumentException("maxCount must be positive: " + maxCount);
    }
    if (idempotencyWindow.toMillis() < 1) {
      throw new IllegalArgumentException("idempotencyWindow must be at least 1 ms: " + idempotencyWindow);
    }
  }
}
