package io.parley.testing;

import io.parley.database.Database;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * EXPLAIN of a statement's generic plan: the plan PostgreSQL makes once for any parameter values,
 * which a store's prepared statement runs once it is cached. Sequential scans are priced out, as
 * they are for tables of a real size rather than a test's few rows.
 */
public final class GenericPlans {
  private GenericPlans() {}

  /** The generic plan of {@code sql}, a statement with {@code ?} parameters, for NULL in each. */
  public static String explain(Database database, String sql) {
    int parameters = sql.split("\\?", -1).length - 1;
    return explain(database, sql, "", Collections.nCopies(parameters, "NULL"));
  }

  /**
   * The generic plan of {@code sql}, a statement with {@code ?} parameters as a store runs it.
   *
   * @param options EXPLAIN's options, e.g. {@code "ANALYZE, COSTS OFF"}; empty for none
   * @param arguments one SQL literal per parameter, e.g. {@code "'u1'"} or {@code "NULL"}
   */
  public static String explain(Database database, String sql, String options, List<String> arguments) {
    String[] parts = sql.split("\\?", -1);
    if (arguments.size() != parts.length - 1) {
      throw new IllegalArgumentException(arguments.size() + " arguments for " + (parts.length - 1) + " parameters");
    }
    StringBuilder numbered = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      numbered.append('$').append(i).append(parts[i]);
    }
    String explain = options.isEmpty() ? "EXPLAIN" : "EXPLAIN (" + options + ")";
    return database.transaction(connection -> {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL enable_seqscan = off");
        statement.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        statement.execute("PREPARE generic_plan AS " + numbered);
        try {
          List<String> lines = new ArrayList<>();
          try (ResultSet rs = statement.executeQuery(
              explain + " EXECUTE generic_plan(" + String.join(", ", arguments) + ")")) {
            while (rs.next()) {
              lines.add(rs.getString(1));
            }
          }
          return String.join("\n", lines);
        } finally {
          statement.execute("DEALLOCATE generic_plan");
        }
      }
    });
  }
}
