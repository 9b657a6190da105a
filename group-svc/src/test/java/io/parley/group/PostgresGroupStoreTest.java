package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.database.Database;
import io.parley.database.HotQuery;
import io.parley.testing.DistributionKeys;
import io.parley.testing.PostgresServer;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
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
      String plan = plan(query.sql());
      assertThat(plan).as("%s: %s", query.name(), plan)
          .contains("Index").doesNotContain("Seq Scan").doesNotContain("Sort").doesNotContain("Filter: (ROW");
    }
  }

  /**
   * The generic plan of {@code sql} (the one for any parameter values), with sequential scans
   * priced out as they are for tables of a real size rather than this test's few rows.
   */
  private static String plan(String sql) {
    String[] parts = sql.split("\\?", -1);
    StringBuilder numbered = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      numbered.append('$').append(i).append(parts[i]);
    }
    String nulls = String.join(", ", Collections.nCopies(parts.length - 1, "NULL"));
    return database.transaction(connection -> {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL enable_seqscan = off");
        statement.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        statement.execute("PREPARE hot AS " + numbered);
        try {
          List<String> lines = new ArrayList<>();
          try (ResultSet rs = statement.executeQuery("EXPLAIN EXECUTE hot(" + nulls + ")")) {
            while (rs.next()) {
              lines.add(rs.getString(1));
            }
          }
          return String.join("\n", lines);
        } finally {
          statement.execute("DEALLOCATE hot");
        }
      }
    });
  }
}
