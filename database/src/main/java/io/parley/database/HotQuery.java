package io.parley.database;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement on a hot path of a service, and the distribution key it names: the column by which
 * its table could be sharded (for example with Citus) when one PostgreSQL server is no longer
 * enough. A store lists its hot queries; a test checks each against the real schema (the key is in
 * every unique constraint of the table, and the statement pins it with {@code = ?}, {@code =
 * ANY(?)} or a join with an array parameter), so that the property survives changes to either.
 *
 * @param name what the statement is for, e.g. {@code "PullMessages"}
 * @param table the table whose rows the statement finds by the key
 * @param distributionColumn the column the table is distributed by
 * @param sql the statement as the store runs it
 */
public record HotQuery(String name, String table, String distributionColumn, String sql) {
  /** {@code unnest(?, ?::text[], …) AS alias(columns)}, of parameters only: group 1 the alias, group 2 its columns. */
  private static final Pattern UNNEST_OF_PARAMETERS = Pattern.compile(
      "(?is)\\bunnest\\s*\\(\\s*\\?(?:::\\w+\\[\\])?(?:\\s*,\\s*\\?(?:::\\w+\\[\\])?)*\\s*\\)"
          + "\\s+AS\\s+(\\w+)\\s*\\(([^)]*)\\)");

  /** Words that may follow a table's name without being its alias. */
  private static final Pattern NOT_AN_ALIAS = Pattern.compile(
      "(?i)set|where|on|using|join|inner|left|right|full|cross|natural|group|order|limit|returning|for|union");

  public HotQuery {
    requireNonNull(name, "name");
    requireNonNull(table, "table");
    requireNonNull(distributionColumn, "distributionColumn");
    requireNonNull(sql, "sql");
  }

  /**
   * Whether the statement pins the distribution key: {@code column = ?} or {@code column = ANY(?)},
   * optionally qualified by a table alias; the key's value in an INSERT's column list; or the key
   * joined with a column of the same name of an array parameter, as in {@code UPDATE t SET … FROM
   * unnest(?::text[], …) AS a(column, …) WHERE t.column = a.column}, which names each row's key
   * as {@code = ANY(?)} would name them all.
   */
  public boolean pinsDistributionKey() {
    String column = Pattern.quote(distributionColumn);
    Pattern where = Pattern.compile("(?is)\\b(?:\\w+\\.)?" + column + "\\s*=\\s*(?:\\?|any\\s*\\(\\s*\\?)");
    Pattern insert = Pattern.compile("(?is)\\binsert\\s+into\\s+" + Pattern.quote(table) + "\\s*\\([^)]*\\b" + column + "\\b");
    return where.matcher(sql).find() || insert.matcher(sql).find() || joinsParameterArray(column);
  }

  /**
   * Whether {@code unnest(?…) AS a(…, column, …)} is in the statement and {@code t.column =
   * a.column}, where {@code t} is the table or its alias.
   */
  private boolean joinsParameterArray(String column) {
    String qualifiers = tableQualifiers();
    Matcher arrays = UNNEST_OF_PARAMETERS.matcher(sql);
    while (arrays.find()) {
      String alias = Pattern.quote(arrays.group(1));
      if (Pattern.compile("(?i)(?:^|,)\\s*" + column + "\\s*(?:,|$)").matcher(arrays.group(2)).find()
          && Pattern.compile("(?is)\\b(?:" + qualifiers + ")\\." + column + "\\s*=\\s*" + alias + "\\."
              + column + "\\b").matcher(sql).find()) {
        return true;
      }
    }
    return false;
  }

  /** The table's name and its aliases ({@code UPDATE t x}, {@code FROM t AS x}, …), as alternatives. */
  private String tableQualifiers() {
    StringBuilder out = new StringBuilder(Pattern.quote(table));
    Matcher named = Pattern.compile("(?is)\\b(?:update|from|join)\\s+" + Pattern.quote(table)
        + "\\s+(?:as\\s+)?(\\w+)").matcher(sql);
    while (named.find()) {
      if (!NOT_AN_ALIAS.matcher(named.group(1)).matches()) {
        out.append('|').append(Pattern.quote(named.group(1)));
      }
    }
    return out.toString();
  }
}
