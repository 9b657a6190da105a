package io.parley.group;

import java.time.Clock;

/** {@link MemoryGroupStore} against the {@link GroupStoreContract}. */
class MemoryGroupStoreTest extends GroupStoreContract {
  @Override
  GroupStore newStore(Clock clock) {
    return new MemoryGroupStore(clock);
  }
}
