package io.parley.group;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.parley.auth.TokenKeys;
import io.parley.client.ParleyChannels;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.database.DatabaseSettings;
import io.parley.events.EventBus;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupEvent;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.JoinPolicy;
import io.parley.ratelimit.RateLimit;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.MutableClock;
import io.parley.testing.TestSessions;
import java.time.Duration;
import io.parley.webhook.WebhookSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * group-svc as the launcher wires it, in-process, for service tests: a platform (sessions and
 * events in memory by default, or on a Redis URL), a fake user-svc and a fake friend-svc behind
 * the real interceptors, and {@link GroupModule} on the memory store or on PostgreSQL, served by
 * {@link ParleyServer} with the real interceptor chain. Callers get stubs that send a real session
 * token, a service credential, or nothing. Membership events and group events are collected.
 */
final class GroupTestServer implements AutoCloseable {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final TokenKeys KEYS = TokenKeys.hmac("group-svc-tests-0123456789abcdef0123".getBytes(UTF_8));

  final MutableClock clock = new MutableClock(START);
  final Platform platform;
  final FakeUserService users = new FakeUserService();
  final FakeFriendService friends = new FakeFriendService();
  final GroupModule module;
  private final ParleyServer userServer;
  private final ParleyServer friendServer;
  private final ParleyServer groupServer;
  private final ManagedChannel userChannel;
  private final ManagedChannel friendChannel;
  private final ManagedChannel channel;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<GroupEvent> groupEvents = new LinkedBlockingQueue<>();
  private final EventBus.Subscription subscription;
  private final EventBus.Subscription groupSubscription;
  private boolean userServerStopped;
  private boolean friendServerStopped;

  private GroupTestServer(GroupSettings settings, String platformStore, DatabaseSettings database)
      throws InterruptedException {
    this(settings, platformStore, database, WebhookSettings.none());
  }

  private GroupTestServer(GroupSettings settings, String platformStore, DatabaseSettings database,
      WebhookSettings webhooks) throws InterruptedException {
    platform = Platform.builder(KEYS).store(platformStore).clock(clock).build();
    CountDownLatch subscribed = new CountDownLatch(1);
    subscription = platform.events().subscribe(MembershipEvents.CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        events.add(new String(payload, UTF_8));
      }

      @Override
      public void connected() {
        subscribed.countDown();
      }
    });
    CountDownLatch groupSubscribed = new CountDownLatch(1);
    groupSubscription = platform.events().subscribe(GroupEvents.CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        try {
          groupEvents.add(GroupEvents.decode(payload));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError("not a GroupEvent on " + channel, e);
        }
      }

      @Override
      public void connected() {
        groupSubscribed.countDown();
      }
    });
    if (!subscribed.await(10, TimeUnit.SECONDS) || !groupSubscribed.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the event subscriptions did not connect");
    }
    String userName = "users-" + UUID.randomUUID();
    userServer = platform.serverBuilder().inProcess(userName).directExecutor().addService(users).build().start();
    userChannel = ParleyChannels.forTarget("in-process:" + userName);
    String friendName = "friends-" + UUID.randomUUID();
    friendServer = platform.serverBuilder().inProcess(friendName).directExecutor().addService(friends).build().start();
    friendChannel = ParleyChannels.forTarget("in-process:" + friendName);
    module = GroupModule.create(platform, settings, userChannel, friendChannel, database, webhooks);
    String groupName = "groups-" + UUID.randomUUID();
    ParleyServer.Builder builder = platform.serverBuilder().inProcess(groupName).directExecutor();
    module.services().forEach(builder::addService);
    groupServer = builder.build().start();
    channel = ParleyChannels.forTarget("in-process:" + groupName);
  }

  /**
   * The defaults, but without the per-user CreateGroup limit: tests create many groups as one user
   * at one instant of the test clock. Tests of the limit set it.
   */
  static GroupSettings settings() {
    return GroupSettings.defaults().withCreateGroupLimit(RateLimit.unlimited(GroupSettings.CREATE_GROUP_LIMIT));
  }

  /** With {@code webhooks}, on the memory store, with {@link #settings()}. */
  static GroupTestServer withWebhooks(WebhookSettings webhooks) throws InterruptedException {
    return new GroupTestServer(settings(), "memory", null, webhooks);
  }

  /** On the memory store, with {@link #settings()}. */
  static GroupTestServer start() throws InterruptedException {
    return start(settings(), null);
  }

  /** On {@code database}, or on the memory store if it is null. */
  static GroupTestServer start(GroupSettings settings, DatabaseSettings database) throws InterruptedException {
    return new GroupTestServer(settings, "memory", database);
  }

  /** With sessions and events on {@code platformStore} ({@code memory} or a Redis URL), groups on {@code database}. */
  static GroupTestServer start(GroupSettings settings, String platformStore, DatabaseSettings database)
      throws InterruptedException {
    return new GroupTestServer(settings, platformStore, database);
  }

  /** A new user that user-svc knows. */
  String newUser() {
    return users.register();
  }

  /**
   * A group of {@code owner} with {@code members} in it, each invited at creation and having
   * accepted, in order (so joined one after the other).
   */
  Group groupOf(String owner, JoinPolicy policy, String... members) {
    Group group = as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("team").setJoinPolicy(policy))
        .addAllMemberIds(List.of(members)).build());
    for (String member : members) {
      as(member).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(group.getGroupId()).build());
    }
    return group;
  }

  /** A stub acting for {@code userId} with a live WEB session. */
  GroupServiceBlockingStub as(String userId) {
    String authorization = tokens.computeIfAbsent(userId, id -> TestSessions.login(platform, id, Terminal.WEB));
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return anonymous().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A stub with no credential at all. */
  GroupServiceBlockingStub anonymous() {
    return GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A stub acting as {@code serviceName} with a service credential, as message-svc calls. */
  GroupServiceBlockingStub asService(String serviceName) {
    return anonymous().withCallCredentials(platform.serviceCredentials(serviceName));
  }

  /** Membership events published so far, oldest first, removing them. */
  List<String> takeEvents() {
    List<String> taken = new java.util.ArrayList<>();
    events.drainTo(taken);
    return taken;
  }

  /** The next membership event, waiting up to {@code timeout}; null if none came. */
  String nextEvent(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Group events published so far, oldest first, removing them. */
  List<GroupEvent> takeGroupEvents() {
    List<GroupEvent> taken = new java.util.ArrayList<>();
    groupEvents.drainTo(taken);
    return taken;
  }

  /** The next group event, waiting up to {@code timeout}; null if none came. */
  GroupEvent nextGroupEvent(Duration timeout) throws InterruptedException {
    return groupEvents.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops the fake user-svc, as if it were unreachable. */
  void stopUserService() {
    if (!userServerStopped) {
      userServerStopped = true;
      userServer.close();
    }
  }

  /** Stops the fake friend-svc, as if it were unreachable. */
  void stopFriendService() {
    if (!friendServerStopped) {
      friendServerStopped = true;
      friendServer.close();
    }
  }

  @Override
  public void close() {
    subscription.close();
    groupSubscription.close();
    channel.shutdownNow();
    userChannel.shutdownNow();
    friendChannel.shutdownNow();
    groupServer.close();
    stopUserService();
    stopFriendService();
    module.close();
    platform.close();
  }

  /**
   * Runs the calls at once, each on its own thread, released together; returns each outcome in
   * order: "OK" (what a call returns), or the ErrorInfo reason of its refusal.
   */
  static List<String> race(List<Callable<String>> calls) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(calls.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> futures = new java.util.ArrayList<>();
      for (Callable<String> call : calls) {
        futures.add(executor.submit(() -> {
          go.await();
          try {
            return call.call();
          } catch (StatusRuntimeException e) {
            return errorInfo(StatusProto.fromThrowable(e)).getReason();
          }
        }));
      }
      go.countDown();
      List<String> outcomes = new java.util.ArrayList<>();
      for (Future<String> future : futures) {
        outcomes.add(future.get(60, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      executor.shutdownNow();
    }
  }

  /** Asserts that {@code call} fails with {@code code} and the Parley {@code reason}; returns the error's details. */
  static com.google.rpc.Status assertStatus(Status.Code code, ErrorReason reason, ThrowingCallable call) {
    com.google.rpc.Status[] details = new com.google.rpc.Status[1];
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      details[0] = StatusProto.fromThrowable(e);
      assertThat(errorInfo(details[0]).getReason()).as(e.getStatus().toString()).isEqualTo(reason.name());
      assertThat(errorInfo(details[0]).getDomain()).isEqualTo("parley.io");
    });
    return details[0];
  }

  static ErrorInfo errorInfo(com.google.rpc.Status status) {
    return status.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).findFirst()
        .map(a -> unpack(a, ErrorInfo.class)).orElseThrow(() -> new AssertionError("no ErrorInfo in " + status));
  }

  /** The fields a BadRequest names, in order. */
  static List<String> badFields(com.google.rpc.Status status) {
    return status.getDetailsList().stream().filter(a -> a.is(BadRequest.class)).findFirst()
        .map(a -> unpack(a, BadRequest.class).getFieldViolationsList().stream()
            .map(BadRequest.FieldViolation::getField).toList())
        .orElseThrow(() -> new AssertionError("no BadRequest in " + status));
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
