package io.parley.message.store;

class MemoryMessageStoreTest extends MessageStoreContract {
  private final MessageStore store = new MemoryMessageStore();

  @Override
  MessageStore store() {
    return store;
  }
}
