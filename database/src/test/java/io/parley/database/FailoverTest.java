package io.parley.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.testing.PostgresServer;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * High availability as the README describes it: a primary and a streaming standby named together
 * in one URL with {@code targetServerType=primary}. When the primary dies and the standby is
 * promoted, the same {@link Database} finds the new primary by itself, with every committed row.
 */
class FailoverTest {

  @Test
  void afterTheStandbyIsPromotedThePoolWritesToItWithoutARestart() throws Exception {
    try (PostgresServer primary = PostgresServer.start()) {
      DatabaseSettings onPrimary = primary.createDatabase();
      String database = onPrimary.jdbcUrl().substring(onPrimary.jdbcUrl().lastIndexOf('/') + 1);
      try (PostgresServer standby = PostgresServer.startStandby(primary)) {
        DatabaseSettings both = DatabaseSettings.parse("postgresql://parley@127.0.0.1:" + primary.port()
                + ",127.0.0.1:" + standby.port() + "/" + database + "?targetServerType=primary")
            .withConnectTimeout(Duration.ofSeconds(1));
        try (Database db = Database.open(both, "parley_test", "io/parley/database/testdb")) {
          db.transaction(c -> c.createStatement().executeUpdate("INSERT INTO counter (name, value) VALUES ('a', 1)"));
          // Replication is asynchronous here: wait until the standby has the row, as a synchronous
          // standby (synchronous_standby_names) would before the commit returned.
          await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (var c = standby.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM parley_test.counter WHERE name = 'a'")) {
              rs.next();
              return rs.getLong(1) == 1;
            } catch (java.sql.SQLException e) {
              return false;
            }
          });

          primary.kill();
          assertThatThrownBy(() -> db.transaction(c -> c.createStatement().executeUpdate(
              "INSERT INTO counter (name, value) VALUES ('lost', 0)")))
              .as("no primary: the standby refuses writes, and the call says the store is unavailable")
              .isInstanceOfSatisfying(ParleyException.class,
                  e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));

          standby.promote();
          await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(ParleyException.class).until(() ->
              db.transaction(c -> c.createStatement().executeUpdate(
                  "INSERT INTO counter (name, value) VALUES ('b', 2) ON CONFLICT DO NOTHING")) >= 0);
          long rows = db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM counter WHERE name IN ('a', 'b')")) {
              rs.next();
              return rs.getLong(1);
            }
          });
          assertThat(rows).as("the row committed on the old primary, and the one written after failover").isEqualTo(2);
        }
      }
    }
  }
}
