package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.database.Database;
import io.parley.database.HotQuery;
import io.parley.testing.DistributionKeys;
import io.parley.testing.GenericPlans;
import io.parley.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresGroupStore} against the {@link GroupStoreContract}, on a real PostgreSQL (one
 * database for the class), and what only the schema has: distribution keys and the indexes the
 * hot queries use.
 */
class PostgresGroupStoreTest extends GroupStoreContract {
  private static Database database;

  @BeforeAll
  static void openDatabase() {
    database = Database.open(PostgresServer.shared().createDatabase(), PostgresGroupStore.SCHEMA,
        PostgresGroupStore.MIGRATIONS);
  }

  @AfterAll
  static void closeDatabase() {
    database.close();
  }

  @Override
  GroupStore newStore() {
    return new PostgresGroupStore(database);
  }

  @Test
  void everyHotQueryNamesItsTablesDistributionKey() {
    DistributionKeys.assertDistributable(database, PostgresGroupStore.HOT_QUERIES);
  }

  @Test
  void everyHotQueryIsAnIndexScanWithoutASort() {
    for (HotQuery query : PostgresGroupStore.HOT_QUERIES) {
      String plan = GenericPlans.explain(database, query.sql());
      assertThat(plan).as("%s: %s", query.name(), plan)
          .contains("Index").doesNotContain("Seq Scan").doesNotContain("Sort").doesNotContain("Filter: (ROW");
    }
  }
}
