package io.parley.database;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A statement on a hot path of a service, and the distribution key it names: the column by which
 * its table could be sharded (for example with Citus) when one PostgreSQL server is no longer
 * enough. A store lists its hot queries; a test checks each against the real schema (the key is in
 * every unique constraint of the table, and the statement pins it with {@code = ?} or
 * {@code = ANY(?)}), so that the property survives changes to either.
 *
 * @param name what the statement is for, e.g. {@code "PullMessages"}
 * @param table the table whose rows the statement finds by the key
 * @param distributionColumn the column the table is distributed by
 * @param sql the statement as the store runs it
 */
public record HotQuery(String name, String table, String distributionColumn, String sql) {
  public HotQuery {
    requireNonNull(name, "name");
    requireNonNull(table, "table");
    requireNonNull(distributionColumn, "distributionColumn");
    requireNonNull(sql, "sql");
  }

  /**
   * Whether the statement pins the distribution key: {@code column = ?} or {@code column = ANY(?)},
   * optionally qualified by a table alias, or the key's value in an INSERT's column list.
   */
  public boolean pinsDistributionKey() {
    String column = Pattern.quote(distributionColumn);
    Pattern where = Pattern.compile("(?is)\\b(?:\\w+\\.)?" + column + "\\s*=\\s*(?:\\?|any\\s*\\(\\s*\\?)");
    Pattern insert = Pattern.compile("(?is)\\binsert\\s+into\\s+" + Pattern.quote(table) + "\\s*\\([^)]*\\b" + column + "\\b");
    return where.matcher(sql).find() || insert.matcher(sql).find();
  }
}
