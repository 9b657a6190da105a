package io.parley.friend;

import static io.parley.friend.GrpcAssertions.assertFails;
import static io.parley.friend.GrpcAssertions.assertInvalid;
import static io.parley.friend.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.BlockUserRequest;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest.State;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListBlockedUsersRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import io.parley.friend.v1.ListFriendRequestsRequest;
import io.parley.friend.v1.ListFriendRequestsResponse;
import io.parley.friend.v1.ListFriendsRequest;
import io.parley.friend.v1.ListFriendsResponse;
import io.parley.friend.v1.RejectFriendRequestRequest;
import io.parley.friend.v1.RemoveFriendRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.friend.v1.SetFriendRemarkRequest;
import io.parley.friend.v1.UnblockUserRequest;
import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FriendService over gRPC, with the real interceptors, a fake user-svc and the memory store. */
class FriendGrpcServiceTest {
  private FriendServiceFixture fixture;
  private String alice;
  private String bob;

  @BeforeEach
  void start() {
    fixture = FriendServiceFixture.start();
    alice = fixture.newUser();
    bob = fixture.newUser();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private FriendRequest send(String from, String to, String message) {
    return fixture.as(from).sendFriendRequest(
        SendFriendRequestRequest.newBuilder().setToUserId(to).setMessage(message).build());
  }

  private Friend accept(String userId, String requestId, String remark) {
    return fixture.as(userId).acceptFriendRequest(
        AcceptFriendRequestRequest.newBuilder().setRequestId(requestId).setRemark(remark).build());
  }

  private void befriend(String from, String to) {
    accept(to, send(from, to, "").getRequestId(), "");
  }

  private List<Friend> friends(String userId) {
    return fixture.as(userId).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList();
  }

  private List<FriendRequest> requests(String userId, Direction direction) {
    return fixture.as(userId).listFriendRequests(ListFriendRequestsRequest.newBuilder().setDirection(direction).build())
        .getFriendRequestsList();
  }

  private CheckRelationResponse relation(String a, String b) {
    return fixture.asService("message-svc").checkRelation(
        CheckRelationRequest.newBuilder().setUserIdA(a).setUserIdB(b).build());
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }

  @Test
  void aRequestIsSentForTheCallerWhoseSessionReachesUserSvc() {
    FriendRequest request = send(alice, bob, "hi Bob");

    assertThat(request.getFromUserId()).isEqualTo(alice);
    assertThat(request.getToUserId()).isEqualTo(bob);
    assertThat(request.getMessage()).isEqualTo("hi Bob");
    assertThat(request.getState()).isEqualTo(State.PENDING);
    assertThat(request.getCreateTime().getSeconds()).isEqualTo(fixture.clock.instant().getEpochSecond());
    assertThat(fixture.users.callers()).containsExactly(alice);
    assertThat(requests(bob, Direction.DIRECTION_UNSPECIFIED)).containsExactly(request);
    assertThat(requests(alice, Direction.OUTGOING)).containsExactly(request);
  }

  @Test
  void aRequestToAnUnknownUserFailsUserNotFound() {
    String stranger = Ids.newId("u");

    assertFails(() -> send(alice, stranger, ""), Code.NOT_FOUND, ErrorReason.USER_NOT_FOUND);
    assertFails(() -> fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(stranger).build()),
        Code.NOT_FOUND, ErrorReason.USER_NOT_FOUND);
    assertThat(requests(alice, Direction.OUTGOING)).isEmpty();
    assertThat(fixture.users.callers()).containsExactly(alice, alice);
  }

  @Test
  void aRequestToOneselfIsInvalid() {
    assertInvalid(() -> send(alice, alice, ""), ErrorReason.FRIEND_REQUEST_TO_SELF, "to_user_id");
    assertThat(fixture.users.callers()).isEmpty();
  }

  @Test
  void aRequestWhileTheOtherSideHasOnePendingFailsWithItsIdToAccept() {
    FriendRequest fromBob = send(bob, alice, "");

    com.google.rpc.Status status = assertFails(() -> send(alice, bob, ""), Code.ALREADY_EXISTS,
        ErrorReason.FRIEND_REQUEST_EXISTS);

    assertThat(errorInfo(status).getMetadataMap()).containsEntry("request_id", fromBob.getRequestId());
    assertThat(accept(alice, fromBob.getRequestId(), "").getUserId()).isEqualTo(bob);
    assertFails(() -> send(alice, bob, ""), Code.ALREADY_EXISTS, ErrorReason.ALREADY_FRIENDS);
  }

  @Test
  void acceptMakesBothFriendsAndPublishesTheRelationEvent() throws InterruptedException {
    FriendRequest request = send(alice, bob, "");
    assertThat(fixture.drainEvents()).isEmpty();

    Friend friend = accept(bob, request.getRequestId(), "Alice");

    assertThat(friend.getUserId()).isEqualTo(alice);
    assertThat(friend.getRemark()).isEqualTo("Alice");
    assertThat(fixture.nextEvent()).isEqualTo(pair(alice, bob));
    assertThat(friends(bob)).containsExactly(friend);
    assertThat(friends(alice)).extracting(Friend::getUserId, Friend::getRemark).containsExactly(
        tuple(bob, ""));
    assertThat(relation(alice, bob).getFriends()).isTrue();
    assertThat(requests(bob, Direction.INCOMING)).extracting(FriendRequest::getState).containsExactly(State.ACCEPTED);
  }

  @Test
  void everyChangeOfTheRelationPublishesOneEventAndNothingElseDoes() throws InterruptedException {
    String carol = fixture.newUser();
    FriendRequest toCarol = send(alice, carol, "");
    fixture.as(carol).rejectFriendRequest(RejectFriendRequestRequest.newBuilder()
        .setRequestId(toCarol.getRequestId()).build());
    FriendRequest toBob = send(alice, bob, "");
    assertThat(fixture.drainEvents()).as("send and reject").isEmpty();

    accept(bob, toBob.getRequestId(), "");
    assertThat(fixture.drainEvents()).as("accept").containsExactly(pair(alice, bob));
    fixture.as(alice).setFriendRemark(SetFriendRemarkRequest.newBuilder().setUserId(bob).setRemark("B").build());
    assertThat(fixture.drainEvents()).as("remark").isEmpty();
    fixture.as(bob).removeFriend(RemoveFriendRequest.newBuilder().setUserId(alice).build());
    assertThat(fixture.drainEvents()).as("remove").containsExactly(pair(alice, bob));
    fixture.as(carol).blockUser(BlockUserRequest.newBuilder().setUserId(alice).build());
    assertThat(fixture.drainEvents()).as("block").containsExactly(pair(alice, carol));
    fixture.as(carol).unblockUser(UnblockUserRequest.newBuilder().setUserId(alice).build());
    assertThat(fixture.drainEvents()).as("unblock").containsExactly(pair(alice, carol));
    assertFails(() -> fixture.as(carol).unblockUser(UnblockUserRequest.newBuilder().setUserId(alice).build()),
        Code.NOT_FOUND, ErrorReason.NOT_BLOCKED);
    assertThat(fixture.drainEvents()).as("a refused change").isEmpty();
  }

  @Test
  void aBlockEndsTheFriendshipCancelsRequestsAndStopsNewOnes() {
    String carol = fixture.newUser();
    befriend(alice, bob);
    FriendRequest fromCarol = send(carol, alice, "");

    BlockedUser blockedBob = fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(bob).build());
    fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(carol).build());

    assertThat(blockedBob.getUserId()).isEqualTo(bob);
    assertThat(friends(alice)).isEmpty();
    assertThat(friends(bob)).isEmpty();
    assertThat(requests(carol, Direction.OUTGOING)).extracting(FriendRequest::getRequestId, FriendRequest::getState)
        .containsExactly(tuple(fromCarol.getRequestId(), State.CANCELLED));
    assertThat(relation(bob, alice)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
    assertFails(() -> send(bob, alice, ""), Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
    assertFails(() -> send(alice, carol, ""), Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
    assertFails(() -> fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(bob).build()),
        Code.ALREADY_EXISTS, ErrorReason.ALREADY_BLOCKED);
    assertInvalid(() -> fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(alice).build()),
        ErrorReason.BLOCK_SELF, "user_id");
    assertThat(fixture.as(alice).listBlockedUsers(ListBlockedUsersRequest.getDefaultInstance()).getBlockedUsersList())
        .extracting(BlockedUser::getUserId).containsExactlyInAnyOrder(carol, bob);
  }

  @Test
  void friendsArePagedWithTokensThatBelongToTheirList() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fixture.clock.advance(Duration.ofSeconds(1));
      String friend = fixture.newUser();
      befriend(friend, alice);
      expected.add(0, friend);
    }

    List<String> listed = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListFriendsResponse page = fixture.as(alice).listFriends(
          ListFriendsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      page.getFriendsList().forEach(f -> listed.add(f.getUserId()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertThat(listed).containsExactlyElementsOf(expected);
    assertThat(pages).isEqualTo(3);
    String friendsToken = fixture.as(alice).listFriends(ListFriendsRequest.newBuilder().setPageSize(2).build())
        .getNextPageToken();
    assertInvalid(() -> fixture.as(alice).listBlockedUsers(
        ListBlockedUsersRequest.newBuilder().setPageToken(friendsToken).build()),
        ErrorReason.INVALID_PAGE_TOKEN, "page_token");
    assertInvalid(() -> fixture.as(bob).listFriends(ListFriendsRequest.newBuilder().setPageToken(friendsToken).build()),
        ErrorReason.INVALID_PAGE_TOKEN, "page_token");
    assertInvalid(() -> fixture.as(alice).listFriends(ListFriendsRequest.newBuilder()
        .setPageToken(PageTokens.encode("not-a-cursor", "friends/" + alice)).build()),
        ErrorReason.INVALID_PAGE_TOKEN, "page_token");
  }

  @Test
  void pageSizeDefaultsToTwentyAndIsCappedAtOneHundred() {
    for (int i = 0; i < 101; i++) {
      String sender = fixture.newUser();
      send(sender, alice, "");
    }

    ListFriendRequestsResponse byDefault = fixture.as(alice).listFriendRequests(
        ListFriendRequestsRequest.getDefaultInstance());
    ListFriendRequestsResponse capped = fixture.as(alice).listFriendRequests(
        ListFriendRequestsRequest.newBuilder().setPageSize(1000).build());
    ListFriendRequestsResponse rest = fixture.as(alice).listFriendRequests(
        ListFriendRequestsRequest.newBuilder().setPageSize(1000).setPageToken(capped.getNextPageToken()).build());

    assertThat(byDefault.getFriendRequestsCount()).isEqualTo(20);
    assertThat(capped.getFriendRequestsCount()).isEqualTo(100);
    assertThat(rest.getFriendRequestsCount()).isEqualTo(1);
    assertThat(rest.getNextPageToken()).isEmpty();
  }

  @Test
  void remarksAreOneSidedAndNeedAFriendship() {
    befriend(alice, bob);

    Friend withRemark = fixture.as(alice).setFriendRemark(
        SetFriendRemarkRequest.newBuilder().setUserId(bob).setRemark("🙂".repeat(64)).build());

    assertThat(withRemark.getRemark()).isEqualTo("🙂".repeat(64));
    assertThat(friends(alice)).extracting(Friend::getRemark).containsExactly("🙂".repeat(64));
    assertThat(friends(bob)).extracting(Friend::getRemark).containsExactly("");
    String carol = fixture.newUser();
    assertFails(() -> fixture.as(carol).setFriendRemark(
        SetFriendRemarkRequest.newBuilder().setUserId(bob).setRemark("x").build()),
        Code.NOT_FOUND, ErrorReason.NOT_FRIENDS);
  }

  @Test
  void removeEndsTheFriendshipForBoth() {
    befriend(alice, bob);

    fixture.as(alice).removeFriend(RemoveFriendRequest.newBuilder().setUserId(bob).build());

    assertThat(friends(alice)).isEmpty();
    assertThat(friends(bob)).isEmpty();
    assertFails(() -> fixture.as(bob).removeFriend(RemoveFriendRequest.newBuilder().setUserId(alice).build()),
        Code.NOT_FOUND, ErrorReason.NOT_FRIENDS);
  }

  @Test
  void everyBadFieldIsNamedInOneInvalidArgument() {
    String tooLongMessage = "m".repeat(201);
    String tooLongRemark = "r".repeat(65);
    var me = fixture.as(alice);

    assertInvalid(() -> me.sendFriendRequest(SendFriendRequestRequest.getDefaultInstance()), "to_user_id");
    assertInvalid(() -> me.sendFriendRequest(SendFriendRequestRequest.newBuilder()
        .setToUserId("bob").setMessage(tooLongMessage).build()), "to_user_id", "message");
    assertInvalid(() -> me.acceptFriendRequest(AcceptFriendRequestRequest.newBuilder()
        .setRequestId(bob).setRemark(tooLongRemark).build()), "request_id", "remark");
    assertInvalid(() -> me.acceptFriendRequest(AcceptFriendRequestRequest.getDefaultInstance()), "request_id");
    assertInvalid(() -> me.rejectFriendRequest(RejectFriendRequestRequest.newBuilder()
        .setRequestId("fr-not-an-id").build()), "request_id");
    assertInvalid(() -> me.listFriendRequests(ListFriendRequestsRequest.newBuilder()
        .setDirectionValue(9).setPageSize(-1).build()), "direction", "page_size");
    assertInvalid(() -> me.listFriends(ListFriendsRequest.newBuilder().setPageSize(-1).build()), "page_size");
    assertInvalid(() -> me.listBlockedUsers(ListBlockedUsersRequest.newBuilder().setPageSize(-5).build()),
        "page_size");
    assertInvalid(() -> me.removeFriend(RemoveFriendRequest.newBuilder().setUserId("U" + bob.substring(1)).build()),
        "user_id");
    assertInvalid(() -> me.removeFriend(RemoveFriendRequest.newBuilder().setUserId(alice).build()), "user_id");
    assertInvalid(() -> me.setFriendRemark(SetFriendRemarkRequest.newBuilder()
        .setUserId(bob).setRemark(tooLongRemark).build()), "remark");
    assertInvalid(() -> me.setFriendRemark(SetFriendRemarkRequest.newBuilder()
        .setUserId(alice).setRemark(tooLongRemark).build()), "user_id", "remark");
    assertInvalid(() -> me.blockUser(BlockUserRequest.newBuilder().setUserId(bob + "x").build()), "user_id");
    assertInvalid(() -> me.unblockUser(UnblockUserRequest.getDefaultInstance()), "user_id");
    assertInvalid(() -> me.unblockUser(UnblockUserRequest.newBuilder().setUserId(alice).build()), "user_id");
    assertInvalid(() -> fixture.asService("message-svc").checkRelation(
        CheckRelationRequest.newBuilder().setUserIdA("alice").build()), "user_id_a", "user_id_b");
    assertThat(fixture.users.callers()).isEmpty();
  }

  @Test
  void lengthsCountCharactersNotBytesOrUtf16Units() {
    FriendRequest request = send(alice, bob, "👋".repeat(200));

    assertThat(request.getMessage()).isEqualTo("👋".repeat(200));
    assertInvalid(() -> send(bob, alice, "👋".repeat(201)), "message");
  }

  @Test
  void remarksAndMessagesAreStoredNfcAndRefuseInvisibleOrBidiCharacters() {
    FriendRequest request = send(alice, bob, "Salut, c'est Rene\u0301 !\nA\u0300 bient\u00f4t");
    assertThat(request.getMessage()).isEqualTo("Salut, c'est Ren\u00e9 !\n\u00c0 bient\u00f4t");
    Friend friend = accept(bob, request.getRequestId(), " Rene\u0301\u00a0");
    assertThat(friend.getRemark()).isEqualTo("Ren\u00e9");

    var me = fixture.as(alice);
    for (String hostile : List.of("\u202Egnp.exe", "ad\u200Bmin", "x\u2066y\u2069", "\uFEFF", "\u3164", "a\u0007")) {
      assertInvalid(() -> me.setFriendRemark(SetFriendRemarkRequest.newBuilder().setUserId(bob).setRemark(hostile)
          .build()), "remark");
      assertInvalid(() -> me.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(fixture.newUser())
          .setMessage(hostile).build()), "message");
    }
    assertInvalid(() -> me.setFriendRemark(SetFriendRemarkRequest.newBuilder().setUserId(bob).setRemark("two\nlines")
        .build()), "remark");
  }

  @Test
  void friendRequestsAreRateLimitedPerSenderWhateverTheOutcome() {
    try (FriendServiceFixture limited = FriendServiceFixture.start(FriendSettings.defaults()
        .withFriendRequestLimit(RateLimit.parse("friend.request", "3/1h")))) {
      String sender = limited.newUser();
      String other = limited.newUser();
      var me = limited.as(sender);
      me.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(other).build());
      assertFails(() -> me.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(other).build()),
          Code.ALREADY_EXISTS, ErrorReason.FRIEND_REQUEST_EXISTS);
      me.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(limited.newUser()).build());
      int asked = limited.users.callers().size();

      var refused = assertFails(() -> me.sendFriendRequest(SendFriendRequestRequest.newBuilder()
          .setToUserId(limited.newUser()).build()), Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);

      assertThat(errorInfo(refused).getMetadataMap()).containsEntry("limit", "friend.request");
      assertThat(GrpcAssertions.retryDelay(refused)).isEqualTo(Duration.ofMinutes(20));
      assertThat(limited.users.callers()).as("user-svc is not asked for a refused call").hasSize(asked);
      limited.as(other).sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(limited.newUser()).build());
      limited.clock.advance(Duration.ofMinutes(20));
      me.sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(limited.newUser()).build());
    }
  }

  @Test
  void whenUserSvcIsDownChecksFailUnavailableAndNothingChanges() {
    fixture.stopUserService();

    assertFails(() -> send(alice, bob, ""), Code.UNAVAILABLE, ErrorReason.UPSTREAM_UNAVAILABLE);
    assertFails(() -> fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(bob).build()),
        Code.UNAVAILABLE, ErrorReason.UPSTREAM_UNAVAILABLE);
    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(requests(bob, Direction.INCOMING)).isEmpty();
  }

  @Test
  void checkRelationAnswersForBothDirections() {
    befriend(alice, bob);
    String carol = fixture.newUser();
    fixture.as(carol).blockUser(BlockUserRequest.newBuilder().setUserId(alice).build());

    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.newBuilder().setFriends(true).build());
    assertThat(relation(alice, carol)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
    assertThat(relation(carol, alice)).isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).build());
    assertThat(relation(bob, carol)).isEqualTo(CheckRelationResponse.getDefaultInstance());
  }
}
