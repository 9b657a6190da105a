package io.parley.group;

import io.parley.testing.PostgresServer;

/** {@link JoinRequestsTest} with the groups in PostgreSQL: the state machine, limits and races on the store of record. */
class PostgresJoinRequestsTest extends JoinRequestsTest {
  @Override
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, PostgresServer.shared().createDatabase());
  }
}
