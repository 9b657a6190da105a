package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import java.util.Optional;

/**
 * How message-svc behaves. Start from {@link #defaults()} and change what differs with the
 * {@code with*} copies. Immutable; the constructor rejects impossible values with a message naming
 * them.
 *
 * @param allowStrangers whether users who are not friends may message each other (a block between
 *     them always stops a message); false by default
 * @param recallWindow how long after sending a sender may recall a message (group admins and the
 *     owner may at any time); 2 minutes by default
 * @param editWindow how long after sending a sender may edit a message; 24 hours by default
 * @param retentionAge the operator's retention policy: if present, messages older than this are no
 *     longer returned, and a background job deletes them; empty (keep everything) by default. No
 *     participant can make others lose history: nothing else ever deletes a message
 * @param subscriberBufferSize events queued for one Subscribe stream beyond what the transport
 *     accepts; a stream that falls further behind is sent {@code resync_required} and closed
 *     (RESOURCE_EXHAUSTED, SUBSCRIBER_TOO_SLOW); 1,024 by default
 * @param cacheTtl how long, at most, answers of friend-svc and group-svc are reused (they are also
 *     dropped at once on their change events; one asked for after half of that is reloaded in the
 *     background while it is still served); 5 seconds by default, zero disables the caches
 * @param upstreamTimeout the deadline of a call to friend-svc or group-svc; 2 seconds by default
 * @param sessionCheckInterval how often the session of every open Subscribe stream is checked
 *     against the session store (and its idle expiry slid: a connected device is active), a bound
 *     on how long a missed revocation event can leave a stream open; 30 seconds by default
 * @param deliveryThreads threads that write events to Subscribe streams; the number of cores, at
 *     least 2, by default
 * @param writerThreads threads that store sends (group commit), each with its own batches and, on
 *     PostgreSQL, a connection of the pool while it commits; 1 by default. Fewer writers make
 *     larger batches, which cost the database less per message: a batch's fixed cost (a round
 *     trip, or three, and a WAL flush) is shared by more sends, and a batch grows as the load does
 *     (BENCHMARKS.md, messaging). More writers commit in parallel, in smaller batches, which pays
 *     where the database is far away. Keep it below the database pool's size
 * @param maxBatchSize at most this many sends are committed in one transaction; 256 by default
 * @param sendLimit SendMessage calls per user, across replicas, whatever the outcome, named {@code
 *     message.send}; a call over it fails RESOURCE_EXHAUSTED with RATE_LIMITED and a RetryInfo. 10
 *     a second with bursts of 50 by default ({@code 10/1s,burst=50}): nobody types more than a
 *     message or two a second for long, while forwarding a batch or flushing an outbox after a
 *     reconnect sends dozens at once (and a send refused for the rate is safely retried after the
 *     delay, being idempotent), and a flooder is held to 10 messages a second. Each send costs one
 *     Redis command on a Redis platform; {@code off} costs none (for benchmarks that send thousands
 *     a second from a few users)
 * @param maxStreamsPerSession Subscribe streams one session may hold open on one replica, 1-64; 4
 *     by default: one per client, plus room for streams whose connection died without the replica
 *     noticing yet (it takes up to 40 seconds of keepalive) and for a few browser tabs. One more
 *     ends the session's oldest stream there (RESOURCE_EXHAUSTED, SUBSCRIPTION_REPLACED): the
 *     newest stream is the one a client is trying to use, while the oldest is the likeliest dead
 * @param resumeWindow how long live events are kept in the event log (a Redis stream on a Redis
 *     platform) for Subscribe streams to resume from a cursor; 2 minutes by default. A client away
 *     longer is told to pull instead. Redis holds about this long's worth of events: at 1,000
 *     events a second of ~300 bytes, 36 MB for 2 minutes. Give every replica the same window
 */
public record MessageSettings(
    boolean allowStrangers,
    Duration recallWindow,
    Duration editWindow,
    Optional<Duration> retentionAge,
    int subscriberBufferSize,
    Duration cacheTtl,
    Duration upstreamTimeout,
    Duration sessionCheckInterval,
    int deliveryThreads,
    int writerThreads,
    int maxBatchSize,
    RateLimit sendLimit,
    int maxStreamsPerSession,
    Duration resumeWindow) {

  /** The name of {@link #sendLimit()}. */
  public static final String SEND_LIMIT = "message.send";

  private static final int MAX_STREAMS_PER_SESSION = 64;

  public MessageSettings {
    requireNonNull(recallWindow, "recallWindow");
    requireNonNull(retentionAge, "retentionAge");
    requireNonNull(cacheTtl, "cacheTtl");
    requireNonNull(upstreamTimeout, "upstreamTimeout");
    requireNonNull(sessionCheckInterval, "sessionCheckInterval");
    requireNonNull(editWindow, "editWindow");
    if (editWindow.isNegative()) {
      throw new IllegalArgumentException("editWindow must not be negative: " + editWindow);
    }
    if (recallWindow.isNegative()) {
      throw new IllegalArgumentException("recallWindow must not be negative: " + recallWindow);
    }
    if (retentionAge.isPresent() && retentionAge.get().toMillis() < 1) {
      throw new IllegalArgumentException("retentionAge must be at least 1 ms: " + retentionAge.get());
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
    if (writerThreads < 1) {
      throw new IllegalArgumentException("writerThreads must be positive: " + writerThreads);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be positive: " + maxBatchSize);
    }
    requireNonNull(sendLimit, "sendLimit");
    if (!sendLimit.name().equals(SEND_LIMIT)) {
      throw new IllegalArgumentException("sendLimit must be named " + SEND_LIMIT + ": " + sendLimit.name());
    }
    requireNonNull(resumeWindow, "resumeWindow");
    if (resumeWindow.toMillis() < 1) {
      throw new IllegalArgumentException("resumeWindow must be at least 1 ms: " + resumeWindow);
    }
    if (maxStreamsPerSession < 1 || maxStreamsPerSession > MAX_STREAMS_PER_SESSION) {
      throw new IllegalArgumentException(
          "maxStreamsPerSession must be 1-" + MAX_STREAMS_PER_SESSION + ": " + maxStreamsPerSession);
    }
  }

  public static MessageSettings defaults() {
    return new MessageSettings(false, Duration.ofMinutes(2), Duration.ofHours(24), Optional.empty(), 1024, Duration.ofSeconds(5),
        Duration.ofSeconds(2), Duration.ofSeconds(30), Math.max(2, Runtime.getRuntime().availableProcessors()), 1,
        256, RateLimit.parse(SEND_LIMIT, "10/1s,burst=50"), 4, Duration.ofMinutes(2));
  }

  public MessageSettings withAllowStrangers(boolean allowStrangers) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withRecallWindow(Duration recallWindow) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withEditWindow(Duration editWindow) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  /** A copy that keeps messages for {@code retentionAge}, then deletes them. */
  public MessageSettings withRetentionAge(Duration retentionAge) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, Optional.of(requireNonNull(retentionAge, "retentionAge")),
        subscriberBufferSize, cacheTtl, upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads,
        maxBatchSize, sendLimit, maxStreamsPerSession, resumeWindow);
  }

  /** A copy that keeps every message (the default). */
  public MessageSettings withoutRetention() {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, Optional.empty(), subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withSubscriberBufferSize(int subscriberBufferSize) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withCacheTtl(Duration cacheTtl) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withUpstreamTimeout(Duration upstreamTimeout) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withSessionCheckInterval(Duration sessionCheckInterval) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withDeliveryThreads(int deliveryThreads) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withWriterThreads(int writerThreads) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withMaxBatchSize(int maxBatchSize) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize,
        sendLimit, maxStreamsPerSession, resumeWindow);
  }

  /** A copy with another limit of SendMessage calls per user ({@link RateLimit#unlimited} turns it off). */
  public MessageSettings withSendLimit(RateLimit sendLimit) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize, sendLimit,
        maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withMaxStreamsPerSession(int maxStreamsPerSession) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize, sendLimit,
        maxStreamsPerSession, resumeWindow);
  }

  public MessageSettings withResumeWindow(Duration resumeWindow) {
    return new MessageSettings(allowStrangers, recallWindow, editWindow, retentionAge, subscriberBufferSize, cacheTtl,
        upstreamTimeout, sessionCheckInterval, deliveryThreads, writerThreads, maxBatchSize, sendLimit,
        maxStreamsPerSession, resumeWindow);
  }
}
