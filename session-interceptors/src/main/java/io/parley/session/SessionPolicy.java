package io.parley.session;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.time.Duration;

/**
 * How sessions live: the terminal policy, the idle and absolute limits, how often activity is
 * written back, and how long an ended session keeps answering with its specific reason.
 *
 * @param terminalPolicy which older sessions a login ends
 * @param maxInactive idle time after which a session expires (sliding)
 * @param absoluteLifetime time after which a session ends whatever its activity; also the token's
 *     lifetime
 * @param touchInterval activity is recorded at most once per interval per session, by the first
 *     call at least this long after the last recorded activity, so that a session in use costs no
 *     write per call, nor per minute; at most a quarter of {@code maxInactive}, by default a
 *     sixteenth (10.5 hours of the default 7 days). The recorded last access is then never later
 *     than the real last call, and less than an interval earlier, plus the moment {@link
 *     CachingSessionStore} gathers notes before writing them (an eighth of the interval, at most a
 *     second): an idle session expires between {@code maxInactive - touchInterval - min(1 s,
 *     touchInterval / 8)} and {@code maxInactive} after its last call, never after.
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

  /** The default touch interval as a fraction of the idle limit: a sixteenth. */
  private static final int TOUCH_FRACTION = 16;

  /**
   * A policy with the given limits and the default touch interval (a sixteenth of {@code
   * maxInactive}).
   *
   * @throws IllegalArgumentException if {@code maxInactive} exceeds {@code absoluteLifetime}
   */
  public static SessionPolicy of(TerminalPolicy terminalPolicy, Duration maxInactive, Duration absoluteLifetime) {
    requireNonNull(maxInactive, "maxInactive");
    SessionPolicy defaults = defaults();
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, maxInactive.dividedBy(TOUCH_FRACTION),
        defaults.endedRetention(), defaults.maxSessionsPerUser());
  }

  /**
   * One session per terminal, 7 days idle, 30 days absolute, activity recorded at most every 10.5
   * hours (a sixteenth of the idle limit), remember ended ones a day, 20 per user.
   */
  public static SessionPolicy defaults() {
    Duration idle = Duration.ofDays(7);
    return new SessionPolicy(
        TerminalPolicy.PER_TERMINAL,
        idle,
        Duration.ofDays(30),
        idle.dividedBy(TOUCH_FRACTION),
        Duration.ofDays(1),
        20);
  }

  public SessionPolicy withTerminalPolicy(TerminalPolicy terminalPolicy) {
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touchInterval, endedRetention, maxSessionsPerUser);
  }

  /**
   * A copy with another idle limit; the touch interval stays the same fraction of it (a sixteenth,
   * unless {@link #withTouchInterval} said otherwise).
   */
  public SessionPolicy withMaxInactive(Duration maxInactive) {
    positive(maxInactive, "maxInactive");
    Duration touch = Duration.ofNanos(BigInteger.valueOf(touchInterval.toNanos())
        .multiply(BigInteger.valueOf(maxInactive.toNanos()))
        .divide(BigInteger.valueOf(this.maxInactive.toNanos()))
        .longValueExact());
    return new SessionPolicy(terminalPolicy, maxInactive, absoluteLifetime, touch.isZero() ? Duration.ofNanos(1) : touch,
        endedRetention, maxSessionsPerUser);
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
