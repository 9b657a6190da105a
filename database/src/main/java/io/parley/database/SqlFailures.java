package io.parley.database;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** What a failed statement means for the call: retry the transaction, report the store down, or a bug. */
final class SqlFailures {
  /** serialization_failure, deadlock_detected: the transaction lost a race and may simply run again. */
  private static final Set<String> RETRYABLE = Set.of("40001", "40P01");

  /**
   * The server is gone, going, not yet ready or out of room for us: admin_shutdown, crash_shutdown,
   * cannot_connect_now, too_many_connections, insufficient resources, a standby that refuses writes
   * (a failover in progress), idle_in_transaction_session_timeout, query_canceled (statement
   * timeout).
   */
  private static final Set<String> UNAVAILABLE =
      Set.of("57P01", "57P02", "57P03", "53300", "53000", "53100", "53200", "25006", "25P03", "57014");

  private SqlFailures() {}

  static boolean isRetryable(SQLException e) {
    return e.getSQLState() != null && RETRYABLE.contains(e.getSQLState());
  }

  /** Whether {@code e}, or an exception it chains, says the database cannot serve us right now. */
  static boolean isUnavailable(SQLException e) {
    for (SQLException next = e; next != null; next = next.getNextException()) {
      if (next instanceof SQLTransientConnectionException) {
        return true; // HikariCP: no connection within connectionTimeout
      }
      String state = next.getSQLState();
      if (state != null && (state.startsWith("08") || UNAVAILABLE.contains(state))) {
        return true;
      }
      if (next.getCause() instanceof java.io.IOException) {
        return true; // pgjdbc wraps socket failures it could not classify
      }
    }
    return false;
  }

  /** unique_violation. */
  static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }
}
