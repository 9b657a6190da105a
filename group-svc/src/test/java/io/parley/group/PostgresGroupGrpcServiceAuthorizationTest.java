package io.parley.group;

import io.parley.testing.PostgresServer;

/** {@link GroupGrpcServiceAuthorizationTest}'s whole matrix with the groups in PostgreSQL. */
class PostgresGroupGrpcServiceAuthorizationTest extends GroupGrpcServiceAuthorizationTest {
  @Override
  GroupTestServer startServer() throws InterruptedException {
    return GroupTestServer.start(GroupTestServer.settings(), PostgresServer.shared().createDatabase());
  }
}
