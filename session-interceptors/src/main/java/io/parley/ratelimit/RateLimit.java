package io.parley.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One limit: at most {@code permits} calls per {@code period} for each key (a user, a client
 * address), of which up to {@code burst} may come at once. Calls are spaced at least {@code
 * period / permits} apart on average; a key that has been quiet may spend {@code burst} calls
 * straight away, and then gets one more each {@code period / permits} (the generic cell rate
 * algorithm: the bucket holds {@code burst} and refills at the rate).
 *
 * <p>{@code permits = 0} is no limit at all: {@link RateLimiter}s let every call through without
 * asking their store.
 *
 * <p>Written as text in settings and flags ({@link #parse}): {@code 20/1m} (20 a minute, all of
 * them at once if need be), {@code 20/1m,burst=5}, {@code 1/2s}, or {@code off}. Units: {@code ms},
 * {@code s}, {@code m}, {@code h}, {@code d}.
 *
 * @param name what is limited, reported to clients in {@code ErrorInfo.metadata["limit"]} and part
 *     of the store's key: lower-case letters, digits, {@code .}, {@code _} and {@code -}, e.g.
 *     {@code user.login}; unique among the limits of one store
 * @param permits calls per period, 0 (unlimited) to 1,000,000
 * @param period the period, 1 ms to 1 day
 * @param burst calls a quiet key may make at once, 1 to 1,000,000, and refilled within a day ({@code
 *     burst * period / permits <= 1 day}); ignored when unlimited
 */
public record RateLimit(String name, int permits, Duration period, int burst) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");
  private static final Pattern SPEC = Pattern.compile("(\\d{1,7})/(\\d{1,9})(ms|s|m|h|d)(?:,burst=(\\d{1,7}))?");
  private static final int MAX = 1_000_000;

  public RateLimit {
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1-64 of a-z, 0-9, '.', '_' and '-': " + name);
    }
    if (permits < 0 || permits > MAX) {
      throw new IllegalArgumentException(name + ": permits must be 0 (unlimited) to " + MAX + ": " + permits);
    }
    requireNonNull(period, "period");
    if (period.toMillis() < 1 || period.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(name + ": period must be 1 ms to 1 day: " + period);
    }
    if (burst < 1 || burst > MAX) {
      throw new IllegalArgumentException(name + ": burst must be 1 to " + MAX + ": " + burst);
    }
    if (permits > 0 && (double) burst * period.toMillis() / permits > Duration.ofDays(1).toMillis()) {
      throw new IllegalArgumentException(name + ": a burst of " + burst + " takes " + burst + " * period / permits "
          + "to refill, more than a day");
    }
  }

  /** {@code permits} per {@code period}, all of which may come at once. */
  public static RateLimit of(String name, int permits, Duration period) {
    return new RateLimit(name, permits, period, Math.max(1, permits));
  }

  /** No limit: every call goes through, and no store is asked. */
  public static RateLimit unlimited(String name) {
    return new RateLimit(name, 0, Duration.ofSeconds(1), 1);
  }

  /**
   * Reads a limit written as {@code <permits>/<period>[,burst=<n>]} or {@code off}, e.g. {@code
   * 20/1m,burst=5}. Without a burst, all the permits of a period may come at once.
   *
   * @throws IllegalArgumentException naming the limit and the expected form
   */
  public static RateLimit parse(String name, String spec) {
    requireNonNull(spec, "spec");
    String text = spec.strip().toLowerCase(Locale.ROOT);
    if (text.equals("off")) {
      return unlimited(name);
    }
    Matcher m = SPEC.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(name + ": '" + spec + "' is not a rate limit; write e.g. 20/1m, "
          + "20/1m,burst=5 or off (units ms, s, m, h, d)");
    }
    int permits = Integer.parseInt(m.group(1));
    long amount = Long.parseLong(m.group(2));
    Duration period = switch (m.group(3)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    int burst = m.group(4) == null ? Math.max(1, permits) : Integer.parseInt(m.group(4));
    return new RateLimit(name, permits, period, burst);
  }

  /** A copy that lets {@code burst} calls of a quiet key through at once. */
  public RateLimit withBurst(int burst) {
    return new RateLimit(name, permits, period, burst);
  }

  public boolean isUnlimited() {
    return permits == 0;
  }

  /** The average spacing of calls at the limit, {@code period / permits}, in whole microseconds (at least 1). */
  long intervalMicros() {
    return Math.max(1, Math.round(period.toMillis() * 1000.0 / permits));
  }

  /** How much a quiet key may spend at once, {@code burst} intervals, in microseconds. */
  long capacityMicros() {
    return intervalMicros() * burst;
  }

  /** As {@link #parse} reads it, e.g. {@code 20/1m,burst=5}, or {@code off}. */
  public String spec() {
    if (isUnlimited()) {
      return "off";
    }
    long ms = period.toMillis();
    String p;
    if (ms % 86_400_000 == 0) {
      p = ms / 86_400_000 + "d";
    } else if (ms % 3_600_000 == 0) {
      p = ms / 3_600_000 + "h";
    } else if (ms % 60_000 == 0) {
      p = ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      p = ms / 1000 + "s";
    } else {
      p = ms + "ms";
    }
    return permits + "/" + p + (burst == permits ? "" : ",burst=" + burst);
  }

  @Override
  public String toString() {
    return name + " " + spec();
  }
}
