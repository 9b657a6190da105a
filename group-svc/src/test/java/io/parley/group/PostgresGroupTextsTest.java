package io.parley.group;

import io.parley.database.DatabaseSettings;
import io.parley.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;

/** {@link GroupTextsTest} with the groups in PostgreSQL: what is stored is what the rules returned. */
class PostgresGroupTextsTest extends GroupTextsTest {
  private static DatabaseSettings database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.shared().createDatabase();
  }

  @Override
  GroupTestServer startServer() throws InterruptedException {
    return GroupTestServer.start(GroupTestServer.settings(), database);
  }
}
