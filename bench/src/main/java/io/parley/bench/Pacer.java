package io.parley.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an action at a steady rate for a while (open loop): every millisecond, whatever calls are
 * due, in a burst, so that the pacing thread wakes a thousand times a second rather than once per
 * call. Catches up after stalls, the last one included: a run makes exactly the calls its rate and
 * duration call for. (It once returned at the end without the calls due since its last wake-up,
 * which on a busy machine came late: it offered 9,991-9,996 a second of 10,000.)
 */
final class Pacer {
  private static final long TICK_NANOS = 1_000_000;

  private Pacer() {}

  /** Calls {@code action} {@code perSecond} times a second for {@code duration}; returns how many calls were made. */
  static long run(Runnable action, int perSecond, Duration duration) {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long done = 0;
    while (true) {
      long now = Math.min(System.nanoTime(), end);
      // In whole numbers, so that the end's count is exact (333 a second for 3 s: 999, not 998).
      long due = (now - start) * perSecond / 1_000_000_000L;
      while (done < due) {
        action.run();
        done++;
      }
      if (now == end) {
        return done;
      }
      LockSupport.parkNanos(TICK_NANOS);
    }
  }
}
