package io.parley.session;

import io.parley.common.v1.ErrorReason;

/** The stored state of a session. Expiry is not a state: it follows from the clock. */
public enum SessionState {
  /** Usable until it expires. */
  ACTIVE('A', null),
  /** Ended by logout, revocation from another device, or a password change. */
  REVOKED('R', ErrorReason.SESSION_REVOKED),
  /** Ended by a newer login on the same terminal (or beyond the per-user cap). */
  KICKED('K', ErrorReason.SESSION_KICKED);

  private final char code;
  private final ErrorReason reason;

  SessionState(char code, ErrorReason reason) {
    this.code = code;
    this.reason = reason;
  }

  /** The one-letter code used in the Redis layout and on the event channel. */
  char code() {
    return code;
  }

  /** The error reason a call on a session in this state fails with; null for ACTIVE. */
  public ErrorReason reason() {
    return reason;
  }

  static SessionState fromCode(char code) {
    for (SessionState state : values()) {
      if (state.code == code) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown session state code '" + code + "'");
  }
}
