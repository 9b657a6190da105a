package io.parley.session;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import io.parley.session.v1.SessionRecord;
import java.time.Instant;

/**
 * A session as the store holds it: its record, its state and when it was last active.
 *
 * <p>For an ended session (KICKED, REVOKED) the store keeps only a tombstone: the record then
 * carries just the ids and the terminal, and {@code endedAt} says when it ended.
 *
 * @param record the stored record
 * @param state ACTIVE, KICKED or REVOKED
 * @param lastAccess the last recorded activity (written at most once per touch interval); for an
 *     ended session, when it ended
 * @param endedAt when the session was kicked or revoked; null while ACTIVE
 */
public record StoredSession(SessionRecord record, SessionState state, Instant lastAccess, Instant endedAt) {
  public StoredSession {
    requireNonNull(record, "record");
    requireNonNull(state, "state");
    requireNonNull(lastAccess, "lastAccess");
  }

  public String userId() {
    return record.getUserId();
  }

  public String sessionId() {
    return record.getSessionId();
  }

  public Terminal terminal() {
    return Terminal.forNumber(record.getTerminal());
  }

  /** When the session expires if it stays idle: the sooner of the idle and the absolute limit. */
  public Instant expiresAt() {
    return expiresAt(record, lastAccess);
  }

  /** Whether the session is ACTIVE and not expired at {@code now}. */
  public boolean isLive(Instant now) {
    return state == SessionState.ACTIVE && now.isBefore(expiresAt());
  }

  /** Whether the session is ACTIVE but past its idle or absolute limit at {@code now}. */
  public boolean isExpired(Instant now) {
    return state == SessionState.ACTIVE && !now.isBefore(expiresAt());
  }

  static Instant expiresAt(SessionRecord record, Instant lastAccess) {
    long idle = lastAccess.toEpochMilli() + record.getMaxInactiveMs();
    return Instant.ofEpochMilli(Math.min(idle, record.getAbsoluteExpireTimeMs()));
  }
}
