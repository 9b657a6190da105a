package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.parley.events.EventBus;
import io.parley.message.store.MemoryMessageStore;
import io.parley.message.store.MessageStore;
import io.parley.message.store.RedisMessageStore;
import io.parley.message.store.Retention;
import io.parley.server.Platform;
import io.parley.session.SessionStore;
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
 *     platform.channel(friendTarget), platform.channel(groupTarget));
 * ParleyServer server = platform.serverBuilder().addService(messages.services().get(0)).build().start();
 * ...
 * messages.close(); // before server.close(), so that open Subscribe streams end at once
 * server.close();
 * }</pre>
 *
 * <p>The store follows the platform: Redis (keys under {@code parley:msg:}, live events on the
 * channel {@code parley:msg:events}) when the platform's store is Redis, else this process's
 * memory. friend-svc and group-svc are called on the given channels with the service credential
 * {@code message-svc}; their change events on {@link Platform#events()} keep the caches honest.
 *
 * <p>{@link #close()} ends every Subscribe stream (UNAVAILABLE, SERVER_BUSY), stops listening and
 * releases the module's threads; it does not close the platform or the channels. Thread-safe.
 */
public final class MessageModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(MessageModule.class);

  /** The prefix of every Redis key and channel of message-svc. */
  public static final String REDIS_PREFIX = "parley:msg:";

  private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(5);

  private final MessageStore store;
  private final SessionStore sessions;
  private final ExecutorService delivery;
  private final SubscriberRegistry subscribers;
  private final List<EventBus.Subscription> subscriptions;
  private final MessageGrpcService service;

  private MessageModule(Platform platform, MessageSettings settings, Channel friendChannel, Channel groupChannel) {
    Retention retention = new Retention(settings.retentionAge(), settings.retentionCount(), settings.idempotencyWindow());
    this.store = platform.isRedis()
        ? new RedisMessageStore(platform.redis(), platform.clock(), retention, REDIS_PREFIX)
        : new MemoryMessageStore(platform.clock(), retention);
    CallCredentials credentials = platform.serviceCredentials("message-svc");
    FriendDirectory friends = new FriendDirectory(friendChannel, credentials, platform.clock(), settings.cacheTtl(),
        settings.upstreamTimeout());
    GroupDirectory groups = new GroupDirectory(groupChannel, credentials, platform.clock(), settings.cacheTtl(),
        settings.upstreamTimeout());
    GroupIndexer indexer = new GroupIndexer(store);
    AtomicInteger threads = new AtomicInteger();
    this.delivery = Executors.newFixedThreadPool(settings.deliveryThreads(), r -> {
      Thread t = new Thread(r, "parley-msg-delivery-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.subscribers = new SubscriberRegistry(platform.sessionStore(), platform.sessionPolicy(), platform.clock(),
        delivery, settings.subscriberBufferSize(), settings.sessionCheckInterval());
    this.sessions = platform.sessionStore();
    sessions.addListener(subscribers);
    store.addListener(new EventRouter(subscribers, groups));
    this.subscriptions = List.of(
        friends.listen(platform.events()),
        groups.listen(platform.events(), new GroupDirectory.ChangeListener() {
          @Override
          public void changed(String groupId, String userId) {
            indexer.forget(groupId, userId);
          }

          @Override
          public void all() {
            indexer.forgetAll();
          }
        }));
    ConversationGuard guard = new ConversationGuard(store, groups, indexer);
    this.service = new MessageGrpcService(store, friends, groups, guard, indexer, subscribers, settings, platform.clock());
  }

  /**
   * Builds message-svc on {@code platform}, waiting (up to 5 seconds) until live events flow, so
   * that Subscribe works at once.
   *
   * @param friendChannel a channel to friend-svc (e.g. {@code platform.channel(target)})
   * @param groupChannel a channel to group-svc
   */
  public static MessageModule create(Platform platform, MessageSettings settings, Channel friendChannel,
      Channel groupChannel) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(friendChannel, "friendChannel");
    requireNonNull(groupChannel, "groupChannel");
    MessageModule module = new MessageModule(platform, settings, friendChannel, groupChannel);
    try {
      if (!module.store.awaitListening(LISTEN_TIMEOUT)) {
        logger.warn("message events are not flowing yet after {}; Subscribe fails until they do", LISTEN_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.info("message-svc ready on the {} store", platform.isRedis() ? "Redis" : "memory");
    return module;
  }

  /** The gRPC services to add to a server: {@code parley.message.v1.MessageService}. */
  public List<BindableService> services() {
    return List.of(service);
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

  @Override
  public void close() {
    subscriptions.forEach(EventBus.Subscription::close);
    sessions.removeListener(subscribers);
    subscribers.close();
    store.close();
    delivery.shutdown();
    try {
      if (!delivery.awaitTermination(2, TimeUnit.SECONDS)) {
        delivery.shutdownNow();
      }
    } catch (InterruptedException e) {
      delivery.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
