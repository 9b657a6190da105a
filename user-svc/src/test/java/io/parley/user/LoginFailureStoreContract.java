package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LoginFailureStore} owes its callers, run against each implementation,
 * with 5 failures per 15 minutes and a clock the tests move.
 */
abstract class LoginFailureStoreContract {
  static final Duration WINDOW = Duration.ofMinutes(15);

  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<LoginFailureStore> stores = new ArrayList<>();

  /** A new store with its own keys, allowing {@code maxFailures} within {@code window}. */
  abstract LoginFailureStore newStore(MutableClock clock, int maxFailures, Duration window);

  private LoginFailureStore store() {
    LoginFailureStore store = newStore(clock, 5, WINDOW);
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(LoginFailureStore::close);
  }

  @Test
  void allowsTheLimitThenWaitsUntilTheOldestFailureLeavesTheWindow() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      assertThat(store.begin("alice")).as("attempt %d", i + 1).isEmpty();
      clock.advance(Duration.ofMinutes(1));
    }

    // Failures at minutes 0-4, now minute 5: the first leaves the window at minute 15.
    assertThat(store.begin("alice")).contains(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(9));
    assertThat(store.begin("alice")).contains(Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.begin("alice")).isEmpty();
    // The slot freed by the minute-0 failure is used up again; the next frees at minute 16.
    assertThat(store.begin("alice")).contains(Duration.ofMinutes(1));
  }

  @Test
  void refusedAttemptsDoNotCountAsFailures() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      store.begin("alice");
    }
    for (int i = 0; i < 20; i++) {
      assertThat(store.begin("alice")).isPresent();
      clock.advance(Duration.ofSeconds(10));
    }
    clock.set(Instant.parse("2030-01-01T00:15:00Z"));

    assertThat(store.begin("alice")).isEmpty();
  }

  @Test
  void resetForgetsEveryFailure() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      store.begin("alice");
    }
    store.reset("alice");

    for (int i = 0; i < 5; i++) {
      assertThat(store.begin("alice")).isEmpty();
    }
    assertThat(store.begin("alice")).isPresent();
  }

  @Test
  void usernamesAreCountedSeparately() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      store.begin("alice");
    }

    assertThat(store.begin("alice")).isPresent();
    assertThat(store.begin("bob")).isEmpty();
  }

  @Test
  void concurrentAttemptsNeverExceedTheLimit() throws Exception {
    LoginFailureStore store = store();
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Duration>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return store.begin("alice");
        }));
      }
      start.countDown();
      int allowed = 0;
      for (Future<Optional<Duration>> result : results) {
        allowed += result.get(10, TimeUnit.SECONDS).isEmpty() ? 1 : 0;
      }

      assertThat(allowed).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }
}
