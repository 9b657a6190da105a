package io.parley.session;

import static java.util.Objects.requireNonNull;

/**
 * Which session: its user and its id, as a token names them.
 *
 * @param userId the owner
 * @param sessionId the session
 */
public record SessionKey(String userId, String sessionId) {
  public SessionKey {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
  }
}
