package io.parley.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Runs an action at a steady rate for a while (open loop), catching up after stalls. */
final class Pacer {
  private Pacer() {}

  /** Calls {@code action} {@code perSecond} times a second for {@code duration}; returns how many calls were made. */
  static long run(Runnable action, int perSecond, Duration duration) {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    double interval = 1e9 / perSecond;
    long done = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        return done;
      }
      long due = (long) ((now - start) / interval);
      if (done < due) {
        action.run();
        done++;
      } else {
        LockSupport.parkNanos(Math.max(10_000, (long) interval / 2));
      }
    }
  }
}
