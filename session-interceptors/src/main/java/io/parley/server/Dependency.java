package io.parley.server;

import static java.util.Objects.requireNonNull;

import java.util.function.BooleanSupplier;

/**
 * Something a process needs in order to serve calls, such as its Redis or its PostgreSQL, and a
 * cheap way to ask whether it can be reached right now. A {@link ReadinessMonitor} asks every
 * dependency of a process in turn and turns the process's readiness on and off by the answers.
 *
 * <p>Implementations must be thread-safe, must never throw from {@link #isReachable()} (a failure
 * is a {@code false}), and must bound the time an answer takes by a timeout of their own, shorter
 * than the monitor's interval.
 */
public interface Dependency {

  /** A short name for logs, e.g. {@code redis} or {@code postgresql}; never a URL or a secret. */
  String name();

  /** Whether the dependency answered, within the implementation's timeout. Never throws. */
  boolean isReachable();

  /**
   * A dependency named {@code name} that is reachable when {@code probe} returns true; a probe that
   * throws counts as unreachable.
   */
  static Dependency of(String name, BooleanSupplier probe) {
    requireNonNull(name, "name");
    requireNonNull(probe, "probe");
    return new Dependency() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean isReachable() {
        try {
          return probe.getAsBoolean();
        } catch (RuntimeException e) {
          return false;
        }
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
