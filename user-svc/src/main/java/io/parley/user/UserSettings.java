package io.parley.user;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How user-svc behaves: what a password hash costs, when logins are throttled, and how much of the
 * nickname index one search call may read. Immutable; the compact constructor rejects values that
 * make no sense, naming the value.
 *
 * @param argon2MemoryKib Argon2id memory cost in KiB; at least 8 per lane, at most 4 GiB
 * @param argon2Iterations Argon2id time cost (passes over memory), 1-100
 * @param argon2Parallelism Argon2id lanes, 1-16
 * @param maxLoginFailures failed password checks for one username within {@code
 *     loginFailureWindow} after which further attempts fail LOGIN_THROTTLED, 1-1000
 * @param loginFailureWindow how long a failed attempt counts, 1 second to 1 day
 * @param searchScanLimit nickname index entries one SearchUsers call may examine, at least 1; a
 *     call that reaches it answers with a short (possibly empty) page and a next_page_token
 */
public record UserSettings(
    int argon2MemoryKib,
    int argon2Iterations,
    int argon2Parallelism,
    int maxLoginFailures,
    Duration loginFailureWindow,
    int searchScanLimit) {

  public UserSettings {
    if (argon2Parallelism < 1 || argon2Parallelism > 16) {
      throw new IllegalArgumentException("argon2Parallelism must be 1-16: " + argon2Parallelism);
    }
    if (argon2MemoryKib < 8 * argon2Parallelism || argon2MemoryKib > 4 * 1024 * 1024) {
      throw new IllegalArgumentException("argon2MemoryKib must be between 8 per lane (" + 8 * argon2Parallelism
          + ") and 4194304: " + argon2MemoryKib);
    }
    if (argon2Iterations < 1 || argon2Iterations > 100) {
      throw new IllegalArgumentException("argon2Iterations must be 1-100: " + argon2Iterations);
    }
    if (maxLoginFailures < 1 || maxLoginFailures > 1000) {
      throw new IllegalArgumentException("maxLoginFailures must be 1-1000: " + maxLoginFailures);
    }
    requireNonNull(loginFailureWindow, "loginFailureWindow");
    if (loginFailureWindow.compareTo(Duration.ofSeconds(1)) < 0 || loginFailureWindow.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("loginFailureWindow must be between 1 second and 1 day: " + loginFailureWindow);
    }
    if (searchScanLimit < 1) {
      throw new IllegalArgumentException("searchScanLimit must be positive: " + searchScanLimit);
    }
  }

  /**
   * Production values: Argon2id with 19 MiB, 2 passes, 1 lane (the OWASP recommendation, some
   * 50-100 ms per hash on one core); 5 failures within 15 minutes; 1000 nickname entries per
   * search call.
   */
  public static UserSettings defaults() {
    return new UserSettings(19 * 1024, 2, 1, 5, Duration.ofMinutes(15), 1000);
  }

  /** As {@link #defaults()}, but with Argon2id at 64 KiB and 1 pass, so that tests hash in about a millisecond. */
  public static UserSettings forTests() {
    return defaults().withArgon2(64, 1, 1);
  }

  public UserSettings withArgon2(int memoryKib, int iterations, int parallelism) {
    return new UserSettings(memoryKib, iterations, parallelism, maxLoginFailures, loginFailureWindow, searchScanLimit);
  }

  public UserSettings withLoginThrottle(int maxFailures, Duration window) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxFailures, window, searchScanLimit);
  }

  public UserSettings withSearchScanLimit(int limit) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures, loginFailureWindow, limit);
  }
}
