package io.parley.friend;

import io.parley.testing.PostgresServer;

/**
 * Every rule of {@link FriendRulesTest}, the concurrency tests included, with relations in a real
 * PostgreSQL: refusals change nothing and concurrent calls keep the pair invariants there too.
 */
class PostgresFriendRulesTest extends FriendRulesTest {
  @Override
  protected FriendServiceFixture startFixture() {
    return FriendServiceFixture.start("memory", PostgresServer.shared().createDatabase(),
        FriendServiceFixture.WITHOUT_RATE_LIMITS);
  }
}
