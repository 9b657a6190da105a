package io.parley.testing;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.server.Platform;
import io.parley.session.v1.SessionRecord;
import java.time.Instant;
import java.util.Map;

/**
 * Opens real sessions in a {@link Platform}'s session store and issues their tokens, as
 * UserService.Login does, for tests of services that need a logged-in caller without running
 * user-svc.
 */
public final class TestSessions {
  private TestSessions() {}

  /** Logs {@code userId} in on {@code terminal}; returns the value for the {@code authorization} metadata. */
  public static String login(Platform platform, String userId, Terminal terminal) {
    return login(platform, userId, terminal, Map.of("username", userId, "nickname", userId, "roles", "user"));
  }

  public static String login(Platform platform, String userId, Terminal terminal, Map<String, String> attributes) {
    return "Bearer " + token(platform, userId, Ids.newSessionId(), terminal, attributes);
  }

  /** Opens session {@code sessionId} and returns the bare JWT. */
  public static String token(
      Platform platform, String userId, String sessionId, Terminal terminal, Map<String, String> attributes) {
    Instant now = platform.clock().instant();
    Instant expires = now.plus(platform.sessionPolicy().absoluteLifetime());
    platform.sessionStore().create(SessionRecord.newBuilder()
            .setUserId(userId)
            .setSessionId(sessionId)
            .setTerminal(terminal.getNumber())
            .setDeviceName("test")
            .setCreateTimeMs(now.toEpochMilli())
            .setMaxInactiveMs(platform.sessionPolicy().maxInactive().toMillis())
            .setAbsoluteExpireTimeMs(expires.toEpochMilli())
            .putAllAttributes(attributes)
            .build(),
        platform.sessionPolicy().terminalPolicy());
    return platform.tokenIssuer().issueUserToken(
        userId, sessionId, terminal, attributes.get("username"), attributes.get("nickname"), expires);
  }
}
