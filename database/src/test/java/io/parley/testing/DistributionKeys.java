package io.parley.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.database.Database;
import io.parley.database.HotQuery;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a service's hot queries could run on a schema distributed by their keys, as Citus
 * requires: each statement pins its table's distribution column, the column exists, and every
 * unique index of the table (its primary key included) contains it.
 */
public final class DistributionKeys {
  private DistributionKeys() {}

  public static void assertDistributable(Database database, List<HotQuery> queries) {
    assertThat(queries).as("hot queries").isNotEmpty();
    for (HotQuery query : queries) {
      assertThat(query.pinsDistributionKey())
          .as("%s names %s.%s with = ? or = ANY(?): %s", query.name(), query.table(), query.distributionColumn(),
              query.sql())
          .isTrue();
      assertThat(columns(database, query.table()))
          .as("columns of %s.%s", database.schema(), query.table())
          .contains(query.distributionColumn());
      for (List<String> unique : uniqueIndexes(database, query.table())) {
        assertThat(unique)
            .as("a unique index of %s must contain its distribution column %s", query.table(), query.distributionColumn())
            .contains(query.distributionColumn());
      }
    }
  }

  private static List<String> columns(Database database, String table) {
    return database.read(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?")) {
        s.setString(1, database.schema());
        s.setString(2, table);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      }
    });
  }

  private static List<List<String>> uniqueIndexes(Database database, String table) {
    return database.read(c -> {
      try (PreparedStatement s = c.prepareStatement("""
          SELECT array(SELECT a.attname FROM pg_attribute a
                       WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey))
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = ? AND t.relname = ? AND i.indisunique""")) {
        s.setString(1, database.schema());
        s.setString(2, table);
        List<List<String>> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            out.add(List.of((String[]) rs.getArray(1).getArray()));
          }
        }
        return out;
      }
    });
  }
}
