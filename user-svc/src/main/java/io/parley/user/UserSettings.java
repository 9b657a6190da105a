package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;

/**
 * How user-svc behaves: what a password hash costs and where it runs, when logins are throttled,
 * how often a client may call, and how much of the nickname index one search call may read.
 * Immutable; the compact constructor rejects values that make no sense, naming the value.
 *
 * @param argon2MemoryKib Argon2id memory cost in KiB; at least 8 per lane, at most 4 GiB
 * @param argon2Iterations Argon2id time cost (passes over memory), 1-100
 * @param argon2Parallelism Argon2id lanes, 1-16
 * @param maxLoginFailures failed password checks for one username from one client address within
 *     {@code loginFailureWindow} after which that address's further attempts for that username
 *     fail LOGIN_THROTTLED, 1-1000; other addresses are not held up
 * @param maxLoginFailuresPerAddress failed password checks from one client address, whatever the
 *     usernames, within {@code loginFailureWindow} after which its further attempts fail
 *     LOGIN_THROTTLED (against password spraying), at least {@code maxLoginFailures}, at most 100,000
 * @param loginFailureWindow how long a failed attempt counts, 1 second to 1 day
 * @param searchScanLimit nickname index entries one SearchUsers call may examine, at least 1; a
 *     call that reaches it answers with a short (possibly empty) page and a next_page_token
 * @param hashingThreads threads that hash and check passwords, apart from the threads that serve
 *     calls, 1-256. Half the cores by default: a flood of logins then leaves the other half to
 *     every other call (each hash also allocates its 19 MiB afresh, which costs collector pauses)
 * @param hashingQueue password checks that may wait for a hashing thread, 1-100,000; when it is
 *     full, Register, Login and ChangePassword fail at once with PASSWORD_HASHING_BUSY
 * @param registerLimit Register calls per client address ({@code user.register})
 * @param loginLimit Login calls per client address, whatever the outcome ({@code user.login})
 * @param searchLimit SearchUsers calls per user ({@code user.search})
 */
public record UserSettings(
    int argon2MemoryKib,
    int argon2Iterations,
    int argon2Parallelism,
    int maxLoginFailures,
    int maxLoginFailuresPerAddress,
    Duration loginFailureWindow,
    int searchScanLimit,
    int hashingThreads,
    int hashingQueue,
    RateLimit registerLimit,
    RateLimit loginLimit,
    RateLimit searchLimit) {

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
    if (maxLoginFailuresPerAddress < maxLoginFailures || maxLoginFailuresPerAddress > 100_000) {
      throw new IllegalArgumentException("maxLoginFailuresPerAddress must be between maxLoginFailures ("
          + maxLoginFailures + ") and 100000: " + maxLoginFailuresPerAddress);
    }
    requireNonNull(loginFailureWindow, "loginFailureWindow");
    if (loginFailureWindow.compareTo(Duration.ofSeconds(1)) < 0 || loginFailureWindow.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("loginFailureWindow must be between 1 second and 1 day: " + loginFailureWindow);
    }
    if (searchScanLimit < 1) {
      throw new IllegalArgumentException("searchScanLimit must be positive: " + searchScanLimit);
    }
    if (hashingThreads < 1 || hashingThreads > 256) {
      throw new IllegalArgumentException("hashingThreads must be 1-256: " + hashingThreads);
    }
    if (hashingQueue < 1 || hashingQueue > 100_000) {
      throw new IllegalArgumentException("hashingQueue must be 1-100000: " + hashingQueue);
    }
    requireName(registerLimit, "registerLimit", "user.register");
    requireName(loginLimit, "loginLimit", "user.login");
    requireName(searchLimit, "searchLimit", "user.search");
  }

  private static void requireName(RateLimit limit, String setting, String name) {
    requireNonNull(limit, setting);
    if (!limit.name().equals(name)) {
      throw new IllegalArgumentException(setting + " must be named " + name + ": " + limit.name());
    }
  }

  /**
   * Production values: Argon2id with 19 MiB, 2 passes, 1 lane (the OWASP recommendation, some
   * 50-100 ms per hash on one core), on one hashing thread per two cores (at least one), with 8
   * checks per thread waiting at most (well under a second's wait); 5 failures per username and
   * address, 50 per address, within 15 minutes;
   * Register 20 an hour per address (10 at once), Login 60 a minute per address (20 at once),
   * SearchUsers 60 a minute per user (20 at once); 1000 nickname entries per search call.
   */
  public static UserSettings defaults() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    return new UserSettings(19 * 1024, 2, 1, 5, 50, Duration.ofMinutes(15), 1000, threads, 8 * threads,
        RateLimit.parse("user.register", "20/1h,burst=10"),
        RateLimit.parse("user.login", "60/1m,burst=20"),
        RateLimit.parse("user.search", "60/1m,burst=20"));
  }

  /**
   * As {@link #defaults()}, but with Argon2id at 64 KiB and 1 pass, so that tests hash in about a
   * millisecond, and without the per-address limits on Register and Login, since every client of a
   * test calls from the same address. Benchmarks and tests of the limits set their own.
   */
  public static UserSettings forTests() {
    return defaults()
        .withArgon2(64, 1, 1)
        .withRegisterLimit(RateLimit.unlimited("user.register"))
        .withLoginLimit(RateLimit.unlimited("user.login"));
  }

  public UserSettings withArgon2(int memoryKib, int iterations, int parallelism) {
    return new UserSettings(memoryKib, iterations, parallelism, maxLoginFailures, maxLoginFailuresPerAddress,
        loginFailureWindow, searchScanLimit, hashingThreads, hashingQueue, registerLimit, loginLimit, searchLimit);
  }

  /** Sets the failures per username and address and the window; the per-address limit rises to stay above. */
  public UserSettings withLoginThrottle(int maxFailures, Duration window) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxFailures,
        Math.max(maxFailures, maxLoginFailuresPerAddress), window, searchScanLimit, hashingThreads, hashingQueue,
        registerLimit, loginLimit, searchLimit);
  }

  public UserSettings withMaxLoginFailuresPerAddress(int maxFailures) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures, maxFailures,
        loginFailureWindow, searchScanLimit, hashingThreads, hashingQueue, registerLimit, loginLimit, searchLimit);
  }

  public UserSettings withSearchScanLimit(int limit) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures,
        maxLoginFailuresPerAddress, loginFailureWindow, limit, hashingThreads, hashingQueue, registerLimit, loginLimit,
        searchLimit);
  }

  public UserSettings withHashing(int threads, int queue) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures,
        maxLoginFailuresPerAddress, loginFailureWindow, searchScanLimit, threads, queue, registerLimit, loginLimit,
        searchLimit);
  }

  public UserSettings withRegisterLimit(RateLimit limit) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures,
        maxLoginFailuresPerAddress, loginFailureWindow, searchScanLimit, hashingThreads, hashingQueue, limit,
        loginLimit, searchLimit);
  }

  public UserSettings withLoginLimit(RateLimit limit) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures,
        maxLoginFailuresPerAddress, loginFailureWindow, searchScanLimit, hashingThreads, hashingQueue, registerLimit,
        limit, searchLimit);
  }

  public UserSettings withSearchLimit(RateLimit limit) {
    return new UserSettings(argon2MemoryKib, argon2Iterations, argon2Parallelism, maxLoginFailures,
        maxLoginFailuresPerAddress, loginFailureWindow, searchScanLimit, hashingThreads, hashingQueue, registerLimit,
        loginLimit, limit);
  }
}
