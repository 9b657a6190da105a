package io.parley.user;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LoginFailureStore} in this process's memory, for the embedded default. Usernames whose
 * failures have all left the window are swept out at most once per window, so attempts with
 * made-up usernames cannot grow it without bound. Thread-safe: each username's failures change
 * atomically.
 */
final class MemoryLoginFailureStore implements LoginFailureStore {
  private final Clock clock;
  private final int maxFailures;
  private final long windowMillis;
  /** Failure times (epoch ms, ascending) per username; each list is immutable. */
  private final Map<String, List<Long>> failures = new ConcurrentHashMap<>();
  private volatile long nextSweepMillis;

  MemoryLoginFailureStore(Clock clock, int maxFailures, Duration window) {
    this.clock = requireNonNull(clock, "clock");
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be positive: " + maxFailures);
    }
    this.maxFailures = maxFailures;
    this.windowMillis = requireNonNull(window, "window").toMillis();
    if (windowMillis < 1) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  @Override
  public Optional<Duration> begin(String username) {
    requireNonNull(username, "username");
    long now = clock.millis();
    sweepIfDue(now);
    long[] wait = {0};
    failures.compute(username, (name, times) -> {
      List<Long> recent = recent(times, now);
      if (recent.size() >= maxFailures) {
        wait[0] = Math.max(1, recent.get(recent.size() - maxFailures) + windowMillis - now);
        return recent;
      }
      List<Long> updated = new ArrayList<>(recent);
      updated.add(now);
      updated.sort(null);
      return List.copyOf(updated);
    });
    return wait[0] == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait[0]));
  }

  @Override
  public void reset(String username) {
    failures.remove(requireNonNull(username, "username"));
  }

  @Override
  public void close() {
    failures.clear();
  }

  /** The failures of {@code times} still within the window at {@code now}. */
  private List<Long> recent(List<Long> times, long now) {
    if (times == null) {
      return List.of();
    }
    return times.stream().filter(t -> t > now - windowMillis).toList();
  }

  private void sweepIfDue(long now) {
    if (now < nextSweepMillis) {
      return;
    }
    nextSweepMillis = now + windowMillis;
    for (String username : failures.keySet()) {
      failures.computeIfPresent(username, (name, times) -> {
        List<Long> recent = recent(times, now);
        return recent.isEmpty() ? null : recent;
      });
    }
  }
}
