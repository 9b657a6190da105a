package io.parley.user;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LoginFailureStore} in this process's memory, for the embedded default: per address, the
 * address's failures and those of each username from it, changed together and atomically. Addresses
 * whose failures have all left the window are swept out at most once per window, so attempts from
 * made-up addresses or with made-up usernames cannot grow it without bound; what one address holds
 * is bounded by the limits, since refused attempts are not recorded. Thread-safe.
 */
final class MemoryLoginFailureStore implements LoginFailureStore {
  /** One failure: when, and which attempt. */
  private record Failure(long time, String attemptId) {}

  /** The failures of one address; only touched inside {@code byAddress.compute}. */
  private static final class AddressFailures {
    final List<Failure> all = new ArrayList<>();
    final Map<String, List<Failure>> byUsername = new HashMap<>();

    void prune(long oldest) {
      all.removeIf(f -> f.time() <= oldest);
      byUsername.values().forEach(list -> list.removeIf(f -> f.time() <= oldest));
      byUsername.values().removeIf(List::isEmpty);
    }

    boolean isEmpty() {
      return all.isEmpty() && byUsername.isEmpty();
    }
  }

  private final Clock clock;
  private final int maxFailures;
  private final int maxPerAddress;
  private final long windowMillis;
  private final Map<String, AddressFailures> byAddress = new ConcurrentHashMap<>();
  private volatile long nextSweepMillis;

  MemoryLoginFailureStore(Clock clock, int maxFailures, int maxPerAddress, Duration window) {
    this.clock = requireNonNull(clock, "clock");
    if (maxFailures < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException("the limits must be positive: " + maxFailures + ", " + maxPerAddress);
    }
    this.maxFailures = maxFailures;
    this.maxPerAddress = maxPerAddress;
    this.windowMillis = requireNonNull(window, "window").toMillis();
    if (windowMillis < 1) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  @Override
  public Optional<Refusal> begin(String username, String address, String attemptId) {
    requireNonNull(username, "username");
    requireNonNull(attemptId, "attemptId");
    long now = clock.millis();
    sweepIfDue(now);
    Refusal[] refusal = {null};
    byAddress.compute(requireNonNull(address, "address"), (key, failures) -> {
      AddressFailures f = failures == null ? new AddressFailures() : failures;
      f.prune(now - windowMillis);
      List<Failure> mine = f.byUsername.getOrDefault(username, List.of());
      if (mine.size() >= maxFailures) {
        refusal[0] = new Refusal(Limit.USERNAME_FROM_ADDRESS, waitFor(mine, maxFailures, now));
      } else if (f.all.size() >= maxPerAddress) {
        refusal[0] = new Refusal(Limit.ADDRESS, waitFor(f.all, maxPerAddress, now));
      } else {
        Failure failure = new Failure(now, attemptId);
        f.all.add(failure);
        f.byUsername.computeIfAbsent(username, u -> new ArrayList<>()).add(failure);
      }
      return f.isEmpty() ? null : f;
    });
    return Optional.ofNullable(refusal[0]);
  }

  /** Until the failure that keeps {@code failures} at {@code max} leaves the window (they are in time order). */
  private Duration waitFor(List<Failure> failures, int max, long now) {
    return Duration.ofMillis(Math.max(1, failures.get(failures.size() - max).time() + windowMillis - now));
  }

  @Override
  public void succeeded(String username, String address, String attemptId) {
    requireNonNull(username, "username");
    requireNonNull(attemptId, "attemptId");
    byAddress.computeIfPresent(requireNonNull(address, "address"), (key, f) -> {
      f.byUsername.remove(username);
      f.all.removeIf(failure -> failure.attemptId().equals(attemptId));
      return f.isEmpty() ? null : f;
    });
  }

  @Override
  public void close() {
    byAddress.clear();
  }

  private void sweepIfDue(long now) {
    if (now < nextSweepMillis) {
      return;
    }
    nextSweepMillis = now + windowMillis;
    for (String address : byAddress.keySet()) {
      byAddress.computeIfPresent(address, (key, f) -> {
        f.prune(now - windowMillis);
        return f.isEmpty() ? null : f;
      });
    }
  }
}
