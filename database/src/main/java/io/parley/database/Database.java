package io.parley.database;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's store of record: a HikariCP pool of pgjdbc connections whose {@code search_path}
 * is the service's own schema, migrated by Flyway when opened, and transactions whose failures
 * come out as Parley error reasons.
 *
 * <p><b>Schemas.</b> Each service owns one schema ({@code parley_user}, {@code parley_friend}, …)
 * and its migrations, under {@code db/migration} on its classpath. {@link #open} creates the schema
 * if needed and applies pending migrations under Flyway's PostgreSQL advisory lock, so any number of
 * replicas may start at once: one migrates, the others wait for it and find nothing to do. Several
 * services may share one database, each in its own schema, or use one database each.
 *
 * <p><b>Failures.</b> Work that throws a {@link ParleyException} (a refusal) rolls back and the
 * exception propagates unchanged. A deadlock or serialization failure runs the transaction again,
 * up to {@value #ATTEMPTS} times, then fails ABORTED. A database that cannot be reached (down,
 * restarting, failing over, out of connections, or not answering within the connect timeout)
 * fails the call UNAVAILABLE with reason STORE_UNAVAILABLE, never INTERNAL; the pool reconnects
 * by itself when it is back. A server that hangs instead of failing is given up on after 30
 * seconds without an answer (pgjdbc's {@code socketTimeout}; the URL may set another). When a
 * commit's connection breaks, the outcome is unknown to us: the call fails UNAVAILABLE and the
 * client's retry must be idempotent (as sends are, by client_msg_id). Any other SQL error is a
 * bug: it fails INTERNAL, and its text stays in the log.
 *
 * <p><b>Metrics.</b> {@link #bindTo} has HikariCP report the pool to a Micrometer registry:
 * {@code hikaricp.connections.*} (active, idle, pending, max, timeouts, acquire/usage/creation
 * times), tagged {@code pool="parley-db-<schema>"}.
 *
 * <p>Thread-safe. Close it after the servers that use it have stopped.
 */
public final class Database implements AutoCloseable, MeterBinder {
  private static final Logger logger = LoggerFactory.getLogger(Database.class);
  private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  /** A setting's name, and a value that needs no quoting in a start-up packet's options. */
  private static final Pattern SETTING = Pattern.compile("[a-z][a-z0-9_.]{0,62}");
  private static final Pattern SETTING_VALUE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  static final int ATTEMPTS = 5;
  /** How long a statement may wait for the server's answer, unless the URL sets {@code socketTimeout}. */
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

  private final String schema;
  private final HikariDataSource pool;
  /** Where connections come from: the pool, or the pool behind the JDBC instrumentation when traced. */
  private final DataSource connections;
  private final AtomicBoolean down = new AtomicBoolean();

  private Database(String schema, HikariDataSource pool, OpenTelemetry openTelemetry) {
    this.schema = schema;
    this.pool = pool;
    this.connections = openTelemetry == OpenTelemetry.noop() ? pool : JdbcTelemetry.create(openTelemetry).wrap(pool);
  }

  /**
   * Has the pool report its connections and their wait and use times to {@code registry}, from now
   * on (HikariCP's Micrometer tracker).
   *
   * @throws IllegalStateException if the pool was bound to a registry already
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(requireNonNull(registry, "registry")));
  }

  /**
   * Opens a pool on {@code settings}, with {@code schema} as its search path, and migrates the schema
   * with the Flyway scripts under {@code migrations} on the classpath.
   *
   * @param schema the service's schema, e.g. {@code parley_user}
   * @param migrations a classpath folder of Flyway scripts ({@code V1__init.sql}, …), e.g.
   *     {@code io/parley/user/db/migration}
   * @throws IllegalStateException if the database cannot be reached or a migration fails, with a
   *     message saying which (and no password)
   */
  public static Database open(DatabaseSettings settings, String schema, String migrations) {
    return open(settings, schema, migrations, Map.of());
  }

  /**
   * {@link #open(DatabaseSettings, String, String)} with {@code sessionSettings} (PostgreSQL
   * parameters such as {@code synchronous_commit}) in force on every connection of the pool from its
   * start: they travel in the connection's start-up packet ({@code options=-c name=value}), cost no
   * statement, and take precedence over the server's, the database's and the role's defaults.
   */
  public static Database open(DatabaseSettings settings, String schema, String migrations,
      Map<String, String> sessionSettings) {
    requireNonNull(settings, "settings");
    requireNonNull(sessionSettings, "sessionSettings");
    requireNonNull(migrations, "migrations");
    if (!SCHEMA.matcher(requireNonNull(schema, "schema")).matches()) {
      throw new IllegalArgumentException("schema must be a lower-case SQL identifier: " + schema);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("parley-db-" + schema);
    config.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.addDataSourceProperty("ApplicationName", "parley " + schema);
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    // A server that hangs (rather than dies) must not hold a call, or a writer thread, for ever.
    config.addDataSourceProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
    settings.properties().forEach(config::addDataSourceProperty);
    if (!sessionSettings.isEmpty()) {
      config.addDataSourceProperty("options", options(settings.properties().get("options"), sessionSettings));
    }
    config.setSchema(schema);
    config.setMaximumPoolSize(settings.maxPoolSize());
    config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    config.setValidationTimeout(Math.min(settings.connectTimeout().toMillis(), 1000));
    // Start even if the database is down for now; the migration below says so clearly.
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      MigrateResult result = Flyway.configure(Database.class.getClassLoader())
          .dataSource(pool)
          .schemas(schema)
          .createSchemas(true)
          .locations("classpath:" + migrations)
          .failOnMissingLocations(true)
          .load()
          .migrate();
      if (result.migrationsExecuted > 0) {
        logger.info("schema {} migrated to version {} ({} migrations applied)", schema, result.targetSchemaVersion,
            result.migrationsExecuted);
      } else {
        logger.info("schema {} is up to date at version {}", schema, result.initialSchemaVersion);
      }
    } catch (RuntimeException e) {
      pool.close();
      throw new IllegalStateException("cannot migrate schema " + schema + " at " + settings.jdbcUrl() + ": "
          + rootMessage(e), e);
    }
    return new Database(schema, pool, settings.openTelemetry());
  }

  /** The start-up {@code options} of a connection: the URL's own, then {@code -c name=value} per setting. */
  private static String options(String fromUrl, Map<String, String> sessionSettings) {
    StringBuilder options = new StringBuilder(fromUrl == null ? "" : fromUrl);
    new TreeMap<>(sessionSettings).forEach((name, value) -> {
      if (!SETTING.matcher(name).matches() || !SETTING_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("not a plain PostgreSQL setting: " + name + "=" + value);
      }
      options.append(options.isEmpty() ? "" : " ").append("-c ").append(name).append('=').append(value);
    });
    return options.toString();
  }

  /** This database's schema. */
  public String schema() {
    return schema;
  }

  /** The pool, for tools that need a plain {@link DataSource} (tests, benchmarks); untraced. */
  public DataSource dataSource() {
    return pool;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction and commits it: all of its writes happen, or
   * none. Lock the rows a decision depends on ({@code SELECT … FOR UPDATE}) in a fixed order.
   *
   * @throws ParleyException what the work threw (after rolling back); ABORTED after {@value
   *     #ATTEMPTS} lost races; STORE_UNAVAILABLE if the database cannot be reached
   */
  public <T> T transaction(SqlWork<T> work) {
    requireNonNull(work, "work");
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = connections.getConnection()) {
        T result;
        try {
          connection.setAutoCommit(false);
          result = work.run(connection);
        } catch (SQLException | RuntimeException | Error e) {
          rollbackQuietly(connection);
          throw e;
        }
        connection.commit();
        healthy();
        return result;
      } catch (SQLException e) {
        if (SqlFailures.isRetryable(e) && attempt < ATTEMPTS) {
          logger.debug("transaction on {} lost a race ({}), attempt {}", schema, e.getSQLState(), attempt);
          backOff(attempt);
          continue;
        }
        throw translate(e);
      }
    }
  }

  /**
   * Runs {@code work} on a connection in auto-commit mode: each statement is its own transaction.
   * For reads that need no consistency across statements, and single-statement writes.
   *
   * @throws ParleyException what the work threw; STORE_UNAVAILABLE if the database cannot be reached
   */
  public <T> T read(SqlWork<T> work) {
    requireNonNull(work, "work");
    try (Connection connection = connections.getConnection()) {
      T result = work.run(connection);
      healthy();
      return result;
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /** Whether a trivial query answers within {@code timeout}; for readiness checks (untraced). Never throws. */
  public boolean isReachable(Duration timeout) {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
      statement.execute("SELECT 1");
      return true;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Connections open and in use, for metrics and tests. */
  public PoolUsage poolUsage() {
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    return bean == null
        ? new PoolUsage(0, 0, 0)
        : new PoolUsage(bean.getTotalConnections(), bean.getActiveConnections(), bean.getThreadsAwaitingConnection());
  }

  /**
   * A snapshot of the pool.
   *
   * @param total connections open
   * @param active connections lent out
   * @param waiting threads waiting for one
   */
  public record PoolUsage(int total, int active, int waiting) {}

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "Database{" + schema + "}";
  }

  private RuntimeException translate(SQLException e) {
    if (SqlFailures.isUnavailable(e)) {
      if (down.compareAndSet(false, true)) {
        logger.warn("database of {} is unavailable: {} (calls fail UNAVAILABLE until it is back)", schema,
            rootMessage(e));
      }
      return ParleyException.builder(ErrorReason.STORE_UNAVAILABLE)
          .message("the database is unavailable; retry")
          .cause(e)
          .build();
    }
    if (SqlFailures.isRetryable(e)) {
      return ParleyException.builder(ErrorReason.ABORTED)
          .message("too many concurrent changes; retry")
          .cause(e)
          .build();
    }
    return new IllegalStateException("SQL failed on " + schema + " [" + e.getSQLState() + "]: " + e.getMessage(), e);
  }

  private void healthy() {
    if (down.get() && down.compareAndSet(true, false)) {
      logger.info("database of {} is reachable again", schema);
    }
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      logger.debug("rollback failed; the pool discards the connection", e);
    }
  }

  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ParleyException.builder(ErrorReason.ABORTED).message("interrupted; retry").build();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
