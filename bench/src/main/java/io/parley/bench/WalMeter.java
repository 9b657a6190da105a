package io.parley.bench;

import io.parley.database.DatabaseSettings;
import io.parley.message.store.PostgresMessageStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The write-ahead log PostgreSQL writes per message stored: what a send costs the store of record
 * in disk writes, and in what a streaming replica and a point-in-time backup must carry. Unlike a
 * rate or a latency, it does not depend on how fast the machine is that day, so it tells whether a
 * change to the send path made the database's work smaller.
 *
 * <p>Read from {@code pg_stat_wal}, which covers the whole server: on the bench's own PostgreSQL
 * only Parley writes, and everything it writes in the window counts (autovacuum's passes and the
 * full-page images that follow a checkpoint included, reported apart). Messages are counted as the
 * sum of the conversations' last seqs (seqs are gapless and the bench deletes nothing), one small
 * table rather than the history.
 */
final class WalMeter {
  /** The server's WAL counters and the messages stored, at one moment. */
  record Reading(long records, long bytes, long fullPageImages, long messages) {}

  private WalMeter() {}

  /**
   * A plain connection to the bench's database, with the URL's connection properties (sslmode,
   * targetServerType, …) as the services' pools have them; the bench's PostgreSQL user is its
   * superuser.
   */
  static Connection connect(DatabaseSettings settings) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(settings.properties());
    if (settings.user() != null) {
      properties.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      properties.setProperty("password", settings.password());
    }
    return DriverManager.getConnection(settings.jdbcUrl(), properties);
  }

  static Reading read(DatabaseSettings settings) throws SQLException {
    try (Connection c = connect(settings); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT w.wal_records, w.wal_bytes, w.wal_fpi, (SELECT coalesce(sum(last_seq), 0) FROM "
            + PostgresMessageStore.SCHEMA + ".conversation) FROM pg_stat_wal w")) {
      rs.next();
      return new Reading(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
    }
  }

  /** Adds the WAL between {@code before} and {@code after}, per message stored in between, to {@code report}. */
  static void report(Report report, Reading before, Reading after) {
    long messages = after.messages() - before.messages();
    if (messages <= 0) {
      return;
    }
    report.figure("messages stored in the window", messages)
        .figure("WAL bytes per message stored", (double) (after.bytes() - before.bytes()) / messages)
        .figure("WAL records per message stored", (double) (after.records() - before.records()) / messages)
        .figure("WAL full-page images in the window", after.fullPageImages() - before.fullPageImages());
  }
}
