package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.stub.ServerCallStreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.v1.Event;
import io.parley.message.v1.ResumeOutcome;
import io.parley.message.v1.ResyncRequired;
import io.parley.message.v1.SessionEnded;
import io.parley.message.v1.Subscribed;
import io.parley.session.SessionListener;
import io.parley.session.SessionPolicy;
import io.parley.session.SessionState;
import io.parley.session.SessionStore;
import io.parley.session.StoredSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Subscribe streams open on this replica, by user, and their lifecycle:
 *
 * <ul>
 *   <li>{@link #deliver} hands an event to every stream of a user but the originating session's;
 *   <li>a session holds at most {@code maxStreamsPerSession} streams here: opening one more ends
 *       its oldest with RESOURCE_EXHAUSTED, SUBSCRIPTION_REPLACED (the newest is the one its client
 *       is trying to use; the oldest is the likeliest to be a dead connection not noticed yet);
 *   <li>a session kicked or revoked anywhere (the session store's {@link SessionListener} events)
 *       ends its streams with {@code session_ended} and UNAUTHENTICATED, SESSION_KICKED or
 *       SESSION_REVOKED;
 *   <li>every {@code sessionCheckInterval}, and whenever the session events resume after an
 *       interruption, each stream's session is read from the store: one that ended or expired
 *       meanwhile (an event may have been missed) ends its streams; a live one has its idle
 *       expiry slid, since a connected device is in use.
 * </ul>
 *
 * <p>Thread-safe. Session callbacks only queue work; store reads run on the registry's own thread.
 */
final class SubscriberRegistry implements SessionListener, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(SubscriberRegistry.class);

  private final Map<String, List<Subscriber>> byUser = new ConcurrentHashMap<>();
  private final SessionStore sessions;
  private final SessionPolicy policy;
  private final Clock clock;
  private final Executor delivery;
  private final int bufferSize;
  private final int maxStreamsPerSession;
  private final ScheduledExecutorService checker;
  private final MessageMetrics metrics;
  private final StreamPositions positions;
  private volatile boolean closed;
  private volatile Consumer<Subscriber> onRemoved = subscriber -> { };

  SubscriberRegistry(SessionStore sessions, SessionPolicy policy, Clock clock, Executor delivery, int bufferSize,
      int maxStreamsPerSession, Duration sessionCheckInterval, MessageMetrics metrics, StreamPositions positions) {
    this.metrics = requireNonNull(metrics, "metrics");
    this.positions = requireNonNull(positions, "positions");
    this.sessions = requireNonNull(sessions, "sessions");
    this.policy = requireNonNull(policy, "policy");
    this.clock = requireNonNull(clock, "clock");
    this.delivery = requireNonNull(delivery, "delivery");
    this.bufferSize = bufferSize;
    if (maxStreamsPerSession < 1) {
      throw new IllegalArgumentException("maxStreamsPerSession must be positive: " + maxStreamsPerSession);
    }
    this.maxStreamsPerSession = maxStreamsPerSession;
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-sessions");
      t.setDaemon(true);
      return t;
    });
    long interval = sessionCheckInterval.toMillis();
    checker.scheduleWithFixedDelay(this::checkSessions, interval, interval, TimeUnit.MILLISECONDS);
    metrics.watch(this);
  }

  /**
   * Opens a stream for a session: registers it and queues {@code subscribed}, ends the session's
   * oldest streams beyond {@code maxStreamsPerSession}, then checks that the session is still live
   * (it may have ended since the call was authenticated, before this stream could hear of it). Must
   * run in the Subscribe handler.
   *
   * @return the stream, which may have ended already
   * @throws ParleyException SERVER_BUSY once the registry is closed
   */
  Subscriber open(String userId, String sessionId, ServerCallStreamObserver<Event> observer) {
    Subscriber subscriber = newSubscriber(userId, sessionId, observer, null);
    // Queue `subscribed` before the stream can be found, so that it is always the first event.
    subscriber.start(subscribed(sessionId, ResumeOutcome.RESUME_OUTCOME_UNSPECIFIED));
    register(subscriber);
    return afterRegistration(subscriber);
  }

  /**
   * Opens a stream as {@link #open} does, resuming from {@code cursor}: the stream registers while
   * no event is routed, then the events it missed are read from the log ({@code missed}) and
   * written first, after {@code subscribed}, whose {@code resume} says whether that worked.
   *
   * @throws ParleyException SERVER_BUSY once the registry is closed
   */
  Subscriber resume(String userId, String sessionId, ServerCallStreamObserver<Event> observer,
      StreamCursor cursor, MissedEvents missed) {
    boolean sameLog = cursor.epoch().equals(positions.epoch());
    Subscriber subscriber = newSubscriber(userId, sessionId, observer, sameLog ? cursor : null);
    subscriber.startPaused();
    StreamPositions.Snapshot snapshot = positions.exclusively(() -> register(subscriber));
    MissedEvents.Replay replay;
    try {
      replay = missed.replay(userId, sessionId, cursor, snapshot);
    } catch (RuntimeException e) {
      subscriber.end(null, e instanceof ParleyException p ? p
          : new ParleyException(ErrorReason.STORE_UNAVAILABLE, "the missed events could not be read: subscribe again"));
      logger.warn("could not replay missed events to session {}: {}", sessionId, e.toString());
      return subscriber;
    }
    subscriber.release(subscribed(sessionId, replay.outcome()), replay.events());
    return afterRegistration(subscriber);
  }

  private Subscriber newSubscriber(String userId, String sessionId, ServerCallStreamObserver<Event> observer,
      StreamCursor resumedFrom) {
    if (closed) {
      throw shuttingDown();
    }
    return new Subscriber(userId, sessionId, observer, delivery, bufferSize,
        event(Event.newBuilder().setResyncRequired(ResyncRequired.getDefaultInstance())),
        new ParleyException(ErrorReason.SUBSCRIBER_TOO_SLOW,
            "too many events were not read in time: subscribe again with the last event's cursor"),
        this::remove, positions, resumedFrom);
  }

  private Event subscribed(String sessionId, ResumeOutcome outcome) {
    return event(Event.newBuilder().setSubscribed(Subscribed.newBuilder().setSessionId(sessionId).setResume(outcome)));
  }

  private void register(Subscriber subscriber) {
    String sessionId = subscriber.sessionId();
    List<Subscriber> replaced = new ArrayList<>();
    byUser.compute(subscriber.userId(), (u, list) -> {
      List<Subscriber> subscribers = list == null ? new CopyOnWriteArrayList<>() : list;
      subscribers.add(subscriber);
      // Oldest first, since streams are appended. One already ending counts until it is removed,
      // and is simply ended again (a no-op): the streams that stay are always the newest.
      List<Subscriber> sessionStreams = subscribers.stream().filter(s -> s.sessionId().equals(sessionId)).toList();
      replaced.addAll(sessionStreams.subList(0, Math.max(0, sessionStreams.size() - maxStreamsPerSession)));
      return subscribers;
    });
    for (Subscriber old : replaced) {
      old.end(null, replacedError());
    }
  }

  /** Ends a stream cancelled before it registered, or whose session ended meanwhile; returns it. */
  private Subscriber afterRegistration(Subscriber subscriber) {
    String userId = subscriber.userId();
    String sessionId = subscriber.sessionId();
    if (subscriber.isFinished()) {
      remove(subscriber);  // cancelled before it was registered
      return subscriber;
    }
    try {
      Optional<StoredSession> stored = sessions.find(userId, sessionId);
      if (stored.isEmpty() || stored.get().state() != SessionState.ACTIVE) {
        endSession(subscriber, stored.map(StoredSession::state).orElse(SessionState.REVOKED));
      }
    } catch (RuntimeException e) {
      // The call was just authenticated; the periodic check will catch a session that ended.
      logger.debug("could not re-check session {} of a new subscriber: {}", sessionId, e.toString());
    }
    return subscriber;
  }

  /** Tells {@code listener} of every stream that ends (perhaps more than once per stream). */
  void onRemoved(Consumer<Subscriber> listener) {
    this.onRemoved = requireNonNull(listener, "listener");
  }

  private ParleyException replacedError() {
    return ParleyException.builder(ErrorReason.SUBSCRIPTION_REPLACED)
        .message("this session opened a newer Subscribe stream and may keep " + maxStreamsPerSession
            + " open on a replica; this, its oldest, was ended: do not resubscribe from it")
        .metadata("max_streams_per_session", Integer.toString(maxStreamsPerSession))
        .build();
  }

  private void remove(Subscriber subscriber) {
    byUser.computeIfPresent(subscriber.userId(), (u, list) -> {
      list.remove(subscriber);
      return list.isEmpty() ? null : list;
    });
    onRemoved.accept(subscriber);
  }

  /**
   * Hands {@code event} to every stream of {@code userId} except that of {@code exceptSessionId};
   * streams with nothing else to write write it on this thread.
   */
  void deliver(String userId, String exceptSessionId, PositionedEvent event) {
    deliver(userId, exceptSessionId, event, true);
  }

  /**
   * Hands {@code event} to the streams as {@link #deliver} does, leaving the writing to the delivery
   * executor: for callers that hold a lock.
   */
  void deliverFromLock(String userId, String exceptSessionId, PositionedEvent event) {
    deliver(userId, exceptSessionId, event, false);
  }

  private void deliver(String userId, String exceptSessionId, PositionedEvent positioned, boolean writeHere) {
    List<Subscriber> subscribers = byUser.get(userId);
    if (subscribers != null) {
      Event event = positioned.event();
      for (Subscriber subscriber : subscribers) {
        if (subscriber.sessionId().equals(exceptSessionId)) {
          continue;
        }
        if (writeHere) {
          subscriber.offer(event, positioned.position());
        } else {
          subscriber.offerFromLock(event, positioned.position());
        }
        metrics.handed(event);
      }
    }
  }

  /** How many users have a stream open here. */
  int userCount() {
    return byUser.size();
  }

  /** The users with a stream open here (a live view). */
  Set<String> userIds() {
    return byUser.keySet();
  }

  /** How many streams are open here. */
  int subscriberCount() {
    return byUser.values().stream().mapToInt(List::size).sum();
  }

  /** Ends every stream with {@code last} (may be null) and the error {@code error} makes. */
  void endAll(Event last, Supplier<RuntimeException> error) {
    for (Subscriber subscriber : snapshot()) {
      subscriber.end(last, error.get());
    }
  }

  /** An event stamped with the current time. */
  Event event(Event.Builder event) {
    return event.setTime(Timestamps.fromMillis(clock.millis())).build();
  }

  private List<Subscriber> snapshot() {
    List<Subscriber> all = new ArrayList<>();
    byUser.values().forEach(all::addAll);
    return all;
  }

  // --- sessions ---------------------------------------------------------------------------------

  @Override
  public void sessionEnded(String userId, String sessionId, SessionState state) {
    List<Subscriber> subscribers = byUser.get(userId);
    if (subscribers != null) {
      for (Subscriber subscriber : subscribers) {
        if (subscriber.sessionId().equals(sessionId)) {
          endSession(subscriber, state);
        }
      }
    }
  }

  @Override
  public void eventsResumed() {
    try {
      checker.execute(this::checkSessions);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void endSession(Subscriber subscriber, SessionState state) {
    ErrorReason reason = state == SessionState.KICKED ? ErrorReason.SESSION_KICKED : ErrorReason.SESSION_REVOKED;
    endSession(subscriber, reason, state == SessionState.KICKED
        ? "session replaced by a newer login on the same terminal"
        : "session was ended: log in again");
  }

  private void endSession(Subscriber subscriber, ErrorReason reason, String message) {
    subscriber.end(event(Event.newBuilder().setSessionEnded(SessionEnded.newBuilder().setReason(reason.name()))),
        new ParleyException(reason, message));
  }

  /** Ends the streams of sessions that ended or expired; slides the idle expiry of live ones. */
  void checkSessions() {
    Instant now = clock.instant();
    for (Subscriber subscriber : snapshot()) {
      try {
        Optional<StoredSession> stored = sessions.find(subscriber.userId(), subscriber.sessionId());
        if (stored.isPresent() && stored.get().state() != SessionState.ACTIVE) {
          endSession(subscriber, stored.get().state());
        } else if (stored.isEmpty() || stored.get().isExpired(now)) {
          endSession(subscriber, ErrorReason.SESSION_EXPIRED, "session expired: log in again");
        } else if (!Duration.between(stored.get().lastAccess(), now).minus(policy.touchInterval()).isNegative()) {
          sessions.touch(stored.get());
        }
      } catch (RuntimeException e) {
        // The session store is unreachable: keep the stream, try again next time.
        logger.debug("could not check session {} of a subscriber: {}", subscriber.sessionId(), e.toString());
      }
    }
  }

  // --- lifecycle --------------------------------------------------------------------------------

  /** Ends every stream (UNAVAILABLE, SERVER_BUSY: reconnect elsewhere) and stops the checks. */
  @Override
  public void close() {
    closed = true;
    checker.shutdownNow();
    endAll(null, SubscriberRegistry::shuttingDown);
  }

  private static ParleyException shuttingDown() {
    return new ParleyException(ErrorReason.SERVER_BUSY, "server shutting down: subscribe again");
  }
}
