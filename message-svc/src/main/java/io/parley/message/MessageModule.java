package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.BindableService;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.events.EventBus;
import io.parley.events.EventLog;
import io.parley.events.LocalEventLog;
import io.parley.events.RedisEventLog;
import io.parley.message.presence.MemoryPresenceSettings;
import io.parley.message.presence.MemoryPresenceStore;
import io.parley.message.presence.PostgresPresenceSettings;
import io.parley.message.presence.PresenceSettings;
import io.parley.message.presence.PresenceStore;
import io.parley.message.presence.RedisPresenceStore;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MemoryMessageStore;
import io.parley.message.store.MessageStore;
import io.parley.message.store.PostgresMessageStore;
import io.parley.ratelimit.RateLimiter;
import io.parley.server.Platform;
import io.parley.session.SessionStore;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * message-svc, wired: the one entry point that the launcher and the tests call.
 *
 * <pre>{@code
 * MessageModule messages = MessageModule.create(platform, MessageSettings.defaults(),
 *     platform.channel(friendTarget), platform.channel(groupTarget), DatabaseSettings.parse(url));
 * ParleyServer server = platform.serverBuilder().addService(messages.services().get(0)).build().start();
 * ...
 * messages.close(); // before server.close(), so that open Subscribe streams end at once
 * server.close();
 * }</pre>
 *
 * <p>Messages, conversations and read state live in PostgreSQL (schema {@code parley_message}) when
 * given {@link DatabaseSettings}, else in this process's memory. Nothing of record goes to Redis:
 * live events travel on an event log kept for {@link MessageSettings#resumeWindow()} (the Redis
 * stream {@code parley:{msg-events}} when the platform is on Redis, else in this process), from
 * which Subscribe streams resume, and the counters of the per-user send limit are kept by the
 * platform's {@link RateLimiter#of rate limiter}. friend-svc and group-svc
 * are called on the given channels with the service credential {@code message-svc}; their change
 * events on the same bus keep the caches honest. Presence ({@link PresenceTracker}) is kept in Redis
 * when the platform is on Redis (else in memory), never in PostgreSQL; only each user's presence
 * privacy setting is stored with the data.
 *
 * <p>{@link #close()} ends every Subscribe stream (UNAVAILABLE, SERVER_BUSY), commits the sends in
 * flight, stops listening and releases the module's threads and its database pool; it does not
 * close the platform or the channels. Thread-safe.
 */
public final class MessageModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(MessageModule.class);

  /** The event bus channel of message-svc's live events. */

  private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(5);
  /** The most entries the in-process event log keeps, whatever the window. */
  private static final int LOCAL_LOG_ENTRIES = 100_000;
  /** Sends waiting for one writer, beyond which a send fails SERVER_BUSY. */
  private static final int MAX_QUEUED_PER_WRITER = 10_000;
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(5);

  private final Database database;
  private final MessageStore store;
  private final SessionStore sessions;
  private final ExecutorService delivery;
  private final SubscriberRegistry subscribers;
  private final LiveEvents events;
  private final EventLog log;
  private final MessageAppender appender;
  private final RetentionSweeper sweeper;
  private final List<EventBus.Subscription> subscriptions;
  private final MessageGrpcService service;
  private final WebhookDispatcher webhooks;
  private final PresenceTracker presence;

  private MessageModule(Platform platform, EventBus bus, EventLog log, MessageSettings settings,
      Channel friendChannel, Channel groupChannel, Database database, WebhookSettings webhookSettings,
      PresenceTracker.Timing timing) {
    this.log = log;
    this.database = database;
    this.webhooks = database == null
        ? WebhookDispatcher.inMemory(webhookSettings, platform.clock())
        : WebhookDispatcher.onPostgres(webhookSettings, database, platform.clock());
    MessageWebhooks sent = new MessageWebhooks(webhooks);
    this.store = database == null ? new MemoryMessageStore() : new PostgresMessageStore(database, sent);
    CallCredentials credentials = platform.serviceCredentials("message-svc");
    FriendDirectory friends = new FriendDirectory(friendChannel, credentials, platform.clock(), settings.cacheTtl(),
        settings.upstreamTimeout());
    GroupDirectory groups = new GroupDirectory(groupChannel, credentials, platform.clock(), settings.cacheTtl(),
        settings.upstreamTimeout());
    AtomicInteger threads = new AtomicInteger();
    this.delivery = Executors.newFixedThreadPool(settings.deliveryThreads(), r -> {
      Thread t = new Thread(r, "parley-msg-delivery-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    MessageMetrics metrics = new MessageMetrics(platform.meterRegistry());
    if (database != null) {
      database.bindTo(platform.meterRegistry());
    }
    StreamPositions positions = new StreamPositions();
    this.subscribers = new SubscriberRegistry(platform.sessionStore(), platform.sessionPolicy(), platform.clock(),
        delivery, settings.subscriberBufferSize(), settings.maxStreamsPerSession(), settings.sessionCheckInterval(),
        metrics, positions);
    this.sessions = platform.sessionStore();
    sessions.addListener(subscribers);
    PresenceStore presenceStore = platform.isRedis()
        ? new RedisPresenceStore(platform.redis())
        : new MemoryPresenceStore();
    PresenceSettings presenceSettings = database == null
        ? new MemoryPresenceSettings()
        : new PostgresPresenceSettings(database);
    PresenceTracker[] tracker = new PresenceTracker[1];
    this.events = new LiveEvents(log,
        new EventRouter(subscribers, groups, positions, event -> tracker[0].deliver(event)), positions,
        message -> ConversationId.parse(message.getConversationId()).ifPresent(
            id -> store.observed(id, message.getSeq(), Timestamps.toMillis(message.getServerTime()))));
    this.presence = new PresenceTracker(presenceStore, presenceSettings,
        new PresenceAudience(presenceSettings, friends, groups, settings.upstreamTimeout().multipliedBy(2)),
        new PresenceWebhooks(webhooks), live -> events.publish(List.of(live)), platform.clock(), timing);
    tracker[0] = presence;
    subscribers.onRemoved(presence::closed);
    this.appender = new MessageAppender(store, committed -> {
      sent.accept(committed);
      events.publish(committed);
    }, settings.writerThreads(), settings.maxBatchSize(), MAX_QUEUED_PER_WRITER, metrics);
    ConversationGuard guard = new ConversationGuard(store, groups, platform.clock(), settings.retentionAge());
    this.sweeper = settings.retentionAge().isPresent() ? new RetentionSweeper(store, guard, RETENTION_INTERVAL) : null;
    this.subscriptions = List.of(friends.listen(bus, presence::relationChanged),
        groups.listen(bus, presence::memberChanged));
    this.service = new MessageGrpcService(store, appender, events, friends, groups, guard, subscribers, settings,
        RateLimiter.of(platform), platform.clock(), BeforeSendHook.of(webhookSettings, platform.clock()), presence);
  }

  /**
   * Builds message-svc on {@code platform} with its data in this process's memory (lost on exit),
   * waiting (up to 5 seconds) until live events flow, so that Subscribe works at once.
   *
   * @param friendChannel a channel to friend-svc (e.g. {@code platform.channel(target)})
   * @param groupChannel a channel to group-svc
   */
  public static MessageModule create(Platform platform, MessageSettings settings, Channel friendChannel,
      Channel groupChannel) {
    requireNonNull(platform, "platform");
    return create(platform, platform.events(), null, settings, friendChannel, groupChannel, null,
        WebhookSettings.none());
  }

  /**
   * Builds message-svc on {@code platform} with its data in PostgreSQL: opens a pool on {@code
   * database}, migrates the schema {@code parley_message} (safe when many replicas start at once),
   * and closes the pool in {@link #close()}. Waits (up to 5 seconds) until live events flow.
   *
   * @throws IllegalStateException if the database cannot be reached or migrated
   */
  public static MessageModule create(Platform platform, MessageSettings settings, Channel friendChannel,
      Channel groupChannel, DatabaseSettings database) {
    requireNonNull(platform, "platform");
    requireNonNull(database, "database");
    return create(platform, platform.events(), null, settings, friendChannel, groupChannel, database,
        WebhookSettings.none());
  }

  /**
   * Builds message-svc as the other factories do, with its data in PostgreSQL if {@code database} is
   * not null (else in memory), and with the operator's webhooks: {@code message.sent} deliveries
   * (queued in the table {@code webhook_outbox} on PostgreSQL, in a bounded memory queue otherwise)
   * and the before-send hook ({@link BeforeSendHook}).
   */
  public static MessageModule create(Platform platform, MessageSettings settings, Channel friendChannel,
      Channel groupChannel, DatabaseSettings database, WebhookSettings webhooks) {
    requireNonNull(platform, "platform");
    return create(platform, platform.events(), null, settings, friendChannel, groupChannel, database, webhooks);
  }

  /**
   * As the public factories, with change notifications on {@code bus} and live events on {@code
   * log} instead of the platform's (tests); a null log is the platform's.
   */
  static MessageModule create(Platform platform, EventBus bus, EventLog log, MessageSettings settings,
      Channel friendChannel, Channel groupChannel, DatabaseSettings database, WebhookSettings webhooks) {
    return create(platform, bus, log, settings, friendChannel, groupChannel, database, webhooks,
        PresenceTracker.Timing.defaults());
  }

  /** As the other factories, with presence leases of {@code presenceTiming} (tests). */
  static MessageModule create(Platform platform, EventBus bus, EventLog log, MessageSettings settings,
      Channel friendChannel, Channel groupChannel, DatabaseSettings database, WebhookSettings webhooks,
      PresenceTracker.Timing presenceTiming) {
    requireNonNull(webhooks, "webhooks");
    requireNonNull(bus, "bus");
    requireNonNull(settings, "settings");
    requireNonNull(friendChannel, "friendChannel");
    requireNonNull(groupChannel, "groupChannel");
    Database db = database == null
        ? null
        : PostgresMessageStore.openDatabase(database);
    MessageModule module;
    try {
      module = new MessageModule(platform, bus, log != null ? log : eventLog(platform, settings), settings,
          friendChannel, groupChannel, db, webhooks, presenceTiming);
    } catch (RuntimeException e) {
      if (db != null) {
        db.close();
      }
      throw e;
    }
    try {
      if (!module.events.awaitListening(LISTEN_TIMEOUT)) {
        logger.warn("message events are not flowing yet after {}; Subscribe fails until they do", LISTEN_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.info("message-svc ready: messages in {}, live events {}, retention {}, limits {} per user (across "
            + "replicas), {} Subscribe streams per session and replica",
        db == null ? "memory (lost on exit)" : "PostgreSQL (schema " + db.schema() + ", " + database.jdbcUrl() + ")",
        (platform.isRedis() ? "on a Redis stream" : "in this process") + ", resumable for " + settings.resumeWindow(),
        settings.retentionAge().map(age -> "of " + age).orElse("none (everything is kept)"), settings.sendLimit(),
        settings.maxStreamsPerSession());
    if (!webhooks.urls().isEmpty() || webhooks.beforeSendUrl().isPresent()) {
      logger.info("message-svc webhooks: {}", webhooks);
    }
    return module;
  }

  /** message-svc's event log: a Redis stream shared by the replicas, or one in this process. */
  private static EventLog eventLog(Platform platform, MessageSettings settings) {
    return platform.isRedis()
        ? new RedisEventLog(platform.redis(), LiveEvents.LOG_NAME, settings.resumeWindow())
        : new LocalEventLog(platform.clock(), settings.resumeWindow(), LOCAL_LOG_ENTRIES);
  }

  /**
   * The gRPC services to add to a server: {@code parley.message.v1.MessageService}, its requests
   * decoded inside each call ({@link RequestDecoding}), so that one protobuf cannot decode fails
   * INVALID_ARGUMENT rather than UNKNOWN.
   */
  public List<BindableService> services() {
    return List.of(() -> RequestDecoding.inCall(service.bindService()));
  }

  /**
   * Ends every open Subscribe stream with UNAVAILABLE / SERVER_BUSY (clients reconnect, on another
   * replica if there is one), and refuses new ones, while unary calls keep working. Call it before
   * the server's graceful shutdown, which would otherwise wait its whole grace period for streams
   * that never end by themselves; {@link #close()} does it too.
   */
  public void drain() {
    subscribers.close();
  }

  /** Subscribe streams open on this replica (tests). */
  int subscriberCount() {
    return subscribers.subscriberCount();
  }

  /** This replica's presence (tests). */
  PresenceTracker presence() {
    return presence;
  }

  /** Runs one retention sweep now (tests); 0 without a retention age. */
  long sweepRetention() {
    return sweeper == null ? 0 : sweeper.sweep();
  }

  @Override
  public void close() {
    subscriptions.forEach(EventBus.Subscription::close);
    sessions.removeListener(subscribers);
    subscribers.close();
    presence.close();
    appender.close();
    events.close();
    log.close();
    if (sweeper != null) {
      sweeper.close();
    }
    webhooks.close();
    delivery.shutdown();
    try {
      if (!delivery.awaitTermination(2, TimeUnit.SECONDS)) {
        delivery.shutdownNow();
      }
    } catch (InterruptedException e) {
      delivery.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (database != null) {
      database.close();
    }
  }
}
