package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.data.Ids;
import io.parley.testing.MutableClock;
import io.parley.user.LoginFailureStore.Limit;
import io.parley.user.LoginFailureStore.Refusal;
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
 * with 5 failures per username and address and 8 per address within 15 minutes, and a clock the
 * tests move.
 */
abstract class LoginFailureStoreContract {
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final String ATTACKER = "203.0.113.66";
  static final String OWNER = "198.51.100.7";

  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<LoginFailureStore> stores = new ArrayList<>();

  /**
   * A new store with its own keys, allowing {@code maxFailures} per username and address and {@code
   * maxPerAddress} per address within {@code window}.
   */
  abstract LoginFailureStore newStore(MutableClock clock, int maxFailures, int maxPerAddress, Duration window);

  private LoginFailureStore store() {
    LoginFailureStore store = newStore(clock, 5, 8, WINDOW);
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(LoginFailureStore::close);
  }

  private static Optional<Refusal> begin(LoginFailureStore store, String username, String address) {
    return store.begin(username, address, Ids.newSessionId());
  }

  @Test
  void allowsTheLimitThenWaitsUntilTheOldestFailureLeavesTheWindow() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      assertThat(begin(store, "alice", ATTACKER)).as("attempt %d", i + 1).isEmpty();
      clock.advance(Duration.ofMinutes(1));
    }

    // Failures at minutes 0-4, now minute 5: the first leaves the window at minute 15.
    assertThat(begin(store, "alice", ATTACKER))
        .contains(new Refusal(Limit.USERNAME_FROM_ADDRESS, Duration.ofMinutes(10)));
    clock.advance(Duration.ofMinutes(9));
    assertThat(begin(store, "alice", ATTACKER).orElseThrow().retryAfter()).isEqualTo(Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1));
    assertThat(begin(store, "alice", ATTACKER)).isEmpty();
    // The slot freed by the minute-0 failure is used up again; the next frees at minute 16.
    assertThat(begin(store, "alice", ATTACKER).orElseThrow().retryAfter()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void anotherAddressIsNotHeldUpByTheFailuresOfOne() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      begin(store, "alice", ATTACKER);
    }

    assertThat(begin(store, "alice", ATTACKER)).isPresent();
    assertThat(begin(store, "alice", OWNER)).isEmpty();
  }

  @Test
  void oneAddressIsLimitedAcrossUsernames() {
    LoginFailureStore store = store();
    for (int i = 0; i < 8; i++) {
      assertThat(begin(store, "user" + i, ATTACKER)).isEmpty();
    }

    Refusal refusal = begin(store, "someone.else", ATTACKER).orElseThrow();
    assertThat(refusal).isEqualTo(new Refusal(Limit.ADDRESS, WINDOW));
    assertThat(begin(store, "someone.else", OWNER)).isEmpty();
  }

  @Test
  void refusedAttemptsDoNotCountAsFailures() {
    LoginFailureStore store = store();
    for (int i = 0; i < 5; i++) {
      begin(store, "alice", ATTACKER);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(begin(store, "alice", ATTACKER)).isPresent();
      clock.advance(Duration.ofSeconds(10));
    }
    clock.set(Instant.parse("2030-01-01T00:15:00Z"));

    assertThat(begin(store, "alice", ATTACKER)).isEmpty();
  }

  @Test
  void successForgetsTheUsernamesFailuresFromThatAddressAndIsNotAFailureOfTheAddress() {
    LoginFailureStore store = store();
    for (int i = 0; i < 4; i++) {
      begin(store, "alice", OWNER);
    }
    String attempt = Ids.newSessionId();
    assertThat(store.begin("alice", OWNER, attempt)).isEmpty();
    store.succeeded("alice", OWNER, attempt);

    for (int i = 0; i < 4; i++) {
      assertThat(begin(store, "alice", OWNER)).as("alice's failures were forgotten").isEmpty();
    }
    // Counted against the address: 4 + 4 failures; the successful attempt is not one.
    assertThat(begin(store, "bob", OWNER).orElseThrow().limit()).isEqualTo(Limit.ADDRESS);
  }

  @Test
  void manySuccessesFromOneAddressNeverThrottleIt() {
    LoginFailureStore store = store();
    for (int i = 0; i < 30; i++) {
      String attempt = Ids.newSessionId();
      assertThat(store.begin("user" + i, OWNER, attempt)).as("attempt %d", i).isEmpty();
      store.succeeded("user" + i, OWNER, attempt);
    }
  }

  @Test
  void concurrentAttemptsNeverExceedTheLimit() throws Exception {
    LoginFailureStore store = store();
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Refusal>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return begin(store, "alice", ATTACKER);
        }));
      }
      start.countDown();
      int allowed = 0;
      for (Future<Optional<Refusal>> result : results) {
        allowed += result.get(10, TimeUnit.SECONDS).isEmpty() ? 1 : 0;
      }

      assertThat(allowed).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }
}
