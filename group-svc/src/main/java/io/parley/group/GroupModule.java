package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.ratelimit.RateLimiter;
import io.parley.server.Platform;
import java.util.List;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * group-svc, wired: the one entry point that the launcher and the tests call.
 *
 * <pre>{@code
 * GroupModule groups = GroupModule.create(platform, GroupSettings.defaults(), platform.channel(userTarget),
 *     platform.channel(friendTarget), DatabaseSettings.parse("postgresql://parley@db:5432/parley"));
 * ParleyServer.Builder server = platform.serverBuilder();
 * groups.services().forEach(server::addService);
 * }</pre>
 *
 * <p>Groups live in PostgreSQL when the module is given {@link DatabaseSettings} (schema {@value
 * PostgresGroupStore#SCHEMA}, migrated at start), else in this process's memory, lost on exit (the
 * embedded default). Whether the platform uses Redis does not matter for the groups: Redis carries
 * only the sessions, the events ({@link Platform#events()}, see {@link MembershipEvents} and
 * {@link GroupEvents}) and the counters of the per-user CreateGroup limit ({@link RateLimiter#of}).
 * The services must be served behind the platform's session interceptor
 * ({@link Platform#serverBuilder()}), which enforces each method's auth level.
 *
 * <p>group-svc asks user-svc whether invited users exist (acting for the caller) and friend-svc
 * whether the caller and an invitee block each other or are friends (with its own service
 * credential, {@code CheckRelation} being INTERNAL).
 *
 * <p>The module owns neither the platform nor the channels; {@link #close()} releases only what
 * the module created (the database pool). Thread-safe.
 */
public final class GroupModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(GroupModule.class);

  private final GroupStore store;
  private final Database database;
  private final GroupGrpcService service;
  private final WebhookDispatcher webhooks;

  private GroupModule(GroupStore store, Database database, GroupGrpcService service, WebhookDispatcher webhooks) {
    this.store = store;
    this.database = database;
    this.service = service;
    this.webhooks = webhooks;
  }

  /**
   * Wires group-svc on the memory store: one process, data lost on exit.
   *
   * @param userChannel a channel to user-svc, with {@link io.parley.client.PropagatingClientInterceptor}
   *     installed (as {@link Platform#channel(String)} and {@link io.parley.client.ParleyChannels}
   *     build them), so that user lookups act for the caller
   * @param friendChannel a channel to friend-svc, built the same way; its calls carry group-svc's
   *     service credential
   */
  public static GroupModule create(Platform platform, GroupSettings settings, Channel userChannel,
      Channel friendChannel) {
    requireNonNull(platform, "platform");
    GroupModule module = wire(platform, settings, userChannel, friendChannel, new MemoryGroupStore(), null,
        WebhookSettings.none());
    logger.info("group-svc ready: memory store (groups are lost on exit), {}", describe(settings));
    return module;
  }

  /**
   * Wires group-svc on PostgreSQL: opens a pool on {@code database} and migrates schema {@value
   * PostgresGroupStore#SCHEMA}, which any number of replicas may do at once.
   *
   * @param userChannel as for {@link #create(Platform, GroupSettings, Channel, Channel)}
   * @param friendChannel as for {@link #create(Platform, GroupSettings, Channel, Channel)}
   * @throws IllegalStateException if the database cannot be reached or migrated
   */
  public static GroupModule create(Platform platform, GroupSettings settings, Channel userChannel,
      Channel friendChannel, DatabaseSettings database) {
    requireNonNull(database, "database");
    return create(platform, settings, userChannel, friendChannel, database, WebhookSettings.none());
  }

  /**
   * Wires group-svc on PostgreSQL if {@code database} is not null (else in memory), with the
   * operator's membership webhooks ({@link MembershipWebhooks}), queued in the table {@code
   * webhook_outbox} of the schema on PostgreSQL, in a bounded memory queue otherwise.
   */
  public static GroupModule create(Platform platform, GroupSettings settings, Channel userChannel,
      Channel friendChannel, DatabaseSettings database, WebhookSettings webhooks) {
    requireNonNull(webhooks, "webhooks");
    if (database == null) {
      requireNonNull(platform, "platform");
      GroupModule module = wire(platform, settings, userChannel, friendChannel, new MemoryGroupStore(), null,
          webhooks);
      logger.info("group-svc ready: memory store (groups are lost on exit), {}, {}", describe(settings), webhooks);
      return module;
    }
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    requireNonNull(friendChannel, "friendChannel");
    requireNonNull(database, "database");
    Database db = Database.open(database, PostgresGroupStore.SCHEMA, PostgresGroupStore.MIGRATIONS);
    try {
      db.bindTo(platform.meterRegistry());
      GroupModule module = wire(platform, settings, userChannel, friendChannel, new PostgresGroupStore(db), db,
          webhooks);
      logger.info("group-svc ready: PostgreSQL store ({}, schema {}), {}", database.jdbcUrl(), db.schema(),
          describe(settings));
      return module;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private static GroupModule wire(Platform platform, GroupSettings settings, Channel userChannel,
      Channel friendChannel, GroupStore store, Database database, WebhookSettings webhookSettings) {
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    requireNonNull(friendChannel, "friendChannel");
    FriendDirectory friends = new FriendDirectory(friendChannel, platform.serviceCredentials("group-svc"),
        settings.userLookupTimeout());
    GroupRules rules = new GroupRules(store, new UserDirectory(userChannel, settings.userLookupTimeout()), friends,
        settings, platform.clock());
    WebhookDispatcher webhooks = database == null
        ? WebhookDispatcher.inMemory(webhookSettings, platform.clock())
        : WebhookDispatcher.onPostgres(webhookSettings, database, platform.clock());
    GroupGrpcService service = new GroupGrpcService(rules, new MembershipEvents(platform.events()),
        new GroupEvents(platform.events(), platform.clock()), RateLimiter.of(platform), settings,
        new MembershipWebhooks(webhooks, platform.clock()));
    return new GroupModule(store, database, service, webhooks);
  }

  private static String describe(GroupSettings settings) {
    return "at most " + settings.maxMembers() + " members per group, " + settings.maxOwnedGroups()
        + " owned groups per user, " + settings.maxPendingInvitations() + " pending invitations per user, limits "
        + settings.createGroupLimit() + " per user (across replicas)"
        + (settings.friendsAddDirectly() ? ", friends add each other directly" : "");
  }

  /** The gRPC services to serve: {@code parley.group.v1.GroupService}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** The store, for tests of this package. */
  GroupStore store() {
    return store;
  }

  @Override
  public void close() {
    webhooks.close();
    store.close();
    if (database != null) {
      database.close();
    }
  }
}
