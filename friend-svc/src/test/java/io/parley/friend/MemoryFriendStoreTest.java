package io.parley.friend;

import java.time.Clock;

class MemoryFriendStoreTest extends FriendStoreContractTest {
  @Override
  protected FriendStore createStore(Clock clock) {
    return new MemoryFriendStore(clock);
  }
}
