package io.parley.session;

import io.parley.testing.MutableClock;

class MemorySessionStoreTest extends SessionStoreContract {
  private final MutableClock clock = MutableClock.startingNow();
  private final MemorySessionStore store = new MemorySessionStore(clock, POLICY);

  @Override
  SessionStore store() {
    return store;
  }

  @Override
  MutableClock clock() {
    return clock;
  }
}
