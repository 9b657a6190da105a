package io.parley.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How sessions live: the terminal policy, the idle and absolute limits, how often activity is
 * written back, and how long an ended session keeps answering with its specific reason.
 *
 * @param terminalPolicy which older sessions a login ends
 * @param maxInactive idle time after which a session expires (sliding)
 * @param absoluteLifetime time after which a session ends whatever its activity; also the token's
 *     lifetime
 * @param touchInterval activity is written to the store at most once per interval per session,
 *     so a busy session costs no write per call; at most a quarter of {@code maxInactive}
 * @param endedRetention how long a kicked, revoked or expired session is remembered, so that its
 *     token fails SESSION_KICKED, SESSION_REVOKED or SESSION_EXPIRED rather than SESSION_NOT_FOUND
 * @param maxSessionsPerUser live sessions a user may hold; beyond it the least recently active is kicked
 */
public record SessionPolicy(
    TerminalPolicy terminalPolicy,
    Duration maxInactive,
    Duration absoluteLifetime,
    Duration touchInterval,
    Duration endedRetention,
    int maxSessionsPerUser) {

  public SessionPolicy {
    requireNonNull(terminalPolicy, "terminalPolicy");
    positive(maxInactive, "maxInactive");
    positive(absoluteLifetime, "absoluteLifetime");
    positive(touchInterval, "touchInterval");
    positive(endedRetention, "endedRetention");
    if (maxInactive.compareTo(absoluteLifetime) > 0) {
      throw new IllegalArgumentException(
          "maxInactive (" + maxInactive + ") must not exceed absoluteLifetime (" + absoluteLifetime + ")");
    }
    if (touchInterval.multipliedBy(4).compareTo(maxInactive) > 0) {
      throw new IllegalArgumentException(
          "touchInterval (" + touchInterval + ") must be at most a quarter of maxInactive (" + maxInactive + ")");
    }
    if (maxSessionsPerUser < 1 || maxSessionsPerUser > 1000) {
      throw new IllegalArgumentException("maxSessionsPerUser must be 1-1000: " + maxSessionsPerUser);
    }
  }

  /**
   * A policy with the given limits and the default touch interval (a minute), shortened to a
   * quarter of {@code maxInactive} if that is shorter.
   *
   * @throws IllegalArgumentException if {@code maxInactive} exceeds {@code absoluteLifetime}
   */
  public static SessionPolicy of(TerminalPolicy terminalPolicy, Duration maxInactive, Duration absoluteLifetime) {
    requireNonNull(maxInactive, "maxInactive");
    SessionPolicy defaults = defaults();
    Duration touch = defaults.touchInterval().multipliedBy(4).compareTo(maxInactive) > 0
        ? maxInactive.dividedBy(4)
        : defaults.touchInterval();
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touch, defaults.endedRetention(),
        defaults.maxSessionsPerUser());
  }

  /** One session per terminal, 7 days idle, 30 days absolute, touch every minute, remember ended ones a day, 20 per user. */
  public static SessionPolicy defaults() {
    return new SessionPolicy(
        TerminalPolicy.PER_TERMINAL,
        Duration.ofDays(7),
        Duration.ofDays(30),
        Duration.ofMinutes(1),
        Duration.ofDays(1),
        20);
  }

  public SessionPolicy withTerminalPolicy(TerminalPolicy terminalPolicy) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  /** A copy with another idle limit; the touch interval shrinks to a quarter of it if needed. */
  public SessionPolicy withMaxInactive(Duration maxInactive) {
    Duration touch = touchInterval.multipliedBy(4).compareTo(maxInactive) > 0 ? maxInactive.dividedBy(4) : touchInterval;
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touch, endedRetention, maxSessionsPerUser);
  }

  public SessionPolicy withAbsoluteLifetime(Duration absoluteLifetime) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  public SessionPolicy withTouchInterval(Duration touchInterval) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  public SessionPolicy withEndedRetention(Duration endedRetention) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  public SessionPolicy withMaxSessionsPerUser(int maxSessionsPerUser) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
