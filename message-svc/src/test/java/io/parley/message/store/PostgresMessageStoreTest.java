package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.data.Ids;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.message.v1.Message;
import io.parley.testing.DistributionKeys;
import io.parley.testing.GenericPlans;
import io.parley.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresMessageStoreTest extends MessageStoreContract {
  private static DatabaseSettings settings;
  private static Database database;
  private static MessageStore store;
  /** The same database through a pool of its own, as another replica reaches it. */
  private static Database otherReplica;

  @BeforeAll
  static void open() {
    settings = PostgresServer.shared().createDatabase();
    database = PostgresMessageStore.openDatabase(settings);
    store = new PostgresMessageStore(database);
    otherReplica = PostgresMessageStore.openDatabase(settings);
  }

  @AfterAll
  static void close() {
    otherReplica.close();
    database.close();
  }

  @Override
  MessageStore store() {
    return store;
  }

  @Test
  void everyHotQueryNamesItsTablesDistributionKey() {
    DistributionKeys.assertDistributable(database, PostgresMessageStore.HOT_QUERIES);
  }

  @Test
  void twoReplicasSendingToTheSameConversationsKeepEachGapless() throws Exception {
    try (Database other = PostgresMessageStore.openDatabase(settings)) {
      List<MessageStore> replicas = List.of(store, new PostgresMessageStore(other));
      List<ConversationId> conversations = List.of(newGroup(), newGroup(), newPrivate(newUser(), newUser()));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        MessageStore replica = replicas.get(t % 2);
        done.add(pool.submit(() -> {
          for (int round = 0; round < 30; round++) {
            List<Draft> batch = new ArrayList<>();
            // Conversations in a different order on each thread: locks are still taken in id order.
            for (int i = 0; i <= round % 3; i++) {
              ConversationId conversation = conversations.get((round + i) % 3);
              String sender = conversation.isGroup() ? newUser() : conversation.firstUser();
              batch.add(draft(conversation, sender, Ids.newId("c"), "m"));
            }
            replica.append(batch);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      for (ConversationId conversation : conversations) {
        MessageSlice all = store.readAfter(conversation, 0, 200, 0);
        assertThat(seqs(all)).containsExactlyElementsOf(range(1, all.lastSeq()));
        assertThat(all.lastSeq()).isPositive();
      }
    }
  }

  @Test
  void aStoreWritesOnTheHeadsItCommittedAndPlansAgainWhereAnotherReplicaMovedOne() {
    PostgresMessageStore mine = new PostgresMessageStore(database);
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    ConversationId group = newGroup();

    assertThat(mine.append(List.of(draft(conversation, a, "1", "one"), draft(group, a, "g1", "g-one"))))
        .extracting(Appended::seq).containsExactly(1L, 1L);
    assertThat(append(mine, draft(conversation, a, "2", "two")).seq()).isEqualTo(2);
    assertThat(mine.lockedBatches()).as("batches that read their heads under lock").isEqualTo(1);

    PostgresMessageStore theirs = new PostgresMessageStore(otherReplica);
    assertThat(append(theirs, draft(conversation, b, "3", "three")).seq()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(1));
    List<Appended> late = mine.append(List.of(draft(conversation, a, "4", "four"), draft(group, a, "g2", "g-two")));

    assertThat(late).extracting(Appended::seq).containsExactly(4L, 2L);
    assertThat(mine.staleHeads()).as("attempts on a moved head").isEqualTo(1);
    assertThat(mine.lockedBatches()).as("planned again on the heads the statement answered").isEqualTo(1);
    MessageSlice all = store.readAfter(conversation, 0, 10, 0);
    assertThat(all.messages()).extracting(m -> m.getContent().getText().getText())
        .containsExactly("one", "two", "three", "four");
    assertThat(seqs(all)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(all.messages().get(3).getServerTime()).isEqualTo(Timestamps.fromMillis(clock.millis()));
    assertThat(seqs(store.readAfter(group, 0, 10, 0))).containsExactly(1L, 2L);
    assertThat(store.readSeqs(a, List.of(conversation, group))).isEqualTo(Map.of(conversation, 2L, group, 2L));
  }

  @Test
  void aHeadReadInTheEventLogSparesTheNextBatchAnAttemptOnAMovedHead() {
    PostgresMessageStore mine = new PostgresMessageStore(database);
    ConversationId conversation = newPrivate(newUser(), newUser());
    append(mine, draft(conversation, conversation.firstUser(), "1", "one"));
    PostgresMessageStore theirs = new PostgresMessageStore(otherReplica);
    Appended reply = append(theirs, draft(conversation, conversation.secondUser(), "2", "two"));

    mine.observed(conversation, reply.seq(), reply.serverTimeMillis());
    mine.observed(conversation, 1, reply.serverTimeMillis());  // an older event changes nothing
    assertThat(append(mine, draft(conversation, conversation.firstUser(), "3", "three")).seq()).isEqualTo(3);

    assertThat(mine.staleHeads()).as("attempts on a moved head").isZero();
    assertThat(mine.lockedBatches()).as("batches that read their heads under lock").isEqualTo(1);
    ConversationId elsewhere = newPrivate(newUser(), newUser());
    mine.observed(elsewhere, 7, reply.serverTimeMillis());  // not written here: not kept
    assertThat(append(mine, draft(elsewhere, elsewhere.firstUser(), "x", "first")).seq()).isEqualTo(1);
    assertThat(mine.lockedBatches()).isEqualTo(2);
  }

  @Test
  void aBatchOnKnownHeadsNeverWaitsForALockInAutoCommitButWaitsInATransaction() throws Exception {
    PostgresMessageStore mine = new PostgresMessageStore(database);
    ConversationId conversation = newGroup();
    String a = newUser();
    append(mine, draft(conversation, a, "1", "one"));
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try (Connection holder = otherReplica.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock = holder.prepareStatement(
          "SELECT 1 FROM conversation WHERE conversation_id = ? FOR UPDATE")) {
        lock.setString(1, conversation.value());
        lock.executeQuery().close();
      }
      Future<Appended> second = sender.submit(() -> append(mine, draft(conversation, a, "2", "two")));

      // The one-statement attempt was refused at once; the locking read waits for the holder.
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> mine.staleHeads() == 1 && mine.lockedBatches() == 2 && backendsWaitingForALock() == 1);
      assertThat(second).isNotDone();
      holder.commit();
      assertThat(second.get(5, TimeUnit.SECONDS).seq()).isEqualTo(2);
    } finally {
      sender.shutdownNow();
    }
    assertThat(seqs(store.readAfter(conversation, 0, 10, 0))).containsExactly(1L, 2L);
  }

  @Test
  void aRetryOnKnownHeadsAnswersTheFirstSendAndStoresTheRestOfItsBatch() {
    PostgresMessageStore mine = new PostgresMessageStore(database);
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    Appended first = append(mine, draft(conversation, a, "same", "first"));

    List<Appended> batch = mine.append(
        List.of(draft(conversation, a, "new", "n"), draft(conversation, a, "same", "again")));

    assertThat(batch.get(0).seq()).isEqualTo(2);
    assertThat(batch.get(1)).isEqualTo(new Appended(first.messageId(), 1, first.serverTimeMillis(), true));
    assertThat(mine.lockedBatches()).as("refused by the unique index, then stored looking it up").isEqualTo(2);
    assertThat(seqs(store.readAfter(conversation, 0, 10, 0))).containsExactly(1L, 2L);
    assertThat(append(mine, draft(conversation, a, "next", "x")).seq()).isEqualTo(3);
  }

  @Test
  void aBatchTheDatabaseRejectsLeavesNoTraceAndNoGap() {
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    Draft good = draft(conversation, a, "good", "fine");
    Draft bad = new Draft(conversation, draft(conversation, a, "bad", "x").message().toBuilder()
        .setMessageId("m\u0000").build(), "s", clock.millis());

    assertThatThrownBy(() -> store.append(List.of(good, bad))).isInstanceOf(IllegalStateException.class);

    assertThat(store.readAfter(conversation, 0, 10, 0)).isEqualTo(new MessageSlice(List.of(), false, 0));
    assertThat(privateConversations(store, a)).doesNotContain(conversation);
    assertThat(append(store, good).seq()).isEqualTo(1);
  }

  @Test
  void sendsCommitSynchronouslyEvenWhereTheServerDefaultIsOff() throws Exception {
    DatabaseSettings lax = PostgresServer.shared().createDatabase();
    String name = lax.jdbcUrl().substring(lax.jdbcUrl().lastIndexOf('/') + 1);
    try (Database db = Database.open(lax, PostgresMessageStore.SCHEMA, PostgresMessageStore.MIGRATIONS)) {
      db.read(c -> {
        try (Statement s = c.createStatement()) {
          s.execute("ALTER DATABASE " + name + " SET synchronous_commit = off");
          // Records the setting in force whenever messages are inserted.
          s.execute("CREATE TABLE commit_mode (setting text)");
          s.execute("""
              CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN INSERT INTO commit_mode VALUES (current_setting('synchronous_commit')); RETURN NULL; END $$""");
          s.execute("""
              CREATE TRIGGER record_commit_mode AFTER INSERT ON message
              FOR EACH STATEMENT EXECUTE FUNCTION record_commit_mode()""");
        }
        return null;
      });
    }
    try (Database plain = Database.open(lax, PostgresMessageStore.SCHEMA, PostgresMessageStore.MIGRATIONS);
        Database db = PostgresMessageStore.openDatabase(lax)) {
      String sessionDefault = plain.read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
          rs.next();
          return rs.getString(1);
        }
      });
      String a = newUser();
      new PostgresMessageStore(db).append(List.of(draft(newPrivate(a, newUser()), a, "c", "durable")));
      List<String> recorded = db.read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT setting FROM commit_mode")) {
          List<String> out = new ArrayList<>();
          while (rs.next()) {
            out.add(rs.getString(1));
          }
          return out;
        }
      });
      assertThat(sessionDefault).isEqualTo("off");
      assertThat(recorded).containsExactly("on");
    }
  }

  @Test
  void smallSendBatchesRunTheWriteStatementsGenericPlanInsteadOfPlanningEachOne() throws Exception {
    try (Database db = PostgresMessageStore.openDatabase(PostgresServer.shared().createDatabase())) {
      // One connection from now on (Flyway needed two), so that every batch and the question below
      // share its prepared statements.
      HikariDataSource pool = (HikariDataSource) db.dataSource();
      pool.getHikariConfigMXBean().setMaximumPoolSize(1);
      pool.getHikariPoolMXBean().softEvictConnections();
      // Past pgjdbc's prepareThreshold (5) and PostgreSQL's five custom plans before it may choose.
      sendOneByOne(new PostgresMessageStore(db), 15);
      long[] plans = twoNumbers(db, """
          SELECT generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE 'WITH locked AS%'""");
      assertThat(plans[0]).as("generic plans run").isGreaterThanOrEqualTo(10);
      assertThat(plans[1]).as("custom plans made").isZero();
    }
  }

  @Test
  void theLastActivityOfAPrivateConversationIsUpdatedInPlaceNotIndexedAgainForEveryMessage() throws Exception {
    try (Database db = PostgresMessageStore.openDatabase(PostgresServer.shared().createDatabase())) {
      PostgresMessageStore fresh = new PostgresMessageStore(db);
      // 1,000 batches, each moving both users' rows: indexed by the exact time, that was 2,000 new
      // entries in the activity index (about ten pages), none of them removed until a vacuum.
      ConversationId conversation = sendOneByOne(fresh, 1_000);
      long[] pages = twoNumbers(db, """
          SELECT pg_relation_size('user_conversation_by_activity') / 8192,
                 pg_relation_size('user_conversation') / 8192""");
      assertThat(pages[0]).as("pages of the activity index (its first is the metapage)").isLessThanOrEqualTo(2);
      assertThat(pages[1]).as("pages of the table").isLessThanOrEqualTo(2);
      assertThat(fresh.latest(conversation.firstUser(), 0, Map.of(), null, 10))
          .extracting(ConversationRef::conversation).containsExactly(conversation);
    }
  }

  @Test
  void aPageOfConversationsReadsThePageNotEveryConversationOfTheUser() {
    String me = newUser();
    for (int i = 0; i < 300; i++) {
      append(store, draft(newPrivate(me, newUser()), me, "c", "hi"));
      clock.advance(Duration.ofMillis(PostgresMessageStore.ACTIVITY_BUCKET_MILLIS / 3));
    }
    String cursor = "timestamptz '9999-12-31 23:59:59.999+00'";
    String user = "'" + me + "'";
    String plan = GenericPlans.explain(database, PostgresMessageStore.LATEST, "ANALYZE, COSTS OFF, TIMING OFF",
        List.of(user, "timestamptz 'epoch'", "253402300799999", user, "timestamptz 'epoch'", "253402300799999",
            cursor, "''", "21", cursor, "''", "21", "'{}'", "'{}'", "'{}'", cursor, "''", "21", "21"));
    // Each read of the table is a range of the activity index: the page's first 21 rows in bucket
    // order, then those of the buckets the page reaches (three conversations a bucket), not all 300.
    Matcher scan = Pattern.compile("Scan using user_conversation_by_activity .*\\(actual rows=(\\d+)").matcher(plan);
    List<Integer> rows = new ArrayList<>();
    while (scan.find()) {
      rows.add(Integer.parseInt(scan.group(1)));
    }
    assertThat(rows).as(plan).hasSize(2).allMatch(n -> n >= 21 && n <= 24, "21 to 24 rows");
    assertThat(plan.lines().filter(line -> line.contains(" on user_conversation ")))
        .as("every read of the table, in %s", plan).hasSize(2);
  }

  /** Sends {@code batches} messages in a new private conversation, each in a batch of its own. */
  private ConversationId sendOneByOne(MessageStore to, int batches) {
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    for (int i = 0; i < batches; i++) {
      to.append(List.of(draft(conversation, conversation.firstUser(), "c" + i, "small")));
    }
    return conversation;
  }

  /** The database's backends waiting for a lock another transaction holds. */
  private static long backendsWaitingForALock() {
    return database.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
          SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'""")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** The first row's two numbers that {@code sql} answers. */
  private static long[] twoNumbers(Database db, String sql) {
    return db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        assertThat(rs.next()).as("a row of %s", sql).isTrue();
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    });
  }

  @Test
  void aMessageIsStoredWithoutRepeatingItsColumnsInThePayload() {
    String a = newUser();
    ConversationId conversation = newGroup();
    Draft draft = draft(conversation, a, "c", "small");
    append(store, draft);
    Message stored = store.find(conversation, 1).orElseThrow();
    byte[] payload = PostgresMessageStore.payload(stored);
    assertThat(payload.length).isLessThan(stored.getSerializedSize() - conversation.value().length());
    assertThat(stored.getContent()).isEqualTo(draft.message().getContent());
  }
}
