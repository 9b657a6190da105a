package io.parley.user;

import io.parley.testing.MutableClock;
import java.time.Duration;

class MemoryLoginFailureStoreTest extends LoginFailureStoreContract {
  @Override
  LoginFailureStore newStore(MutableClock clock, int maxFailures, int maxPerAddress, Duration window) {
    return new MemoryLoginFailureStore(clock, maxFailures, maxPerAddress, window);
  }
}
