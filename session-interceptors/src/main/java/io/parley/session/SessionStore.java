package io.parley.session;

import io.parley.session.v1.SessionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where sessions live, shared by every replica of every service. Implementations: {@link
 * MemorySessionStore} (one process), {@link RedisSessionStore} (standalone or Cluster), and {@link
 * CachingSessionStore} in front of either.
 *
 * <p>Every method is thread-safe and atomic per user: a login that kicks older sessions, a
 * revocation and a touch never interleave for the same user. A store that cannot be reached throws
 * a {@link io.parley.error.ParleyException} with reason SESSION_STORE_UNAVAILABLE, never anything
 * that would read as "not found".
 *
 * <p>Expiry never depends on the store noticing time (no keyspace notifications): a read compares
 * the clock with the session's last access and limits.
 */
public interface SessionStore extends AutoCloseable {

  /**
   * Stores a new ACTIVE session and, in the same atomic step, kicks what {@code policy} says it
   * replaces (and the least recently active live sessions beyond {@link
   * SessionPolicy#maxSessionsPerUser()}).
   * Every kicked session is announced to listeners on every replica.
   *
   * @param record the new session; its create time is its first access
   * @return the ids of the sessions kicked
   */
  List<String> create(SessionRecord record, TerminalPolicy policy);

  /** The session, live or not, or empty if the store has no trace of it (never existed, or purged). */
  Optional<StoredSession> find(String userId, String sessionId);

  /**
   * Several sessions at once: for each key, in order, what {@link #find} would answer. A store
   * that can reads them in one round trip (Redis pipelines them); this default asks one by one.
   */
  default List<Optional<StoredSession>> findAll(List<SessionKey> keys) {
    List<Optional<StoredSession>> found = new ArrayList<>(keys.size());
    for (SessionKey key : keys) {
      found.add(find(key.userId(), key.sessionId()));
    }
    return found;
  }

  /**
   * Records activity now, sliding the idle expiry of {@code session} (as last read from this
   * store). Does nothing to a session that is no longer live. Returns the session as stored after
   * the call, or empty if it is gone.
   */
  Optional<StoredSession> touch(StoredSession session);

  /**
   * Records that each of {@code sessions} (as last read from this store) was in use at {@code at},
   * a time not after now, sliding its idle expiry from then, in as few round trips as the store can
   * (Redis pipelines them). A session no longer live at {@code at} is left alone, and so may be
   * one whose recorded activity is less than the policy's {@linkplain SessionPolicy#touchInterval()
   * touch interval} older than {@code at}: activity is recorded coarsely. The default touches each
   * session in turn, recording now rather than {@code at}.
   *
   * @return for each session, in order, what {@link #touch} would return: the session as stored
   *     after the call, or empty if it is gone
   */
  default List<Optional<StoredSession>> touchAll(List<StoredSession> sessions, Instant at) {
    List<Optional<StoredSession>> touched = new ArrayList<>(sessions.size());
    for (StoredSession session : sessions) {
      touched.add(touch(session));
    }
    return touched;
  }

  /**
   * Notes that {@code session} (as last read from this store) was in use at {@code at}, to be
   * recorded as {@link #touchAll} does, now or soon: a store may gather such notes and write them
   * together ({@link CachingSessionStore} does, within a second), so that the caller does not wait
   * for the store. The default records it now, and throws as {@link #touchAll} would; a store that
   * writes later never throws, and a note it could not write is simply lost (the session's next
   * use notes it again).
   */
  default void touchLater(StoredSession session, Instant at) {
    touchAll(List.of(session), at);
  }

  /**
   * Changes attributes of a live session, atomically against every other change: each key of
   * {@code changes} mapped to a value is set, each mapped to null is removed, and every other
   * attribute is kept as it is in the store now (not as some caller last read it). Listeners on
   * every replica hear of the change ({@link SessionListener#sessionChanged}).
   *
   * @param changes keys to set (non-null value) or remove (null value); may be a map that permits
   *     null values, such as {@link java.util.HashMap}
   * @return false if the session is no longer live (nothing is written)
   */
  boolean updateAttributes(String userId, String sessionId, Map<String, String> changes);

  /** The user's live sessions, newest first. */
  List<StoredSession> listLive(String userId);

  /**
   * Ends a live session; its token then fails SESSION_REVOKED everywhere.
   *
   * @return false if it was not live (already ended, expired, or unknown)
   */
  boolean revoke(String userId, String sessionId);

  /**
   * Ends every live session of the user except {@code keepSessionId} (which may be null).
   *
   * @return the ids of the sessions revoked
   */
  List<String> revokeAllExcept(String userId, String keepSessionId);

  /** Registers a listener for sessions ended or changed on any replica. */
  void addListener(SessionListener listener);

  /** Unregisters a listener; a no-op if it is not registered. */
  void removeListener(SessionListener listener);

  /** Releases connections and threads. */
  @Override
  void close();
}
