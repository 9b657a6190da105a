package io.parley.group;

import io.parley.testing.PostgresServer;

/** {@link InvitationsTest} with the groups in PostgreSQL: the state machine, limits and races on the store of record. */
class PostgresInvitationsTest extends InvitationsTest {
  @Override
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, PostgresServer.shared().createDatabase());
  }
}
