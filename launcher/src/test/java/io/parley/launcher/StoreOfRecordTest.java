package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.database.DatabaseSettings;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.BlockUserRequest;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.ListBlockedUsersRequest;
import io.parley.friend.v1.ListFriendsRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.ListMyInvitationsRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.Member;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis holds only what may be lost: every service runs as its own node on a real redis-server and a
 * real PostgreSQL; Redis is flushed; the users sign in again, and every account, password,
 * friendship, block, group, membership, message, read state and recall is still there.
 */
class StoreOfRecordTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("store-of-record-test-secret-32-bytes".getBytes(UTF_8));
  private static final String PASSWORD = "correct horse battery";

  private static RedisServer redis;
  private static DatabaseSettings database;
  private static List<ParleyNode> nodes;
  private static ManagedChannel userChannel;
  private static ManagedChannel friendChannel;
  private static ManagedChannel groupChannel;
  private static ManagedChannel messageChannel;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    database = PostgresServer.shared().createDatabase();
    ParleyNode users = ParleyNode.start(node(Role.USER).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    ParleyNode friends = ParleyNode.start(node(Role.FRIEND).target(Role.USER, userTarget).build());
    ParleyNode groups = ParleyNode.start(node(Role.GROUP).target(Role.USER, userTarget)
        .target(Role.FRIEND, "127.0.0.1:" + friends.grpcPort()).build());
    ParleyNode messages = ParleyNode.start(node(Role.MESSAGE)
        .target(Role.FRIEND, "127.0.0.1:" + friends.grpcPort())
        .target(Role.GROUP, "127.0.0.1:" + groups.grpcPort())
        .build());
    nodes = List.of(messages, groups, friends, users);
    userChannel = Clients.channel(users.grpcPort());
    friendChannel = Clients.channel(friends.grpcPort());
    groupChannel = Clients.channel(groups.grpcPort());
    messageChannel = Clients.channel(messages.grpcPort());
  }

  private static NodeConfig.Builder node(Role role) {
    return NodeConfig.builder(role, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .database(database).fastPasswordHashing(true);
  }

  @AfterAll
  static void stop() {
    for (ManagedChannel channel : new ManagedChannel[] {userChannel, friendChannel, groupChannel, messageChannel}) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    if (nodes != null) {
      nodes.forEach(ParleyNode::close);
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void flushingRedisLosesNoDataOfRecordAndUsersOnlySignInAgain() {
    LoginResponse alice = Clients.signUp(userChannel, "alice");
    LoginResponse bob = Clients.signUp(userChannel, "bob");
    LoginResponse carol = Clients.signUp(userChannel, "carol");
    String aliceId = alice.getUser().getUserId();
    String bobId = bob.getUser().getUserId();
    String carolId = carol.getUser().getUserId();

    String request = friends(alice.getAccessToken()).sendFriendRequest(
        SendFriendRequestRequest.newBuilder().setToUserId(bobId).build()).getRequestId();
    friends(bob.getAccessToken()).acceptFriendRequest(
        AcceptFriendRequestRequest.newBuilder().setRequestId(request).setRemark("Ally").build());
    friends(bob.getAccessToken()).blockUser(BlockUserRequest.newBuilder().setUserId(carolId).build());
    Group group = groups(alice.getAccessToken()).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("hikers")).addMemberIds(bobId).addMemberIds(carolId).build());
    groups(bob.getAccessToken()).acceptInvitation(
        AcceptInvitationRequest.newBuilder().setGroupId(group.getGroupId()).build());

    SendMessageResponse first = send(alice.getAccessToken(), SendMessageRequest.newBuilder().setToUserId(bobId), "a-1",
        "hi bob");
    SendMessageResponse second = send(alice.getAccessToken(), SendMessageRequest.newBuilder().setToUserId(bobId),
        "a-2", "are you there?");
    send(alice.getAccessToken(), SendMessageRequest.newBuilder().setToUserId(bobId), "a-3", "hello?");
    send(bob.getAccessToken(), SendMessageRequest.newBuilder().setToGroupId(group.getGroupId()), "b-1", "hi all");
    messages(bob.getAccessToken()).markRead(MarkReadRequest.newBuilder()
        .setConversationId(first.getConversationId()).setSeq(first.getSeq()).build());
    messages(alice.getAccessToken()).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(second.getConversationId()).setSeq(second.getSeq()).build());

    redis.flushAll();

    // Sessions lived in Redis: they are gone (once the replica's cache notices), and the users sign in
    // again with the same passwords.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        Clients.assertFails(() -> Clients.as(UserServiceGrpc.newBlockingStub(userChannel), alice.getAccessToken())
            .getMe(GetMeRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED, "SESSION_NOT_FOUND"));
    String aliceAgain = login("alice");
    String bobAgain = login("bob");

    assertThat(Clients.as(UserServiceGrpc.newBlockingStub(userChannel), aliceAgain)
        .getMe(GetMeRequest.getDefaultInstance())).isEqualTo(alice.getUser());
    assertThat(friends(aliceAgain).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList())
        .extracting(Friend::getUserId).containsExactly(bobId);
    assertThat(friends(bobAgain).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList())
        .extracting(Friend::getRemark).containsExactly("Ally");
    assertThat(friends(bobAgain).listBlockedUsers(ListBlockedUsersRequest.getDefaultInstance()).getBlockedUsersList())
        .extracting(b -> b.getUserId()).containsExactly(carolId);

    Group read = groups(bobAgain).getGroup(GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    assertThat(read.getName()).isEqualTo("hikers");
    assertThat(read.getOwnerId()).isEqualTo(aliceId);
    assertThat(groups(bobAgain).listMembers(ListMembersRequest.newBuilder().setGroupId(group.getGroupId()).build())
        .getMembersList()).extracting(Member::getUserId).containsExactlyInAnyOrder(aliceId, bobId);

    assertThat(groups(login("carol")).listMyInvitations(ListMyInvitationsRequest.getDefaultInstance())
        .getInvitationsList()).as("carol's pending invitation").extracting(Invitation::getGroupId)
        .containsExactly(group.getGroupId());

    List<Message> history = messages(bobAgain).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(first.getConversationId()).setAfterSeq(0).build()).getMessagesList();
    assertThat(history).extracting(Message::getSeq).containsExactly(1L, 2L, 3L);
    assertThat(history.get(0).getContent().getText().getText()).isEqualTo("hi bob");
    assertThat(history.get(1).getRecalled()).as("the recall survived").isTrue();
    assertThat(history.get(1).hasContent()).isFalse();

    Map<String, Conversation> bobs = messages(bobAgain).listConversations(ListConversationsRequest.getDefaultInstance())
        .getConversationsList().stream()
        .collect(Collectors.toMap(Conversation::getConversationId, Function.identity()));
    assertThat(bobs.get(first.getConversationId()).getReadSeq()).as("bob's read state").isEqualTo(1);
    assertThat(bobs.get(first.getConversationId()).getUnreadCount()).isEqualTo(2);
    assertThat(bobs.get("g_" + group.getGroupId()).getLastMessage().getContent().getText().getText())
        .isEqualTo("hi all");
    assertThat(bobs.get("g_" + group.getGroupId()).getUnreadCount()).as("own messages never count").isZero();
  }

  private static String login(String username) {
    return UserServiceGrpc.newBlockingStub(userChannel).login(LoginRequest.newBuilder().setUsername(username)
        .setPassword(PASSWORD).setTerminal(Terminal.WEB).setDeviceName("test").build()).getAccessToken();
  }

  private static SendMessageResponse send(String token, SendMessageRequest.Builder to, String clientMsgId, String text) {
    return messages(token).sendMessage(to.setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text))).build());
  }

  private static FriendServiceGrpc.FriendServiceBlockingStub friends(String token) {
    return Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), token);
  }

  private static GroupServiceGrpc.GroupServiceBlockingStub groups(String token) {
    return Clients.as(GroupServiceGrpc.newBlockingStub(groupChannel), token);
  }

  private static MessageServiceGrpc.MessageServiceBlockingStub messages(String token) {
    return Clients.as(MessageServiceGrpc.newBlockingStub(messageChannel), token);
  }
}
