package io.parley.friend;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.ratelimit.RateLimiter;
import io.parley.server.Platform;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * friend-svc, wired: the one entry point that the launcher and the tests call.
 *
 * <pre>{@code
 * FriendModule friends = FriendModule.create(platform, FriendSettings.defaults(), platform.channel(userTarget),
 *     database);
 * ParleyServer.Builder server = platform.serverBuilder();
 * friends.services().forEach(server::addService);
 * }</pre>
 *
 * <p>Relations are kept in memory ({@link #create(Platform, FriendSettings, Channel)}, the embedded
 * default) or in PostgreSQL ({@link #create(Platform, FriendSettings, Channel, DatabaseSettings)},
 * the store of record), whatever the platform's session store. Relation events go to {@link
 * Platform#events()} (see {@link RelationEvents}); rate limits are counted on the platform's Redis,
 * if it has one, else in memory ({@link RateLimiter#of}). Closing the module releases what it holds of its
 * own, the database pool included; the platform and the user channel stay open, since their owner
 * closes them.
 */
public final class FriendModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(FriendModule.class);

  private final FriendStore store;
  private final Database database;
  private final FriendGrpcService service;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FriendModule(FriendStore store, Database database, FriendGrpcService service) {
    this.store = store;
    this.database = database;
    this.service = service;
  }

  /**
   * Wires friend-svc with relations in this process's memory: they are lost when it exits, and other
   * processes do not see them.
   *
   * @param userChannel a channel to user-svc that propagates the caller's session, as those of
   *     {@link Platform#channel(String)} and {@link io.parley.client.ParleyChannels} do: friend-svc
   *     asks {@code UserService.GetUser} whether users exist, acting for its caller
   */
  public static FriendModule create(Platform platform, FriendSettings settings, Channel userChannel) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    logger.info("friend-svc keeps relations in memory: they are lost when the process exits");
    return create(platform, settings, userChannel, new MemoryFriendStore(), null);
  }

  /**
   * Wires friend-svc with relations in PostgreSQL: opens a pool on {@code database}, creates or
   * migrates the schema {@code parley_friend} (safe when many replicas start at once), and closes the
   * pool with the module.
   *
   * @param userChannel as for {@link #create(Platform, FriendSettings, Channel)}
   * @throws IllegalStateException if the database cannot be reached or migrated
   */
  public static FriendModule create(
      Platform platform, FriendSettings settings, Channel userChannel, DatabaseSettings database) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    requireNonNull(database, "database");
    Database db = PostgresFriendStore.open(database);
    try {
      db.bindTo(platform.meterRegistry());
      logger.info("friend-svc keeps relations in PostgreSQL, schema {} at {}", db.schema(), database.jdbcUrl());
      return create(platform, settings, userChannel, new PostgresFriendStore(db), db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private static FriendModule create(
      Platform platform, FriendSettings settings, Channel userChannel, FriendStore store, Database database) {
    UserDirectory users = new UserDirectory(UserServiceGrpc.newBlockingStub(userChannel), settings.userLookupTimeout());
    FriendRules rules = new FriendRules(store, platform.clock());
    logger.info("friend-svc limits {}", settings.friendRequestLimit());
    return new FriendModule(store, database, new FriendGrpcService(rules, users, platform.events(),
        RateLimiter.of(platform), settings));
  }

  /** The gRPC services to add to a server: {@code parley.friend.v1.FriendService}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** Releases the store and the database pool, if any; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        store.close();
      } finally {
        if (database != null) {
          database.close();
        }
      }
    }
  }
}
