package io.parley.session;

/** How many live sessions a user may hold, applied atomically when a session is created. */
public enum TerminalPolicy {
  /** At most one per terminal (WEB, MOBILE, DESKTOP): a new login kicks the older one there. The default. */
  PER_TERMINAL,
  /** One in all: a new login anywhere kicks every other session. */
  SINGLE,
  /**
   * No limit beyond {@link SessionPolicy#maxSessionsPerUser()}, past which the least recently
   * active session is kicked.
   */
  UNLIMITED
}
