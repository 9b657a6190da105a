package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.launcher.NodeConfig;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.testing.RedisServer;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A distributed Parley on loopback for the bench: its own redis-server, and user, friend and group
 * nodes plus as many message-svc replicas as asked, each a node of the launcher as in production
 * (sharing this JVM, and so the machine's cores, with the bench's clients). Users are registered
 * and logged in through user-svc itself.
 */
final class Deployment implements AutoCloseable {
  /** A registered, logged-in user. */
  record BenchUser(String id, String token) {}

  final RedisServer redis;
  final TokenKeys keys;
  final ParleyNode users;
  final ParleyNode friends;
  final ParleyNode groups;
  final List<ParleyNode> messages = new ArrayList<>();
  final ManagedChannel userChannel;
  final ManagedChannel friendChannel;
  final ManagedChannel groupChannel;
  final List<ManagedChannel> messageChannels = new ArrayList<>();

  Deployment(int messageReplicas) {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    keys = TokenKeys.hmac(secret);
    redis = RedisServer.start();
    users = ParleyNode.start(node(Role.USER).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    friends = ParleyNode.start(node(Role.FRIEND).target(Role.USER, userTarget).build());
    groups = ParleyNode.start(node(Role.GROUP).target(Role.USER, userTarget).groupMaxMembers(5000).build());
    for (int i = 0; i < messageReplicas; i++) {
      messages.add(ParleyNode.start(node(Role.MESSAGE)
          .target(Role.FRIEND, "127.0.0.1:" + friends.grpcPort())
          .target(Role.GROUP, "127.0.0.1:" + groups.grpcPort())
          .build()));
    }
    userChannel = channel(users.grpcPort());
    friendChannel = channel(friends.grpcPort());
    groupChannel = channel(groups.grpcPort());
    messages.forEach(m -> messageChannels.add(channel(m.grpcPort())));
  }

  NodeConfig.Builder node(Role role) {
    return NodeConfig.builder(role, keys).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .fastPasswordHashing(true);
  }

  /**
   * A client channel for the bench's loads: callbacks run on the transport thread (the bench's
   * callbacks only count and record), which spares the client a thread hop per call and per event.
   */
  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
  }

  /** Registers and logs in {@code count} users named {@code prefix00000...}, on a few threads. */
  List<BenchUser> users(String prefix, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<BenchUser>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String username = String.format("%s%05d", prefix, i);
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

  /** Makes {@code a} and {@code b} friends through friend-svc. */
  void befriend(BenchUser a, BenchUser b) {
    String request = RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), a.token())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(b.id()).build()).getRequestId();
    RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), b.token())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request).build());
  }

  @Override
  public void close() {
    userChannel.shutdownNow();
    friendChannel.shutdownNow();
    groupChannel.shutdownNow();
    messageChannels.forEach(ManagedChannel::shutdownNow);
    messages.forEach(ParleyNode::close);
    groups.close();
    friends.close();
    users.close();
    redis.close();
  }
}
