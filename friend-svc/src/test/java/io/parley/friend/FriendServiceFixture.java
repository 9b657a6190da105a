package io.parley.friend;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.client.BearerTokenCredentials;
import io.parley.client.ParleyChannels;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.events.EventBus;
import io.parley.friend.v1.FriendServiceGrpc.FriendServiceBlockingStub;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.ratelimit.RateLimit;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.MutableClock;
import io.parley.testing.TestSessions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * friend-svc as the launcher wires it, in-process: a platform, a fake user-svc behind the real
 * interceptors, {@link FriendModule} (on memory or PostgreSQL) on a server with the real interceptor
 * chain, and stubs that call it as a given user, as a service, or anonymously. Relation events are
 * collected.
 */
final class FriendServiceFixture implements AutoCloseable {
  /** The defaults without a limit on friend requests, for tests of the rules that send many. */
  static final FriendSettings WITHOUT_RATE_LIMITS =
      FriendSettings.defaults().withFriendRequestLimit(RateLimit.unlimited("friend.request"));

  private static final TokenKeys KEYS =
      TokenKeys.hmac("friend-svc-tests-0123456789abcdef0123".getBytes(UTF_8));

  final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T08:00:00Z"));
  final Platform platform;
  final FakeUserService users = new FakeUserService();
  private final ParleyServer userServer;
  private final ManagedChannel userChannel;
  private final FriendModule module;
  private final ParleyServer friendServer;
  private final ManagedChannel channel;
  private final EventBus.Subscription subscription;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  private FriendServiceFixture(String store, DatabaseSettings database, FriendSettings settings)
      throws InterruptedException {
    String name = UUID.randomUUID().toString();
    platform = Platform.builder(KEYS).store(store).clock(clock).build();
    userServer = platform.serverBuilder().inProcess("users-" + name).directExecutor().addService(users).build().start();
    userChannel = ParleyChannels.forTarget("in-process:users-" + name);
    module = database == null
        ? FriendModule.create(platform, settings, userChannel)
        : FriendModule.create(platform, settings, userChannel, database);
    ParleyServer.Builder server = platform.serverBuilder().inProcess("friends-" + name).directExecutor();
    module.services().forEach(server::addService);
    friendServer = server.build().start();
    channel = InProcessChannelBuilder.forName("friends-" + name).directExecutor().build();
    CountDownLatch subscribed = new CountDownLatch(1);
    subscription = platform.events().subscribe(RelationEvents.CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        events.add(new String(payload, UTF_8));
      }

      @Override
      public void connected() {
        subscribed.countDown();
      }
    });
    if (!subscribed.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the relation event subscription did not start");
    }
  }

  /** A fixture on the memory stores. */
  static FriendServiceFixture start() {
    return start("memory", null);
  }

  /**
   * A fixture whose platform (sessions, events) is on {@code store}, {@code memory} or a Redis URL,
   * and whose relations are in memory if {@code database} is null, else in that PostgreSQL database.
   */
  static FriendServiceFixture start(String store, DatabaseSettings database) {
    return start(store, database, FriendSettings.defaults());
  }

  /** A fixture on the memory stores with {@code settings}. */
  static FriendServiceFixture start(FriendSettings settings) {
    return start("memory", null, settings);
  }

  /** As {@link #start(String, DatabaseSettings)}, with {@code settings}. */
  static FriendServiceFixture start(String store, DatabaseSettings database, FriendSettings settings) {
    try {
      return new FriendServiceFixture(store, database, settings);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A new user that user-svc knows. */
  String newUser() {
    String userId = Ids.newId("u");
    users.add(userId);
    return userId;
  }

  /** A stub acting for {@code userId}, logged in once on the web terminal. */
  FriendServiceBlockingStub as(String userId) {
    String authorization = tokens.computeIfAbsent(userId, u -> TestSessions.login(platform, u, Terminal.WEB));
    return stub().withCallCredentials(BearerTokenCredentials.of(authorization.substring("Bearer ".length())));
  }

  /** Logs {@code userId} in again (a new session), for the stubs {@link #as} makes from now on. */
  void loginAgain(String userId) {
    tokens.put(userId, TestSessions.login(platform, userId, Terminal.WEB));
  }

  /** A stub with a service credential of {@code serviceName}. */
  FriendServiceBlockingStub asService(String serviceName) {
    return stub().withCallCredentials(platform.serviceCredentials(serviceName));
  }

  /** A stub that sends no credentials. */
  FriendServiceBlockingStub anonymous() {
    return stub();
  }

  private FriendServiceBlockingStub stub() {
    return FriendServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The next relation event's payload, waiting up to 5 s for it (Redis pub/sub is asynchronous). */
  String nextEvent() throws InterruptedException {
    String event = events.poll(5, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no relation event was published");
    }
    return event;
  }

  /** The relation events received and not yet taken, taking them. */
  List<String> drainEvents() {
    List<String> drained = new ArrayList<>();
    events.drainTo(drained);
    return drained;
  }

  /** Stops user-svc: calls to it fail UNAVAILABLE from now on. */
  void stopUserService() {
    userServer.close();
  }

  @Override
  public void close() {
    subscription.close();
    channel.shutdownNow();
    friendServer.close();
    module.close();
    userChannel.shutdownNow();
    userServer.close();
    platform.close();
  }
}
