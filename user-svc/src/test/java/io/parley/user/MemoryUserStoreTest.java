package io.parley.user;

class MemoryUserStoreTest extends UserStoreContract {
  @Override
  UserStore newStore(int scanLimit) {
    return new MemoryUserStore(scanLimit);
  }
}
