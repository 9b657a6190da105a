package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.database.Database;
import io.parley.testing.DistributionKeys;
import io.parley.testing.PostgresServer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link UserStore} contract on a real PostgreSQL, plus what only the SQL can get wrong: the
 * rows written, the distribution keys of the hot queries, and search as index range scans.
 */
class PostgresUserStoreTest extends UserStoreContract {
  private static Database db;

  @BeforeAll
  static void openDatabase() {
    db = PostgresUserStore.open(PostgresServer.shared().createDatabase());
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  @Override
  UserStore newStore(int scanLimit) {
    db.read(c -> {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate("TRUNCATE account, username_claim");
      }
    });
    return new PostgresUserStore(db, scanLimit);
  }

  @Test
  void theHotQueriesPinTheirTablesDistributionKeys() {
    DistributionKeys.assertDistributable(db, PostgresUserStore.HOT_QUERIES);
  }

  @Test
  void anAccountAndItsClaimAreOneRowEach() {
    UserStore store = newStore(100);
    Account alice = account("alice", "Alice Ä.");
    store.create(alice);
    store.create(account("alice", "Usurper"));

    assertThat(rows("SELECT user_id FROM username_claim WHERE username = 'alice'")).containsExactly(alice.userId());
    assertThat(rows("SELECT nickname_folded || '|' || password_hash FROM account"))
        .containsExactly("alice ä.|" + alice.passwordHash());
  }

  @Test
  void searchStatementsAreIndexRangeScans() {
    assertThat(plan(PostgresUserStore.USERNAME_RANGE, "al", "al\u007f", "al", "al", "", 21))
        .contains("Index").contains("username_claim_pkey").doesNotContain("Seq Scan");
    assertThat(plan(PostgresUserStore.NICKNAME_SCAN, "ann", "", "", "b", "c", "u1", 1000))
        .contains("account_nickname_search").doesNotContain("Seq Scan");
  }

  @Test
  void aCursorBecomesTheLowerBoundOfTheRowsAfterIt() {
    assertThat(PostgresUserStore.lowerBound(null, 3)).containsExactly("", "", "");
    assertThat(PostgresUserStore.lowerBound("bob", 2)).containsExactly("bob", "");
    assertThat(PostgresUserStore.lowerBound("bob\0u1", 2)).containsExactly("bob", "u1");
    assertThat(PostgresUserStore.lowerBound("bob\0u1\0junk", 2)).containsExactly("bob", "u1");
    assertThat(PostgresUserStore.lowerBound("nick\0bob", 3)).containsExactly("nick", "bob", "");
    assertThat(PostgresUserStore.lowerBound("\0\0", 3)).containsExactly("", "", "");
  }

  /** The plan of {@code sql} as it would run on a large table: sequential scans are priced out. */
  private static String plan(String sql, Object... parameters) {
    return db.transaction(c -> {
      try (Statement off = c.createStatement()) {
        off.execute("SET LOCAL enable_seqscan = off");
      }
      try (PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
        for (int i = 0; i < parameters.length; i++) {
          s.setObject(i + 1, parameters[i]);
        }
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString();
      }
    });
  }

  private static List<String> rows(String sql) {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }
}
