package io.parley.session;

/**
 * Told when a session ends or changes anywhere: on this replica or, through the store's event
 * channel, on any other. Callbacks run on the store's event thread (the memory store: the thread
 * that made the change) and must return quickly; one that throws is logged and does not stop the
 * others.
 */
public interface SessionListener {
  /** A session was kicked or revoked. */
  void sessionEnded(String userId, String sessionId, SessionState state);

  /**
   * A live session's record changed (its attributes): anyone holding a copy must read it again.
   * Recorded activity (a touch) is not announced.
   */
  default void sessionChanged(String userId, String sessionId) {}

  /**
   * The event channel was interrupted, for some sessions or all: events may be missed until {@link
   * #eventsResumed()}. Anyone caching session state must stop trusting it. May come several times
   * in a row (a Redis Cluster's masters fail one by one).
   */
  default void eventsInterrupted() {}

  /**
   * The event channel works again for every session (after {@link #eventsInterrupted()}, or when
   * first connected); events missed meanwhile are not replayed.
   */
  default void eventsResumed() {}
}
