package io.parley.message.presence;

import io.parley.database.Database;
import io.parley.message.store.PostgresMessageStore;
import io.parley.testing.DistributionKeys;
import io.parley.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on message-svc's schema in a fresh database of the test PostgreSQL. */
class PostgresPresenceSettingsTest extends PresenceSettingsContract {
  private static Database database;
  private static PresenceSettings settings;

  @BeforeAll
  static void open() {
    database = PostgresMessageStore.openDatabase(PostgresServer.shared().createDatabase());
    settings = new PostgresPresenceSettings(database);
  }

  @AfterAll
  static void close() {
    database.close();
  }

  @Override
  PresenceSettings settings() {
    return settings;
  }

  @Test
  void everyHotQueryNamesItsTablesDistributionKey() {
    DistributionKeys.assertDistributable(database, PostgresPresenceSettings.HOT_QUERIES);
  }
}
