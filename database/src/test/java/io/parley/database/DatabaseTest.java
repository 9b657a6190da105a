package io.parley.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  private static final String MIGRATIONS = "io/parley/database/testdb";

  private static DatabaseSettings settings;
  private static Database db;

  @BeforeAll
  static void open() {
    settings = PostgresServer.shared().createDatabase();
    db = Database.open(settings, "parley_test", MIGRATIONS);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void migrationsCreateTheSchemaAndTheTablesInIt() {
    String schema = db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT table_schema FROM information_schema.columns WHERE table_name = 'counter' AND column_name = 'note'")) {
        return rs.next() ? rs.getString(1) : null;
      }
    });
    assertThat(schema).isEqualTo("parley_test");
  }

  @Test
  void manyReplicasMigratingAtOnceApplyEachMigrationOnce() throws Exception {
    DatabaseSettings fresh = PostgresServer.shared().createDatabase();
    int replicas = 6;
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Database>> opened = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      opened.add(pool.submit(() -> {
        start.await();
        return Database.open(fresh, "parley_race", MIGRATIONS);
      }));
    }
    start.countDown();
    List<Database> all = new ArrayList<>();
    for (Future<Database> f : opened) {
      all.add(f.get());
    }
    pool.shutdown();
    int applied = all.get(0).read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT count(*) FROM parley_race.flyway_schema_history WHERE success AND version IS NOT NULL")) {
        rs.next();
        return rs.getInt(1);
      }
    });
    all.forEach(Database::close);
    assertThat(applied).isEqualTo(2);
  }

  @Test
  void aRefusalRollsBackEveryWriteOfItsTransaction() {
    insert("refused", 1);
    assertThatThrownBy(() -> db.transaction(c -> {
      update(c, "refused", 2);
      throw new ParleyException(ErrorReason.PERMISSION_DENIED, "no");
    })).isInstanceOf(ParleyException.class).hasMessage("no");
    assertThat(value("refused")).isEqualTo(1);
  }

  @Test
  void concurrentIncrementsUnderRowLocksLoseNothing() throws Exception {
    insert("hits", 0);
    int threads = 6;
    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) {
          db.transaction(c -> {
            long current;
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM counter WHERE name = ? FOR UPDATE")) {
              s.setString(1, "hits");
              try (ResultSet rs = s.executeQuery()) {
                rs.next();
                current = rs.getLong(1);
              }
            }
            update(c, "hits", current + 1);
            return null;
          });
        }
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertThat(value("hits")).isEqualTo(threads * each);
  }

  @Test
  void aDeadlockRunsTheLosingTransactionAgain() throws Exception {
    insert("left", 0);
    insert("right", 0);
    CountDownLatch bothLocked = new CountDownLatch(2);
    AtomicInteger runs = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<?> a = pool.submit(() -> crosswise("left", "right", bothLocked, runs));
    Future<?> b = pool.submit(() -> crosswise("right", "left", bothLocked, runs));
    a.get();
    b.get();
    pool.shutdown();
    // Both committed in the end; the deadlock victim ran again (its retry may race the winner into a
    // second deadlock, so perhaps more than once).
    assertThat(value("left")).isEqualTo(2);
    assertThat(value("right")).isEqualTo(2);
    assertThat(runs.get()).isGreaterThanOrEqualTo(3);
  }

  private static void crosswise(String first, String second, CountDownLatch bothLocked, AtomicInteger runs) {
    db.transaction(c -> {
      runs.incrementAndGet();
      increment(c, first);
      bothLocked.countDown();
      try {
        bothLocked.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      increment(c, second);
      return null;
    });
  }

  @Test
  void anUnexpectedSqlErrorIsABugNotAnOutage() {
    assertThatThrownBy(() -> db.read(c -> c.createStatement().execute("SELECT * FROM no_such_table")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("42P01");
  }

  @Test
  void aStoppedDatabaseFailsCallsUnavailableAndServesThemAgainOnceBack() {
    try (PostgresServer own = PostgresServer.start()) {
      DatabaseSettings ownSettings = own.createDatabase().withConnectTimeout(Duration.ofSeconds(1));
      try (Database ownDb = Database.open(ownSettings, "parley_test", MIGRATIONS)) {
        ownDb.read(c -> c.createStatement().executeUpdate("INSERT INTO counter (name, value) VALUES ('x', 7)"));
        own.kill();
        assertThatThrownBy(() -> ownDb.read(c -> c.createStatement().execute("SELECT 1")))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));
        assertThatThrownBy(() -> ownDb.transaction(c -> c.createStatement().execute("SELECT 1")))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));
        assertThat(ownDb.isReachable(Duration.ofSeconds(1))).isFalse();

        own.restart();
        // The pool finds the server again by itself (its retries back off, so allow it a moment).
        await().atMost(Duration.ofSeconds(15)).ignoreExceptionsInstanceOf(ParleyException.class).untilAsserted(() ->
            assertThat(ownDb.<Long>read(c -> {
              try (ResultSet rs = c.createStatement().executeQuery("SELECT value FROM counter WHERE name = 'x'")) {
                rs.next();
                return rs.getLong(1);
              }
            })).isEqualTo(7));
        assertThat(ownDb.isReachable(Duration.ofSeconds(1))).isTrue();
      }
    }
  }

  @Test
  void sessionSettingsHoldOnEveryConnectionBesideTheUrlsOwnOptions() {
    DatabaseSettings withOptions = new DatabaseSettings(settings.jdbcUrl(), settings.user(), settings.password(),
        Map.of("options", "-c lock_timeout=7s"), 3, settings.connectTimeout());
    try (Database own = Database.open(withOptions, "parley_test", MIGRATIONS,
        Map.of("synchronous_commit", "remote_write", "statement_timeout", "9s"))) {
      for (int i = 0; i < 3; i++) {
        List<String> shown = own.transaction(c -> {
          List<String> values = new ArrayList<>();
          for (String setting : List.of("synchronous_commit", "statement_timeout", "lock_timeout")) {
            try (ResultSet rs = c.createStatement().executeQuery("SHOW " + setting)) {
              rs.next();
              values.add(rs.getString(1));
            }
          }
          return values;
        });
        assertThat(shown).containsExactly("remote_write", "9s", "7s");
      }
    }
    assertThatThrownBy(() -> Database.open(settings, "parley_test", MIGRATIONS,
        Map.of("search_path", "x -c synchronous_commit=off")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a plain PostgreSQL setting");
  }

  @Test
  void anUnreachableDatabaseAtStartIsAClearError() {
    DatabaseSettings nowhere = DatabaseSettings.parse("postgresql://parley@127.0.0.1:1/none")
        .withConnectTimeout(Duration.ofMillis(500));
    assertThatThrownBy(() -> Database.open(nowhere, "parley_test", MIGRATIONS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot migrate schema parley_test")
        .hasMessageContaining("127.0.0.1:1");
  }

  private static void insert(String name, long value) {
    db.read(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO counter (name, value) VALUES (?, ?)")) {
        s.setString(1, name);
        s.setLong(2, value);
        return s.executeUpdate();
      }
    });
  }

  private static void update(Connection c, String name, long value) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE counter SET value = ? WHERE name = ?")) {
      s.setLong(1, value);
      s.setString(2, name);
      s.executeUpdate();
    }
  }

  private static void increment(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE counter SET value = value + 1 WHERE name = ?")) {
      s.setString(1, name);
      s.executeUpdate();
    }
  }

  private static long value(String name) {
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT value FROM counter WHERE name = ?")) {
        s.setString(1, name);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }
}
