package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.parley.auth.TokenKeys;
import io.parley.client.ServiceTokenCredentials;
import io.parley.auth.TokenIssuer;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.ListFriendRequestsRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher's wiring on real ports: the embedded default, and user, friend and group as
 * separate processes (nodes) on one real redis-server, where friend and group ask user-svc over
 * gRPC with the caller's session propagated.
 */
class ParleyNodeTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("launcher-test-secret-of-32-bytes!!".getBytes(UTF_8));

  private static RedisServer redis;
  private static ParleyNode users;
  private static ParleyNode friends;
  private static ParleyNode groups;
  private static ManagedChannel userChannel;
  private static ManagedChannel friendChannel;
  private static ManagedChannel groupChannel;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    users = ParleyNode.start(distributed(Role.USER).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    friends = ParleyNode.start(distributed(Role.FRIEND).target(Role.USER, userTarget).build());
    groups = ParleyNode.start(distributed(Role.GROUP).target(Role.USER, userTarget).build());
    userChannel = Clients.channel(users.grpcPort());
    friendChannel = Clients.channel(friends.grpcPort());
    groupChannel = Clients.channel(groups.grpcPort());
  }

  private static NodeConfig.Builder distributed(Role role) {
    return NodeConfig.builder(role, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .fastPasswordHashing(true);
  }

  @AfterAll
  static void stop() {
    userChannel.shutdownNow();
    friendChannel.shutdownNow();
    groupChannel.shutdownNow();
    groups.close();
    friends.close();
    users.close();
    redis.close();
  }

  @Test
  void embeddedModeServesEveryServiceOnOnePort() {
    try (ParleyNode all = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0)
        .httpPort(0).fastPasswordHashing(true).build())) {
      ManagedChannel channel = Clients.channel(all.grpcPort());
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        for (String service : new String[] {"", "parley.user.v1.UserService", "parley.friend.v1.FriendService",
            "parley.group.v1.GroupService"}) {
          assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
              .as(service).isEqualTo(ServingStatus.SERVING);
        }
        LoginResponse alice = Clients.signUp(channel, "alice");
        LoginResponse bob = Clients.signUp(channel, "bob");
        Clients.as(FriendServiceGrpc.newBlockingStub(channel), alice.getAccessToken())
            .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(bob.getUser().getUserId()).build());
        assertThat(Clients.as(FriendServiceGrpc.newBlockingStub(channel), bob.getAccessToken())
            .listFriendRequests(ListFriendRequestsRequest.getDefaultInstance()).getFriendRequestsList())
            .hasSize(1);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aSessionFromUserSvcWorksOnFriendSvcWhichAsksUserSvcWithIt() {
    LoginResponse carol = Clients.signUp(userChannel, "carol");
    LoginResponse dave = Clients.signUp(userChannel, "dave");
    FriendServiceGrpc.FriendServiceBlockingStub asCarol =
        Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), carol.getAccessToken());

    asCarol.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(dave.getUser().getUserId()).build());

    Clients.assertFails(() -> asCarol.sendFriendRequest(
            SendFriendRequestRequest.newBuilder().setToUserId("u0000000000000000").build()),
        Status.Code.NOT_FOUND, "USER_NOT_FOUND");
  }

  @Test
  void groupSvcChecksInviteesWithUserSvc() {
    LoginResponse erin = Clients.signUp(userChannel, "erin");
    LoginResponse frank = Clients.signUp(userChannel, "frank");
    GroupServiceGrpc.GroupServiceBlockingStub asErin =
        Clients.as(GroupServiceGrpc.newBlockingStub(groupChannel), erin.getAccessToken());

    Group group = asErin.createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("hikers"))
        .addMemberIds(frank.getUser().getUserId())
        .build());
    assertThat(group.getMemberCount()).isEqualTo(2);

    Clients.assertFails(() -> asErin.inviteMembers(InviteMembersRequest.newBuilder()
            .setGroupId(group.getGroupId()).addUserIds("u0000000000000000").build()),
        Status.Code.NOT_FOUND, "USER_NOT_FOUND");
  }

  @Test
  void internalMethodsRefuseUserTokensAndAcceptServiceCredentials() {
    LoginResponse grace = Clients.signUp(userChannel, "grace");
    CheckRelationRequest request = CheckRelationRequest.newBuilder()
        .setUserIdA(grace.getUser().getUserId()).setUserIdB("u0000000000000000").build();

    Clients.assertFails(() -> Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), grace.getAccessToken())
        .checkRelation(request), Status.Code.PERMISSION_DENIED, "SERVICE_CREDENTIAL_REQUIRED");
    Clients.assertFails(() -> FriendServiceGrpc.newBlockingStub(friendChannel).checkRelation(request),
        Status.Code.UNAUTHENTICATED, "TOKEN_MISSING");

    TokenIssuer issuer = new TokenIssuer(KEYS, "parley", Clock.systemUTC());
    assertThat(FriendServiceGrpc.newBlockingStub(friendChannel)
        .withCallCredentials(ServiceTokenCredentials.of(issuer, "message-svc", Clock.systemUTC()))
        .checkRelation(request).getFriends()).isFalse();
  }

  @Test
  void logoutOnUserSvcIsSeenAtOnceByFriendSvc() throws InterruptedException {
    var friendsCache = (io.parley.session.CachingSessionStore) friends.platform().sessionStore();
    long subscribed = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!friendsCache.isCaching()) {
      assertThat(System.nanoTime()).as("friend-svc's session events subscribed").isLessThan(subscribed);
      Thread.sleep(10);
    }
    LoginResponse heidi = Clients.signUp(userChannel, "heidi");
    FriendServiceGrpc.FriendServiceBlockingStub onFriends =
        Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), heidi.getAccessToken());
    onFriends.listFriendRequests(ListFriendRequestsRequest.getDefaultInstance());

    Clients.as(UserServiceGrpc.newBlockingStub(userChannel), heidi.getAccessToken())
        .logout(io.parley.user.v1.LogoutRequest.getDefaultInstance());

    long deadline = System.nanoTime() + Duration.ofMillis(100).toNanos();
    while (true) {
      try {
        onFriends.listFriendRequests(ListFriendRequestsRequest.getDefaultInstance());
      } catch (io.grpc.StatusRuntimeException e) {
        assertThat(Clients.reasonOf(e)).isEqualTo("SESSION_REVOKED");
        break;
      }
      assertThat(System.nanoTime()).as("rejected within 100 ms").isLessThan(deadline);
      Thread.sleep(2);
    }
    Clients.assertFails(() -> Clients.as(UserServiceGrpc.newBlockingStub(userChannel), heidi.getAccessToken())
        .getMe(GetMeRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED, "SESSION_REVOKED");
  }

  @Test
  void aServiceWithoutItsPeerTargetRefusesToStartAndSaysWhichFlag() {
    assertThatThrownBy(() -> ParleyNode.start(distributed(Role.FRIEND).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--user-target");
  }
}
