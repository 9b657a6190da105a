package io.parley.group;

/** {@link MemoryGroupStore} against the {@link GroupStoreContract}. */
class MemoryGroupStoreTest extends GroupStoreContract {
  @Override
  GroupStore newStore() {
    return new MemoryGroupStore();
  }
}
