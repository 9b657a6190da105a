package io.parley.database;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on one connection, inside a transaction ({@link Database#transaction}) or on its own
 * ({@link Database#read}). It must not commit, roll back, close the connection, or change its
 * auto-commit mode or isolation: {@link Database} does that. A transaction's work may run more than
 * once (after a deadlock or serialization failure), so it must not have effects outside the
 * database.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection connection) throws SQLException;
}
