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
import io.grpc.stub.StreamObserver;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.ListFriendRequestsRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SubscribeRequest;
import io.parley.message.v1.TextContent;
import io.parley.database.DatabaseSettings;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.UserServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
  /** The distributed topology's user tokens: ES256, whose private key only user-svc holds. */
  private static final java.security.KeyPair USER_KEY = userKeyPair();
  private static final TokenKeys USER_SIGNING = TokenKeys.ec().verificationKey("u1", USER_KEY.getPublic())
      .signingKey("u1", USER_KEY.getPrivate()).build();
  private static final TokenKeys USER_VERIFYING = TokenKeys.ec().verificationKey("u1", USER_KEY.getPublic()).build();
  /** Service credentials' own key: friend-svc, group-svc and message-svc call internal methods with it. */
  private static final TokenKeys SERVICE_KEYS = TokenKeys.hmac("launcher-test-service-key-of-32-bytes".getBytes(UTF_8));

  private static RedisServer redis;
  private static DatabaseSettings database;
  private static ParleyNode users;
  private static ParleyNode friends;
  private static ParleyNode groups;
  private static ParleyNode messages;
  private static ParleyNode gateway;
  private static ManagedChannel userChannel;
  private static ManagedChannel messageChannel;
  private static ManagedChannel friendChannel;
  private static ManagedChannel groupChannel;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    database = PostgresServer.shared().createDatabase();
    users = ParleyNode.start(distributed(Role.USER).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    friends = ParleyNode.start(distributed(Role.FRIEND).target(Role.USER, userTarget).build());
    groups = ParleyNode.start(distributed(Role.GROUP).target(Role.USER, userTarget)
        .target(Role.FRIEND, "127.0.0.1:" + friends.grpcPort()).build());
    String friendTarget = "127.0.0.1:" + friends.grpcPort();
    String groupTarget = "127.0.0.1:" + groups.grpcPort();
    messages = ParleyNode.start(distributed(Role.MESSAGE)
        .target(Role.FRIEND, friendTarget).target(Role.GROUP, groupTarget).build());
    gateway = ParleyNode.start(distributed(Role.GATEWAY)
        .target(Role.USER, userTarget).target(Role.FRIEND, friendTarget).target(Role.GROUP, groupTarget)
        .target(Role.MESSAGE, "127.0.0.1:" + messages.grpcPort()).build());
    userChannel = Clients.channel(users.grpcPort());
    messageChannel = Clients.channel(messages.grpcPort());
    friendChannel = Clients.channel(friends.grpcPort());
    groupChannel = Clients.channel(groups.grpcPort());
  }

  private static NodeConfig.Builder distributed(Role role) {
    return NodeConfig.builder(role, role == Role.USER ? USER_SIGNING : USER_VERIFYING).serviceKeys(SERVICE_KEYS)
        .host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .database(role == Role.GATEWAY ? null : database).fastPasswordHashing(true);
  }

  @AfterAll
  static void stop() {
    userChannel.shutdownNow();
    friendChannel.shutdownNow();
    groupChannel.shutdownNow();
    messageChannel.shutdownNow();
    gateway.close();
    messages.close();
    groups.close();
    friends.close();
    users.close();
    redis.close();
  }

  @Test
  void embeddedModeServesEveryServiceOnOnePort() throws Exception {
    try (ParleyNode all = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0)
        .httpPort(0).fastPasswordHashing(true).build())) {
      ManagedChannel channel = Clients.channel(all.grpcPort());
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        for (String service : new String[] {"", "parley.user.v1.UserService", "parley.friend.v1.FriendService",
            "parley.group.v1.GroupService", "parley.message.v1.MessageService"}) {
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
        HttpResponse<String> me = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + all.httpPort() + "/v1/users/me"))
                .header("Authorization", "Bearer " + alice.getAccessToken()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"username\":\"alice\"");
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
    assertThat(group.getMemberCount()).as("frank is invited, not yet a member").isEqualTo(1);
    Clients.as(GroupServiceGrpc.newBlockingStub(groupChannel), frank.getAccessToken())
        .acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(group.getGroupId()).build());
    assertThat(asErin.getGroup(GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build()).getMemberCount())
        .isEqualTo(2);

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

    TokenIssuer issuer = new TokenIssuer(SERVICE_KEYS, "parley", Clock.systemUTC());
    assertThat(FriendServiceGrpc.newBlockingStub(friendChannel)
        .withCallCredentials(ServiceTokenCredentials.of(issuer, "message-svc", Clock.systemUTC()))
        .checkRelation(request).getFriends()).isFalse();
    // The user tokens' key cannot sign a service credential.
    TokenIssuer userKey = new TokenIssuer(USER_SIGNING, "parley", Clock.systemUTC());
    Clients.assertFails(() -> FriendServiceGrpc.newBlockingStub(friendChannel)
        .withCallCredentials(ServiceTokenCredentials.of(userKey, "message-svc", Clock.systemUTC()))
        .checkRelation(request), Status.Code.UNAUTHENTICATED, "TOKEN_ALGORITHM_UNSUPPORTED");
  }

  private static java.security.KeyPair userKeyPair() {
    try {
      java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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
  void friendsChatThroughMessageSvcWhichChecksTheirFriendshipWithFriendSvc() throws Exception {
    LoginResponse ivan = Clients.signUp(userChannel, "ivan");
    LoginResponse judy = Clients.signUp(userChannel, "judy");
    MessageServiceGrpc.MessageServiceBlockingStub ivanSends =
        Clients.as(MessageServiceGrpc.newBlockingStub(messageChannel), ivan.getAccessToken());
    SendMessageRequest hello = SendMessageRequest.newBuilder()
        .setToUserId(judy.getUser().getUserId())
        .setClientMsgId("hello-1")
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("hello judy")))
        .build();

    Clients.assertFails(() -> ivanSends.sendMessage(hello), Status.Code.PERMISSION_DENIED, "NOT_FRIENDS_CANNOT_MESSAGE");

    var request = Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), ivan.getAccessToken())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(judy.getUser().getUserId()).build());
    Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), judy.getAccessToken())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request.getRequestId()).build());
    BlockingQueue<Event> judysEvents = new LinkedBlockingQueue<>();
    Clients.as(MessageServiceGrpc.newStub(messageChannel), judy.getAccessToken())
        .subscribe(SubscribeRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(Event event) {
            judysEvents.add(event);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertThat(judysEvents.poll(5, TimeUnit.SECONDS).hasSubscribed()).isTrue();

    SendMessageResponse sent = ivanSends.sendMessage(hello);

    Event pushed = judysEvents.poll(5, TimeUnit.SECONDS);
    assertThat(pushed).isNotNull();
    assertThat(pushed.getMessage().getMessageId()).isEqualTo(sent.getMessageId());
    assertThat(pushed.getMessage().getContent().getText().getText()).isEqualTo("hello judy");
    assertThat(ivanSends.sendMessage(hello).getDuplicate()).isTrue();
  }

  @Test
  void theGatewayNodeRoutesEveryServiceToItsTarget() throws Exception {
    LoginResponse karl = Clients.signUp(userChannel, "karl");
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + gateway.httpPort();

    HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/users/me"))
        .header("Authorization", "Bearer " + karl.getAccessToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).contains("\"username\":\"karl\"");

    for (String path : new String[] {"/v1/friends", "/v1/groups", "/v1/conversations"}) {
      HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Authorization", "Bearer " + karl.getAccessToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(listed.statusCode()).as(path).isEqualTo(200);
    }
    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("parley.message.v1.MessageService");
  }

  @Test
  void aServiceWithoutItsPeerTargetRefusesToStartAndSaysWhichFlag() {
    assertThatThrownBy(() -> ParleyNode.start(distributed(Role.FRIEND).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--user-target");
    assertThatThrownBy(() -> ParleyNode.start(distributed(Role.MESSAGE).target(Role.FRIEND, "127.0.0.1:1").build()))
        .hasMessageContaining("--group-target");
    assertThatThrownBy(() -> ParleyNode.start(distributed(Role.GATEWAY).build()))
        .hasMessageContaining("--user-target");
  }
}
