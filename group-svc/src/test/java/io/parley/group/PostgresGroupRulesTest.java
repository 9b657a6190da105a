package io.parley.group;

import io.parley.testing.PostgresServer;

/** {@link GroupRulesTest} with the groups in PostgreSQL: the rules, refusals and concurrent changes on the store of record. */
class PostgresGroupRulesTest extends GroupRulesTest {
  @Override
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, PostgresServer.shared().createDatabase());
  }
}
