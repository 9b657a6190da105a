package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.database.DatabaseSettings;
import io.parley.launcher.NodeConfig;
import io.parley.message.MessageSettings;
import io.parley.ratelimit.RateLimit;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Parley a scenario measures. Started: its own redis-server (sessions, caches, live events)
 * and PostgreSQL (the store of record, with synchronous commit as in production), and user, friend
 * and group nodes plus as many message-svc replicas as asked, each a node of the launcher as in
 * production (sharing this JVM, and so the machine's cores, with the bench's clients). Or connected: the
 * services of a running deployment named by {@code --target}. Either way users are registered
 * and logged in through user-svc itself, under names unique to the run.
 */
final class Deployment implements AutoCloseable {
  /**
   * A modest production-like PostgreSQL: synchronous commit and fsync stay on (the defaults), with
   * room in shared buffers for the hot part of the history.
   */
  private static final String[] POSTGRES_SETTINGS = {"shared_buffers=512MB", "max_wal_size=4GB"};

  /** A registered, logged-in user. */
  record BenchUser(String id, String token) {}

  /** Null when connected to a running deployment. */
  private final RedisServer redis;
  /** Null when connected to a running deployment. */
  private final PostgresServer postgres;
  /** The services' database; null when connected to a running deployment. */
  final DatabaseSettings database;
  private final TokenKeys keys;
  private final List<ParleyNode> nodes = new ArrayList<>();
  final String userTarget;
  final String friendTarget;
  final String groupTarget;
  final List<String> messageTargets;
  final ManagedChannel userChannel;
  final ManagedChannel friendChannel;
  final ManagedChannel groupChannel;
  /** One shared channel per message-svc replica. */
  final List<ManagedChannel> messageChannels = new ArrayList<>();
  /** The users' own connections to message-svc, made by {@link #messageConnections}. */
  private final List<ManagedChannel> connections = new ArrayList<>();
  /** Makes this run's usernames unique, so that a running deployment can be measured again. */
  private final String runTag = runTag();

  /** Starts a deployment with {@code messageReplicas} message-svc replicas. */
  static Deployment start(int messageReplicas) {
    return new Deployment(messageReplicas);
  }

  /**
   * The deployment {@code targets} name (user, friend, group and message, as far as given; a
   * missing role's channel is null), or a new one if they name none.
   */
  static Deployment of(Targets targets, int messageReplicas) {
    return targets.isEmpty() ? start(messageReplicas) : new Deployment(targets);
  }

  private Deployment(int messageReplicas) {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    keys = TokenKeys.hmac(secret);
    redis = RedisServer.start();
    PostgresServer started = null;
    DatabaseSettings db = null;
    try {
      started = PostgresServer.start(POSTGRES_SETTINGS);
      db = started.createDatabase().withMaxPoolSize(16);
    } catch (RuntimeException e) {
      redis.close();
      if (started != null) {
        started.close();
      }
      throw e;
    }
    postgres = started;
    database = db;
    try {
      ParleyNode users = started(node(Role.USER).build());
      userTarget = "127.0.0.1:" + users.grpcPort();
      friendTarget = "127.0.0.1:" + started(node(Role.FRIEND).target(Role.USER, userTarget).build()).grpcPort();
      groupTarget = "127.0.0.1:" + started(node(Role.GROUP).target(Role.USER, userTarget)
          .target(Role.FRIEND, friendTarget).groupMaxMembers(5000).build())
          .grpcPort();
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < messageReplicas; i++) {
        messages.add("127.0.0.1:" + started(node(Role.MESSAGE)
            .target(Role.FRIEND, friendTarget)
            .target(Role.GROUP, groupTarget)
            .build()).grpcPort());
      }
      messageTargets = List.copyOf(messages);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    userChannel = channel(userTarget);
    friendChannel = channel(friendTarget);
    groupChannel = channel(groupTarget);
    messageTargets.forEach(t -> messageChannels.add(channel(t)));
  }

  private Deployment(Targets targets) {
    redis = null;
    postgres = null;
    database = null;
    keys = null;
    userTarget = first(targets, "user");
    friendTarget = first(targets, "friend");
    groupTarget = first(targets, "group");
    messageTargets = targets.addresses().getOrDefault("message", List.of());
    try {
      userChannel = userTarget == null ? null : channel(userTarget);
      friendChannel = friendTarget == null ? null : channel(friendTarget);
      groupChannel = groupTarget == null ? null : channel(groupTarget);
      messageTargets.forEach(t -> messageChannels.add(channel(t)));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Four random base-36 characters for the names of what a run creates, so that runs against the
   * same deployment or store, one after the other or at once, do not meet.
   */
  static String runTag() {
    return Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
  }

  private static String first(Targets targets, String role) {
    List<String> list = targets.addresses().get(role);
    return list == null ? null : list.get(0);
  }

  private ParleyNode started(NodeConfig config) {
    ParleyNode node = ParleyNode.start(config);
    nodes.add(node);
    return node;
  }

  /** The started deployment's Redis. */
  String redisUrl() {
    if (!isLocal()) {
      throw new IllegalStateException("a running deployment's Redis is not known to the bench");
    }
    return redis.url();
  }

  /** Keys in the started deployment's Redis ({@code DBSIZE}). */
  long redisKeys() {
    try (redis.clients.jedis.Jedis jedis = redis.connect()) {
      return jedis.dbSize();
    }
  }

  /**
   * How long the nodes the bench starts keep live events for streams to resume (2 minutes by
   * default): short, so that the history scenario sees Redis hold nothing of the sends soon after.
   */
  static final Duration RESUME_WINDOW = Duration.ofSeconds(5);

  /** Whether this deployment was started by the bench (and so can start more nodes in it). */
  boolean isLocal() {
    return redis != null;
  }

  /** A node of this (started) deployment's Parley, on loopback, on its Redis. */
  NodeConfig.Builder node(Role role) {
    if (!isLocal()) {
      throw new IllegalStateException("a running deployment is measured as it is: the bench starts no node in it");
    }
    return NodeConfig.builder(role, keys).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .database(role == Role.GATEWAY ? null : database).fastPasswordHashing(true)
        // The load generator sends far faster than any user: the send limit would measure itself.
        .messages(MessageSettings.defaults().withSendLimit(RateLimit.unlimited(MessageSettings.SEND_LIMIT))
            .withResumeWindow(RESUME_WINDOW));
  }

  /** Starts a node in this (started) deployment; it is closed with the deployment. */
  ParleyNode startNode(NodeConfig config) {
    node(config.role());
    return started(config);
  }

  /**
   * A client channel for the bench's loads: callbacks run on the transport thread (the bench's
   * callbacks only count and record), which spares the client a thread hop per call and per event.
   */
  static ManagedChannel channel(String address) {
    return NettyChannelBuilder.forAddress(Targets.host(address), Targets.port(address))
        .usePlaintext().directExecutor().build();
  }

  /**
   * One connection to message-svc per user, round-robin over the replicas, as each user's device
   * would hold: its Subscribe stream and its sends share it, and its token is sent in full once,
   * then indexed by HPACK, as in production. (Many users' calls multiplexed on one shared channel
   * would each carry a different token, which HPACK's 4 KiB table cannot keep: every call would
   * re-encode a few hundred bytes of header that no real client sends.)
   */
  List<ManagedChannel> messageConnections(List<BenchUser> users) {
    List<ManagedChannel> result = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      ManagedChannel channel = channel(messageTargets.get(i % messageTargets.size()));
      connections.add(channel);
      result.add(channel);
    }
    return result;
  }

  /** Registers and logs in {@code count} users named {@code <prefix><run tag>00000…}, on a few threads. */
  List<BenchUser> users(String prefix, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<BenchUser>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String username = String.format("%s%s%05d", prefix, runTag, i);
        futures.add(pool.submit(() -> {
          UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(userChannel);
          stub.register(RegisterRequest.newBuilder().setUsername(username).setPassword("bench password").build());
          LoginResponse login = stub.login(LoginRequest.newBuilder().setUsername(username)
              .setPassword("bench password").setTerminal(Terminal.WEB).build());
          return new BenchUser(login.getUser().getUserId(), login.getAccessToken());
        }));
      }
      List<BenchUser> result = new ArrayList<>();
      for (Future<BenchUser> future : futures) {
        result.add(future.get());
      }
      return result;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Makes {@code a} and {@code b} friends through friend-svc: {@code b} asks, {@code a} accepts, so
   * that a user befriended by many accepts many requests but sends none (friend requests are
   * rate-limited per sender; accepting is not).
   */
  void befriend(BenchUser a, BenchUser b) {
    String request = RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), b.token())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(a.id()).build()).getRequestId();
    RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), a.token())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request).build());
  }

  @Override
  public void close() {
    for (ManagedChannel channel : new ManagedChannel[] {userChannel, friendChannel, groupChannel}) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    messageChannels.forEach(ManagedChannel::shutdownNow);
    connections.forEach(ManagedChannel::shutdownNow);
    // Newest first: message replicas and the gateway before the services they call.
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
