package io.parley.friend;

class MemoryFriendStoreTest extends FriendStoreContract {
  @Override
  protected FriendStore createStore() {
    return new MemoryFriendStore();
  }
}
