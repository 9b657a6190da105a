package io.parley.message.presence;

class MemoryPresenceStoreTest extends PresenceStoreContract {
  @Override
  PresenceStore newStore() {
    return new MemoryPresenceStore();
  }
}
