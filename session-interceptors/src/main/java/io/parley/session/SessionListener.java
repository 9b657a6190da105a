package io.parley.session;

/**
 * Told when a session ends anywhere: on this replica or, through the store's event channel, on any
 * other. Callbacks run on the store's event thread (the memory store: the thread that ended the
 * session) and must return quickly; one that throws is logged and does not stop the others.
 */
public interface SessionListener {
  /** A session was kicked or revoked. */
  void sessionEnded(String userId, String sessionId, SessionState state);

  /**
   * The event channel was interrupted: events may be missed until {@link #eventsResumed()}. Anyone
   * caching session state must stop trusting it.
   */
  default void eventsInterrupted() {}

  /** The event channel works again (after {@link #eventsInterrupted()}, or when first connected). */
  default void eventsResumed() {}
}
