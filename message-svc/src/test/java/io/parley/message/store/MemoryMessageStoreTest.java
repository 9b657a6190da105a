package io.parley.message.store;

import io.parley.testing.MutableClock;

class MemoryMessageStoreTest extends MessageStoreContract {
  @Override
  MessageStore newStore(MutableClock clock, Retention retention) {
    return new MemoryMessageStore(clock, retention);
  }
}
