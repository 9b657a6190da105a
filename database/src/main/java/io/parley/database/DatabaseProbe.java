package io.parley.database;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.server.Dependency;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Whether a service's PostgreSQL can be reached, for readiness: a HikariCP pool of one connection
 * of its own, checked with {@link Connection#isValid(int)}.
 *
 * <p>The probe keeps apart from the services' pools on purpose: a pool busy with calls, or waiting
 * for a slow query, must not make a process look unready, and a readiness check must not wait
 * behind the calls it stands for. It costs one connection per process, opened lazily and kept.
 * When the server goes away the pool drops the dead connection and opens a new one once it is back.
 *
 * <p>Thread-safe. {@link #isReachable()} takes at most about the settings' connect timeout plus
 * {@code timeout}, and never throws.
 */
public final class DatabaseProbe implements Dependency, AutoCloseable {
  private final HikariDataSource pool;
  private final int validSeconds;

  private DatabaseProbe(HikariDataSource pool, Duration timeout) {
    this.pool = pool;
    this.validSeconds = (int) Math.max(1, timeout.toSeconds());
  }

  /**
   * A probe of the server {@code settings} name, that waits at most {@code timeout} (at least a
   * second) for the server to answer on an open connection. Opens nothing yet.
   */
  public static DatabaseProbe of(DatabaseSettings settings, Duration timeout) {
    requireNonNull(settings, "settings");
    requireNonNull(timeout, "timeout");
    HikariConfig config = new HikariConfig();
    config.setPoolName("parley-db-readiness");
    config.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.addDataSourceProperty("ApplicationName", "parley readiness");
    config.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    config.addDataSourceProperty("socketTimeout", Long.toString(Math.max(2, timeout.toSeconds() + 1)));
    settings.properties().forEach(config::addDataSourceProperty);
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    config.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), settings.connectTimeout().toMillis())));
    // The database may be down when the process starts: that is what the probe is for.
    config.setInitializationFailTimeout(-1);
    return new DatabaseProbe(new HikariDataSource(config), timeout);
  }

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public boolean isReachable() {
    try (Connection connection = pool.getConnection()) {
      return connection.isValid(validSeconds);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "DatabaseProbe{" + pool.getJdbcUrl() + "}";
  }
}
