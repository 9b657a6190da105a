package io.parley.message;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How message-svc behaves. Start from {@link #defaults()} and change what differs with the
 * {@code with*} copies. Immutable; the constructor rejects impossible values with a message naming
 * them.
 *
 * @param allowStrangers whether users who are not friends may message each other (a block between
 *     them always stops a message); false by default
 * @param recallWindow how long after sending a sender may recall a message (group admins and the
 *     owner may at any time); 2 minutes by default
 * @param retentionAge messages older than this are no longer returned, and are deleted; 30 days by
 *     default
 * @param retentionCount at most this many messages are kept per conversation, the newest; 10,000
 *     by default
 * @param idempotencyWindow how long a {@code client_msg_id} is remembered, so that a retry within
 *     it returns the first result; 24 hours by default
 * @param subscriberBufferSize events queued for one Subscribe stream beyond what the transport
 *     accepts; a stream that falls further behind is sent {@code resync_required} and closed
 *     (RESOURCE_EXHAUSTED, SUBSCRIBER_TOO_SLOW); 1,024 by default
 * @param cacheTtl how long answers of friend-svc and group-svc are reused (they are also dropped at
 *     once on their change events); 5 seconds by default, zero disables the caches
 * @param upstreamTimeout the deadline of a call to friend-svc or group-svc; 2 seconds by default
 * @param sessionCheckInterval how often the session of every open Subscribe stream is checked
 *     against the session store (and its idle expiry slid: a connected device is active), a bound
 *     on how long a missed revocation event can leave a stream open; 30 seconds by default
 * @param deliveryThreads threads that write events to Subscribe streams; the number of cores, at
 *     least 2, by default
 */
public record MessageSettings(
    boolean allowStrangers,
    Duration recallWindow,
    Duration retentionAge,
    int retentionCount,
    Duration idempotencyWindow,
    int subscriberBufferSize,
    Duration cacheTtl,
    Duration upstreamTimeout,
    Duration sessionCheckInterval,
    int deliveryThreads) {

  public MessageSettings {
    requireNonNull(recallWindow, "recallWindow");
    requireNonNull(retentionAge, "retentionAge");
    requireNonNull(idempotencyWindow, "idempotencyWindow");
    requireNonNull(cacheTtl, "cacheTtl");
    requireNonNull(upstreamTimeout, "upstreamTimeout");
    requireNonNull(sessionCheckInterval, "sessionCheckInterval");
    if (recallWindow.isNegative()) {
      throw new IllegalArgumentException("recallWindow must not be negative: " + recallWindow);
    }
    if (retentionAge.toMillis() < 1) {
      throw new IllegalArgumentException("retentionAge must be at least 1 ms: " + retentionAge);
    }
    if (retentionCount < 1) {
      throw new IllegalArgumentException("retentionCount must be positive: " + retentionCount);
    }
    if (idempotencyWindow.toMillis() < 1) {
      throw new IllegalArgumentException("idempotencyWindow must be at least 1 ms: " + idempotencyWindow);
    }
    if (subscriberBufferSize < 1) {
      throw new IllegalArgumentException("subscriberBufferSize must be positive: " + subscriberBufferSize);
    }
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("cacheTtl must not be negative: " + cacheTtl);
    }
    if (upstreamTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("upstreamTimeout must be at least 1 ms: " + upstreamTimeout);
    }
    if (sessionCheckInterval.toMillis() < 1) {
      throw new IllegalArgumentException("sessionCheckInterval must be at least 1 ms: " + sessionCheckInterval);
    }
    if (deliveryThreads < 1) {
      throw new IllegalArgumentException("deliveryThreads must be positive: " + deliveryThreads);
    }
  }

  public static MessageSettings defaults() {
    return new MessageSettings(false, Duration.ofMinutes(2), Duration.ofDays(30), 10_000, Duration.ofHours(24),
        1024, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30),
        Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  public MessageSettings withAllowStrangers(boolean allowStrangers) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withRecallWindow(Duration recallWindow) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withRetentionAge(Duration retentionAge) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withRetentionCount(int retentionCount) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withIdempotencyWindow(Duration idempotencyWindow) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withSubscriberBufferSize(int subscriberBufferSize) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withCacheTtl(Duration cacheTtl) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withUpstreamTimeout(Duration upstreamTimeout) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withSessionCheckInterval(Duration sessionCheckInterval) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }

  public MessageSettings withDeliveryThreads(int deliveryThreads) {
    return new MessageSettings(allowStrangers, recallWindow, retentionAge, retentionCount, idempotencyWindow,
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads);
  }
}
