package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.database.Database;
import io.parley.database.HotQuery;
import io.parley.error.ParleyException;
import io.parley.testing.DistributionKeys;
import io.parley.testing.PostgresServer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link FriendStore} contract on a real PostgreSQL, plus what only the SQL can get wrong: the
 * distribution keys, the plans of CheckRelation and the lists, and the rows a pair leaves.
 */
class PostgresFriendStoreTest extends FriendStoreContract {
  private Database db;

  @Override
  protected FriendStore createStore() {
    db = PostgresFriendStore.open(PostgresServer.shared().createDatabase());
    return new PostgresFriendStore(db);
  }

  @Override
  protected void stopBackend() {
    db.close();
  }

  @Test
  void theHotQueryPinsTheRelationsDistributionKey() {
    DistributionKeys.assertDistributable(db, PostgresFriendStore.HOT_QUERIES);
  }

  @Test
  void everyListAndRequestLookupPinsTheUserItsTableIsDistributedBy() {
    DistributionKeys.assertDistributable(db, List.of(
        new HotQuery("ListFriends", "relation", "user_id", PostgresFriendStore.LIST_FRIENDS_AFTER),
        new HotQuery("ListBlockedUsers", "relation", "user_id", PostgresFriendStore.LIST_BLOCKED_AFTER),
        new HotQuery("ListFriendRequests", "friend_request", "user_id", PostgresFriendStore.LIST_REQUESTS_AFTER),
        new HotQuery("AcceptFriendRequest", "friend_request", "user_id", PostgresFriendStore.FIND_REQUEST)));
  }

  @Test
  void checkRelationReadsOneRowByItsKeyAndListsScanTheirIndexes() {
    OffsetDateTime now = OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
    assertThat(plan(PostgresFriendStore.CHECK_RELATION, "u1", "u2")).contains("relation_pkey");
    assertThat(plan(PostgresFriendStore.LIST_FRIENDS_AFTER, "u1", now, "u2", 21)).contains("relation_friends");
    assertThat(plan(PostgresFriendStore.LIST_BLOCKED_AFTER, "u1", now, "u2", 21)).contains("relation_blocking");
    assertThat(plan(PostgresFriendStore.LIST_REQUESTS_AFTER, "u1", true, now, "fr1", 21))
        .contains("friend_request_list").doesNotContain("Sort");
  }

  @Test
  void aPairIsTwoRowsWhileSomethingIsBetweenThemAndNoneAfter() {
    String alice = newUser();
    String bob = newUser();
    UserPair pair = UserPair.of(alice, bob);
    store().inPair(pair, tx -> {
      tx.write(tx.state().withBlockingSince(alice, Instant.parse("2025-03-01T08:00:00Z")));
      return null;
    });

    assertThat(count("SELECT count(*) FROM relation WHERE user_id IN (?, ?)", alice, bob)).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM relation WHERE user_id = ? AND peer_blocks", bob, null)).isEqualTo(1);

    store().inPair(pair, tx -> {
      tx.write(tx.state().withBlockingSince(alice, null));
      return null;
    });

    assertThat(count("SELECT count(*) FROM relation WHERE user_id IN (?, ?)", alice, bob)).isZero();
  }

  @Test
  void aChangeThatIsRefusedOnAFreshPairLeavesNoRow() {
    String alice = newUser();
    String bob = newUser();

    assertThatThrownBy(() -> store().inPair(UserPair.of(alice, bob), tx -> {
      tx.write(tx.state().withFriendsSince(Instant.parse("2025-03-01T08:00:00Z")));
      throw FriendErrors.notFriends();
    })).isInstanceOf(ParleyException.class);

    assertThat(count("SELECT count(*) FROM relation WHERE user_id IN (?, ?)", alice, bob)).isZero();
  }

  private long count(String sql, String first, String second) {
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setString(1, first);
        if (second != null) {
          s.setString(2, second);
        }
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  /** The plan of {@code sql} as it would run on large tables: sequential scans are priced out. */
  private String plan(String sql, Object... parameters) {
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
        assertThat(plan.toString()).doesNotContain("Seq Scan");
        return plan.toString();
      }
    });
  }
}
