package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.ratelimit.RateLimiter;
import io.parley.server.Platform;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * user-svc, wired: {@code parley.user.v1.UserService} over an account store (in memory, or in
 * PostgreSQL, the store of record), a login-failure store and a rate limiter (on the platform's
 * Redis if it has one, else in memory: throttling counters may be lost), and its own pool of
 * password-hashing threads. The one entry point that the launcher and the tests call:
 *
 * <pre>{@code
 * try (UserModule users = UserModule.create(platform, UserSettings.defaults(), database)) {
 *   ParleyServer.Builder server = platform.serverBuilder();
 *   users.services().forEach(server::addService);
 *   ...
 * }
 * }</pre>
 *
 * <p>The platform must be able to sign tokens (Login issues them). Closing the module releases
 * what it created, the hashing threads and the database pool included; the platform, and its Redis
 * client, stay open.
 * Thread-safe.
 */
public final class UserModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(UserModule.class);

  /** The prefix of every Redis key of user-svc (login-failure counters only; rate limits are the platform's). */
  static final String KEY_PREFIX = "parley:user:";

  private final UserStore users;
  private final LoginFailureStore failures;
  private final HashingPool hashing;
  private final Database database;
  private final UserGrpcService service;

  private UserModule(
      UserStore users, LoginFailureStore failures, HashingPool hashing, Database database, UserGrpcService service) {
    this.users = users;
    this.failures = failures;
    this.hashing = hashing;
    this.database = database;
    this.service = service;
  }

  /**
   * Builds user-svc with accounts in this process's memory (the embedded default: they are lost when
   * the process exits, and other processes do not see them), whatever the platform's store.
   *
   * @throws IllegalStateException if the platform has no signing key
   */
  public static UserModule create(Platform platform, UserSettings settings) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    logger.info("user-svc stores accounts in memory: they are lost when the process exits");
    return create(platform, settings, new MemoryUserStore(settings.searchScanLimit()), null);
  }

  /**
   * Builds user-svc with accounts in PostgreSQL: opens a pool on {@code database}, creates or
   * migrates the schema {@code parley_user} (safe when many replicas start at once), and closes the
   * pool with the module.
   *
   * @throws IllegalStateException if the platform has no signing key, or the database cannot be
   *     reached or migrated
   */
  public static UserModule create(Platform platform, UserSettings settings, DatabaseSettings database) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(database, "database");
    Database db = PostgresUserStore.open(database);
    try {
      db.bindTo(platform.meterRegistry());
      logger.info("user-svc stores accounts in PostgreSQL, schema {} at {}", db.schema(), database.jdbcUrl());
      return create(platform, settings, new PostgresUserStore(db, settings.searchScanLimit()), db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private static UserModule create(Platform platform, UserSettings settings, UserStore users, Database database) {
    LoginFailureStore failures = platform.isRedis()
        ? new RedisLoginFailureStore(platform.redis(), KEY_PREFIX, platform.clock(), settings.maxLoginFailures(),
            settings.maxLoginFailuresPerAddress(), settings.loginFailureWindow())
        : new MemoryLoginFailureStore(platform.clock(), settings.maxLoginFailures(),
            settings.maxLoginFailuresPerAddress(), settings.loginFailureWindow());
    HashingPool hashing = HashingPool.of(settings);
    UserGrpcService service = new UserGrpcService(users, failures, PasswordHasher.of(settings), hashing,
        RateLimiter.of(platform), settings, platform.sessionStore(), platform.sessionPolicy(), platform.tokenIssuer(),
        platform.clock());
    logger.info("user-svc hashes passwords on {} threads ({} may wait); limits {}, {}, {}", settings.hashingThreads(),
        settings.hashingQueue(), settings.registerLimit(), settings.loginLimit(), settings.searchLimit());
    return new UserModule(users, failures, hashing, database, service);
  }

  /** The gRPC services to add to a server built by {@link Platform#serverBuilder()}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** The account store, for tests that check what was stored. */
  UserStore userStore() {
    return users;
  }

  /** The hashing threads, for tests that keep them busy. */
  HashingPool hashingPool() {
    return hashing;
  }

  @Override
  public void close() {
    try {
      hashing.close();
      failures.close();
    } finally {
      try {
        users.close();
      } finally {
        if (database != null) {
          database.close();
        }
      }
    }
  }
}
