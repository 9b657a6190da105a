package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.parley.server.Platform;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * user-svc, wired: {@code parley.user.v1.UserService} over the stores that {@link Platform} selects
 * (memory, or the platform's Redis, standalone or Cluster). The one entry point that the launcher
 * and the tests call:
 *
 * <pre>{@code
 * try (UserModule users = UserModule.create(platform, UserSettings.defaults())) {
 *   ParleyServer.Builder server = platform.serverBuilder();
 *   users.services().forEach(server::addService);
 *   ...
 * }
 * }</pre>
 *
 * <p>The platform must be able to sign tokens (Login issues them). Closing the module releases
 * what it created; the platform, and its Redis client, stay open. Thread-safe.
 */
public final class UserModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(UserModule.class);

  /** The prefix of every Redis key of user-svc. */
  static final String KEY_PREFIX = "parley:user:";

  private final UserStore users;
  private final LoginFailureStore failures;
  private final UserGrpcService service;

  private UserModule(UserStore users, LoginFailureStore failures, UserGrpcService service) {
    this.users = users;
    this.failures = failures;
    this.service = service;
  }

  /**
   * Builds user-svc on {@code platform}: Redis-backed stores if the platform's store is Redis,
   * in-memory ones otherwise.
   *
   * @throws IllegalStateException if the platform has no signing key
   */
  public static UserModule create(Platform platform, UserSettings settings) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    UserStore users;
    LoginFailureStore failures;
    if (platform.isRedis()) {
      users = new RedisUserStore(platform.redis(), KEY_PREFIX, settings.searchScanLimit());
      failures = new RedisLoginFailureStore(platform.redis(), KEY_PREFIX, platform.clock(),
          settings.maxLoginFailures(), settings.loginFailureWindow());
      logger.info("user-svc stores accounts in Redis under {}", KEY_PREFIX);
    } else {
      users = new MemoryUserStore(settings.searchScanLimit());
      failures = new MemoryLoginFailureStore(platform.clock(), settings.maxLoginFailures(), settings.loginFailureWindow());
      logger.info("user-svc stores accounts in memory: they are lost when the process exits");
    }
    UserGrpcService service = new UserGrpcService(users, failures, PasswordHasher.of(settings),
        platform.sessionStore(), platform.sessionPolicy(), platform.tokenIssuer(), platform.clock());
    return new UserModule(users, failures, service);
  }

  /** The gRPC services to add to a server built by {@link Platform#serverBuilder()}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** The account store, for tests that check what was stored. */
  UserStore userStore() {
    return users;
  }

  @Override
  public void close() {
    try {
      failures.close();
    } finally {
      users.close();
    }
  }
}
