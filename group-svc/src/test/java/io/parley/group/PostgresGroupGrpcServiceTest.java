package io.parley.group;

import io.parley.database.DatabaseSettings;
import io.parley.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;

/** {@link GroupGrpcServiceTest} with the groups in PostgreSQL: one database for the class, a pool per server. */
class PostgresGroupGrpcServiceTest extends GroupGrpcServiceTest {
  private static DatabaseSettings database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.shared().createDatabase();
  }

  @Override
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, database);
  }
}
