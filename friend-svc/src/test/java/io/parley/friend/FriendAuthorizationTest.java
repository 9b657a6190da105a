package io.parley.friend;

import static io.parley.friend.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.BlockUserRequest;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest.State;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.FriendServiceGrpc.FriendServiceBlockingStub;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.ListBlockedUsersRequest;
import io.parley.friend.v1.ListBlockedUsersResponse;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what: every RPC of FriendService, called by every kind of caller, with the exact
 * status code and ErrorInfo reason each one gets. After every refusal, nothing anyone owns has
 * changed.
 *
 * <p>The world of each case, fresh every time: Alice sent Bob a request that is pending; Alice and
 * Dave are friends (each with a remark for the other); Alice blocks Eve; Carol is a stranger to all.
 */
class FriendAuthorizationTest {
  private static FriendServiceFixture fixture;

  @BeforeAll
  static void start() {
    fixture = FriendServiceFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  enum Caller { ANONYMOUS, ALICE, BOB, CAROL, DAVE, EVE, MESSAGE_SVC }

  /** The users of one case and what is between them. */
  static final class World {
    final String alice = fixture.newUser();
    final String bob = fixture.newUser();
    final String carol = fixture.newUser();
    final String dave = fixture.newUser();
    final String eve = fixture.newUser();
    final String aliceToDave;
    final FriendRequest aliceToBob;

    World() {
      aliceToDave = fixture.as(alice).sendFriendRequest(request(dave)).getRequestId();
      fixture.as(dave).acceptFriendRequest(
          AcceptFriendRequestRequest.newBuilder().setRequestId(aliceToDave).setRemark("Al").build());
      fixture.as(alice).setFriendRemark(SetFriendRemarkRequest.newBuilder().setUserId(dave).setRemark("Dave").build());
      fixture.clock.advance(Duration.ofSeconds(1));
      aliceToBob = fixture.as(alice).sendFriendRequest(request(bob));
      fixture.as(alice).blockUser(BlockUserRequest.newBuilder().setUserId(eve).build());
      fixture.drainEvents();
    }

    FriendServiceBlockingStub stub(Caller caller) {
      return switch (caller) {
        case ANONYMOUS -> fixture.anonymous();
        case ALICE -> fixture.as(alice);
        case BOB -> fixture.as(bob);
        case CAROL -> fixture.as(carol);
        case DAVE -> fixture.as(dave);
        case EVE -> fixture.as(eve);
        case MESSAGE_SVC -> fixture.asService("message-svc");
      };
    }

    private CheckRelationResponse relation(String a, String b) {
      return fixture.asService("message-svc").checkRelation(
          CheckRelationRequest.newBuilder().setUserIdA(a).setUserIdB(b).build());
    }

    private List<FriendRequest> requests(String userId, Direction direction) {
      return fixture.as(userId).listFriendRequests(
          ListFriendRequestsRequest.newBuilder().setDirection(direction).build()).getFriendRequestsList();
    }

    private List<Friend> friends(String userId) {
      return fixture.as(userId).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList();
    }

    private List<BlockedUser> blocked(String userId) {
      return fixture.as(userId).listBlockedUsers(ListBlockedUsersRequest.getDefaultInstance()).getBlockedUsersList();
    }

    /** Everything is as the world began, and no relation event was published. */
    void assertUnchanged() {
      assertThat(requests(bob, Direction.INCOMING)).containsExactly(aliceToBob);
      assertThat(requests(alice, Direction.OUTGOING)).extracting(FriendRequest::getRequestId, FriendRequest::getState)
          .containsExactly(
              tuple(aliceToBob.getRequestId(), State.PENDING),
              tuple(aliceToDave, State.ACCEPTED));
      assertThat(friends(alice)).extracting(Friend::getUserId, Friend::getRemark)
          .containsExactly(tuple(dave, "Dave"));
      assertThat(friends(dave)).extracting(Friend::getUserId, Friend::getRemark)
          .containsExactly(tuple(alice, "Al"));
      assertThat(blocked(alice)).extracting(BlockedUser::getUserId).containsExactly(eve);
      assertThat(relation(alice, eve)).isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).build());
      assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
      for (String user : List.of(bob, carol, eve)) {
        assertThat(friends(user)).as("friends of %s", user).isEmpty();
        assertThat(blocked(user)).as("blocks of %s", user).isEmpty();
      }
      assertThat(requests(carol, Direction.INCOMING)).isEmpty();
      assertThat(requests(carol, Direction.OUTGOING)).isEmpty();
      assertThat(requests(eve, Direction.OUTGOING)).isEmpty();
      assertThat(fixture.drainEvents()).as("relation events").isEmpty();
    }
  }

  @FunctionalInterface
  interface Call {
    Object invoke(World world, FriendServiceBlockingStub stub);
  }

  /** One cell of the matrix: an RPC called by one caller, and what that caller must get. */
  record Case(String rpc, String situation, Caller caller, Call call, Code code, ErrorReason reason,
              BiConsumer<World, Object> check) {
    @Override
    public String toString() {
      return rpc + " " + situation + " as " + caller + " -> "
          + (code == Code.OK ? "OK" : code + "/" + reason);
    }
  }

  private static Case refused(String rpc, String situation, Caller caller, Call call, Code code, ErrorReason reason) {
    return new Case(rpc, situation, caller, call, code, reason, null);
  }

  private static Case ok(String rpc, String situation, Caller caller, Call call, BiConsumer<World, Object> check) {
    return new Case(rpc, situation, caller, call, Code.OK, null, check);
  }

  private static Case anonymous(String rpc, Call call) {
    return refused(rpc, "", Caller.ANONYMOUS, call, Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
  }

  private static SendFriendRequestRequest request(String to) {
    return SendFriendRequestRequest.newBuilder().setToUserId(to).build();
  }

  private static ListFriendRequestsRequest listRequests(Direction direction) {
    return ListFriendRequestsRequest.newBuilder().setDirection(direction).build();
  }

  private static final String SEND = "SendFriendRequest";
  private static final String LIST_REQUESTS = "ListFriendRequests";
  private static final String ACCEPT = "AcceptFriendRequest";
  private static final String REJECT = "RejectFriendRequest";
  private static final String LIST_FRIENDS = "ListFriends";
  private static final String REMOVE = "RemoveFriend";
  private static final String REMARK = "SetFriendRemark";
  private static final String BLOCK = "BlockUser";
  private static final String UNBLOCK = "UnblockUser";
  private static final String LIST_BLOCKED = "ListBlockedUsers";
  private static final String CHECK = "CheckRelation";

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();

    Call sendToAlice = (w, s) -> s.sendFriendRequest(request(w.alice));
    cases.add(anonymous(SEND, sendToAlice));
    cases.add(refused(SEND, "to Bob again", Caller.ALICE, (w, s) -> s.sendFriendRequest(request(w.bob)),
        Code.ALREADY_EXISTS, ErrorReason.FRIEND_REQUEST_EXISTS));
    cases.add(refused(SEND, "back to the sender", Caller.BOB, sendToAlice,
        Code.ALREADY_EXISTS, ErrorReason.FRIEND_REQUEST_EXISTS));
    cases.add(refused(SEND, "to a friend", Caller.DAVE, sendToAlice, Code.ALREADY_EXISTS, ErrorReason.ALREADY_FRIENDS));
    cases.add(refused(SEND, "to the blocker", Caller.EVE, sendToAlice, Code.PERMISSION_DENIED, ErrorReason.BLOCKED));
    cases.add(refused(SEND, "to the blocked", Caller.ALICE, (w, s) -> s.sendFriendRequest(request(w.eve)),
        Code.PERMISSION_DENIED, ErrorReason.BLOCKED));
    cases.add(refused(SEND, "to oneself", Caller.CAROL, (w, s) -> s.sendFriendRequest(request(w.carol)),
        Code.INVALID_ARGUMENT, ErrorReason.FRIEND_REQUEST_TO_SELF));
    cases.add(ok(SEND, "from a stranger", Caller.CAROL, sendToAlice,
        (w, r) -> assertThat(((FriendRequest) r).getState()).isEqualTo(State.PENDING)));

    Call incoming = (w, s) -> s.listFriendRequests(listRequests(Direction.INCOMING));
    Call outgoing = (w, s) -> s.listFriendRequests(listRequests(Direction.OUTGOING));
    cases.add(anonymous(LIST_REQUESTS, incoming));
    for (Caller caller : List.of(Caller.CAROL, Caller.EVE)) {
      cases.add(ok(LIST_REQUESTS, "incoming", caller, incoming, (w, r) -> assertThat(requestsOf(r)).isEmpty()));
      cases.add(ok(LIST_REQUESTS, "outgoing", caller, outgoing, (w, r) -> assertThat(requestsOf(r)).isEmpty()));
    }
    cases.add(ok(LIST_REQUESTS, "incoming", Caller.BOB, incoming,
        (w, r) -> assertThat(requestsOf(r)).containsExactly(w.aliceToBob)));
    cases.add(ok(LIST_REQUESTS, "incoming", Caller.DAVE, incoming,
        (w, r) -> assertThat(requestsOf(r)).extracting(FriendRequest::getRequestId).containsExactly(w.aliceToDave)));

    for (String rpc : List.of(ACCEPT, REJECT)) {
      Call answer = (w, s) -> rpc.equals(ACCEPT)
          ? s.acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(w.aliceToBob.getRequestId()).build())
          : s.rejectFriendRequest(RejectFriendRequestRequest.newBuilder().setRequestId(w.aliceToBob.getRequestId()).build());
      Call answerClosed = (w, s) -> rpc.equals(ACCEPT)
          ? s.acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(w.aliceToDave).build())
          : s.rejectFriendRequest(RejectFriendRequestRequest.newBuilder().setRequestId(w.aliceToDave).build());
      cases.add(anonymous(rpc, answer));
      for (Caller caller : List.of(Caller.CAROL, Caller.DAVE, Caller.EVE)) {
        cases.add(refused(rpc, "another's request", caller, answer,
            Code.NOT_FOUND, ErrorReason.FRIEND_REQUEST_NOT_FOUND));
      }
      cases.add(refused(rpc, "another's answered request", Caller.CAROL, answerClosed,
          Code.NOT_FOUND, ErrorReason.FRIEND_REQUEST_NOT_FOUND));
      cases.add(refused(rpc, "one's own sent request", Caller.ALICE, answer,
          Code.PERMISSION_DENIED, ErrorReason.NOT_REQUEST_ADDRESSEE));
      cases.add(refused(rpc, "an answered request", Caller.DAVE, answerClosed,
          Code.FAILED_PRECONDITION, ErrorReason.FRIEND_REQUEST_CLOSED));
      cases.add(ok(rpc, "as the addressee", Caller.BOB, answer, (w, r) -> {
        boolean accepted = rpc.equals(ACCEPT);
        assertThat(w.relation(w.alice, w.bob).getFriends()).isEqualTo(accepted);
      }));
    }

    Call listFriends = (w, s) -> s.listFriends(ListFriendsRequest.getDefaultInstance());
    cases.add(anonymous(LIST_FRIENDS, listFriends));
    for (Caller caller : List.of(Caller.BOB, Caller.CAROL, Caller.EVE)) {
      cases.add(ok(LIST_FRIENDS, "", caller, listFriends, (w, r) -> assertThat(friendsOf(r)).isEmpty()));
    }
    cases.add(ok(LIST_FRIENDS, "with one's own remark", Caller.DAVE, listFriends,
        (w, r) -> assertThat(friendsOf(r)).extracting(Friend::getUserId, Friend::getRemark)
            .containsExactly(tuple(w.alice, "Al"))));

    Call removeAlice = (w, s) -> s.removeFriend(RemoveFriendRequest.newBuilder().setUserId(w.alice).build());
    cases.add(anonymous(REMOVE, removeAlice));
    for (Caller caller : List.of(Caller.BOB, Caller.CAROL, Caller.EVE)) {
      cases.add(refused(REMOVE, "Alice", caller, removeAlice, Code.NOT_FOUND, ErrorReason.NOT_FRIENDS));
    }
    cases.add(refused(REMOVE, "another's friend", Caller.CAROL,
        (w, s) -> s.removeFriend(RemoveFriendRequest.newBuilder().setUserId(w.dave).build()),
        Code.NOT_FOUND, ErrorReason.NOT_FRIENDS));
    cases.add(ok(REMOVE, "a friend", Caller.DAVE, removeAlice,
        (w, r) -> assertThat(w.friends(w.alice)).isEmpty()));

    Call remarkAlice = (w, s) -> s.setFriendRemark(
        SetFriendRemarkRequest.newBuilder().setUserId(w.alice).setRemark("mine").build());
    cases.add(anonymous(REMARK, remarkAlice));
    for (Caller caller : List.of(Caller.BOB, Caller.CAROL, Caller.EVE)) {
      cases.add(refused(REMARK, "for Alice", caller, remarkAlice, Code.NOT_FOUND, ErrorReason.NOT_FRIENDS));
    }
    cases.add(ok(REMARK, "for a friend", Caller.DAVE, remarkAlice, (w, r) -> {
      assertThat(w.friends(w.dave)).extracting(Friend::getRemark).containsExactly("mine");
      assertThat(w.friends(w.alice)).extracting(Friend::getRemark).containsExactly("Dave");
    }));

    Call blockAlice = (w, s) -> s.blockUser(BlockUserRequest.newBuilder().setUserId(w.alice).build());
    cases.add(anonymous(BLOCK, blockAlice));
    cases.add(refused(BLOCK, "Eve again", Caller.ALICE,
        (w, s) -> s.blockUser(BlockUserRequest.newBuilder().setUserId(w.eve).build()),
        Code.ALREADY_EXISTS, ErrorReason.ALREADY_BLOCKED));
    cases.add(refused(BLOCK, "oneself", Caller.CAROL,
        (w, s) -> s.blockUser(BlockUserRequest.newBuilder().setUserId(w.carol).build()),
        Code.INVALID_ARGUMENT, ErrorReason.BLOCK_SELF));
    cases.add(ok(BLOCK, "the blocker back", Caller.EVE, blockAlice,
        (w, r) -> assertThat(w.relation(w.alice, w.eve).getBBlocksA()).isTrue()));
    cases.add(ok(BLOCK, "a stranger", Caller.CAROL, blockAlice,
        (w, r) -> assertThat(w.blocked(w.alice)).extracting(BlockedUser::getUserId).containsExactly(w.eve)));

    Call unblockAlice = (w, s) -> s.unblockUser(UnblockUserRequest.newBuilder().setUserId(w.alice).build());
    Call unblockEve = (w, s) -> s.unblockUser(UnblockUserRequest.newBuilder().setUserId(w.eve).build());
    cases.add(anonymous(UNBLOCK, unblockEve));
    cases.add(refused(UNBLOCK, "one's blocker", Caller.EVE, unblockAlice, Code.NOT_FOUND, ErrorReason.NOT_BLOCKED));
    cases.add(refused(UNBLOCK, "another's blocked user", Caller.CAROL, unblockEve,
        Code.NOT_FOUND, ErrorReason.NOT_BLOCKED));
    cases.add(refused(UNBLOCK, "a friend never blocked", Caller.DAVE, unblockAlice,
        Code.NOT_FOUND, ErrorReason.NOT_BLOCKED));
    cases.add(ok(UNBLOCK, "one's blocked user", Caller.ALICE, unblockEve,
        (w, r) -> assertThat(w.relation(w.alice, w.eve)).isEqualTo(CheckRelationResponse.getDefaultInstance())));

    Call listBlocked = (w, s) -> s.listBlockedUsers(ListBlockedUsersRequest.getDefaultInstance());
    cases.add(anonymous(LIST_BLOCKED, listBlocked));
    for (Caller caller : List.of(Caller.EVE, Caller.CAROL, Caller.DAVE)) {
      cases.add(ok(LIST_BLOCKED, "", caller, listBlocked, (w, r) -> assertThat(blockedOf(r)).isEmpty()));
    }
    cases.add(ok(LIST_BLOCKED, "", Caller.ALICE, listBlocked,
        (w, r) -> assertThat(blockedOf(r)).extracting(BlockedUser::getUserId).containsExactly(w.eve)));

    Call check = (w, s) -> s.checkRelation(CheckRelationRequest.newBuilder().setUserIdA(w.alice).setUserIdB(w.eve).build());
    cases.add(anonymous(CHECK, check));
    for (Caller caller : List.of(Caller.ALICE, Caller.EVE, Caller.CAROL)) {
      cases.add(refused(CHECK, "with a user token", caller, check,
          Code.PERMISSION_DENIED, ErrorReason.SERVICE_CREDENTIAL_REQUIRED));
    }
    cases.add(ok(CHECK, "with a service credential", Caller.MESSAGE_SVC, check,
        (w, r) -> assertThat(r).isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).build())));
    return cases.stream();
  }

  private static List<FriendRequest> requestsOf(Object response) {
    return ((ListFriendRequestsResponse) response).getFriendRequestsList();
  }

  private static List<Friend> friendsOf(Object response) {
    return ((ListFriendsResponse) response).getFriendsList();
  }

  private static List<BlockedUser> blockedOf(Object response) {
    return ((ListBlockedUsersResponse) response).getBlockedUsersList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyCallerGetsExactlyTheAnswerForWhatIsTheirs(Case c) {
    World world = new World();
    FriendServiceBlockingStub stub = world.stub(c.caller());

    if (c.code() == Code.OK) {
      Object response = c.call().invoke(world, stub);
      c.check().accept(world, response);
    } else {
      assertFails(() -> c.call().invoke(world, stub), c.code(), c.reason());
      world.assertUnchanged();
    }
  }

  @Test
  void theMatrixCoversEveryRpcForAnonymousCallersAndForStrangers() {
    Set<String> rpcs = FriendServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getBareMethodName)
        .collect(Collectors.toSet());

    assertThat(cases().filter(c -> c.caller() == Caller.ANONYMOUS).map(Case::rpc))
        .containsExactlyInAnyOrderElementsOf(rpcs);
    assertThat(cases().filter(c -> c.caller() == Caller.CAROL).map(Case::rpc).collect(Collectors.toSet()))
        .isEqualTo(rpcs);
  }
}
