package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.BlockUserRequest;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.FriendRequest.State;
import io.parley.friend.v1.ListBlockedUsersRequest;
import io.parley.friend.v1.ListBlockedUsersResponse;
import io.parley.friend.v1.ListFriendRequestsRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rules of friend-svc ({@link FriendRules}), as users see them through FriendService over gRPC
 * with the real interceptors: refusals and their order, the request state machine, blocks, and the
 * invariants under concurrent calls. Here on the memory store; {@link PostgresFriendRulesTest} runs
 * every test again on PostgreSQL. Each test uses fresh users, so tests share one service per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FriendRulesTest {
  private static final int THREADS = 4;

  private FriendServiceFixture fixture;
  private ExecutorService pool;

  /** The service this class tests, started once. */
  protected FriendServiceFixture startFixture() {
    return FriendServiceFixture.start("memory", null, FriendServiceFixture.WITHOUT_RATE_LIMITS);
  }

  @BeforeAll
  void start() {
    fixture = startFixture();
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    fixture.close();
  }

  @Test
  void aRequestIsPendingAndSeenByBothPartiesOnly() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();

    FriendRequest request = send(alice, bob, "hi, it's Alice | from work");

    assertThat(Ids.isValid(request.getRequestId(), FriendStore.REQUEST_ID_PREFIX)).isTrue();
    assertThat(request.getFromUserId()).isEqualTo(alice);
    assertThat(request.getToUserId()).isEqualTo(bob);
    assertThat(request.getMessage()).isEqualTo("hi, it's Alice | from work");
    assertThat(request.getState()).isEqualTo(State.PENDING);
    assertThat(Timestamps.toMillis(request.getCreateTime())).isEqualTo(now());
    assertThat(request.getUpdateTime()).isEqualTo(request.getCreateTime());
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(request);
    assertThat(requests(alice, Direction.OUTGOING)).containsExactly(request);
    assertThat(requests(alice, Direction.INCOMING)).isEmpty();
    assertThat(requests(bob, Direction.OUTGOING)).isEmpty();
    assertThat(requests(carol, Direction.INCOMING)).isEmpty();
    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
  }

  @Test
  void aPendingRequestInEitherDirectionIsADuplicateNamingIt() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = send(alice, bob, "");

    ErrorInfo duplicate = refusal(() -> send(alice, bob, "again"));
    ErrorInfo crossed = refusal(() -> send(bob, alice, "the other way"));

    for (ErrorInfo refusal : List.of(duplicate, crossed)) {
      assertThat(refusal.getReason()).isEqualTo(ErrorReason.FRIEND_REQUEST_EXISTS.name());
      assertThat(refusal.getMetadataMap()).containsEntry("request_id", request.getRequestId());
    }
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(request);
    assertThat(requests(bob, Direction.OUTGOING)).isEmpty();
    assertThat(requests(alice, Direction.OUTGOING)).containsExactly(request);
  }

  @Test
  void acceptMakesThemFriendsOnBothSidesAtOnce() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = send(alice, bob, "hello");
    tick();

    Friend friend = accept(bob, request.getRequestId(), "Alice (work)");

    assertThat(friend).isEqualTo(friend(alice, "Alice (work)", now()));
    assertThat(relation(alice, bob).getFriends()).isTrue();
    assertThat(relation(bob, alice).getFriends()).isTrue();
    assertThat(friends(bob)).containsExactly(friend(alice, "Alice (work)", now()));
    assertThat(friends(alice)).containsExactly(friend(bob, "", now()));
    FriendRequest accepted = request.toBuilder()
        .setState(State.ACCEPTED)
        .setUpdateTime(Timestamps.fromMillis(now()))
        .build();
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(accepted);
    assertThat(requests(alice, Direction.OUTGOING)).containsExactly(accepted);
  }

  @Test
  void onlyTheAddresseeAnswersAndOthersCannotFindTheRequest() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    FriendRequest request = send(alice, bob, "");

    assertRefused(ErrorReason.NOT_REQUEST_ADDRESSEE, () -> accept(alice, request.getRequestId(), ""));
    assertRefused(ErrorReason.NOT_REQUEST_ADDRESSEE, () -> reject(alice, request.getRequestId()));
    assertRefused(ErrorReason.FRIEND_REQUEST_NOT_FOUND, () -> accept(carol, request.getRequestId(), ""));
    assertRefused(ErrorReason.FRIEND_REQUEST_NOT_FOUND, () -> reject(carol, request.getRequestId()));
    assertRefused(ErrorReason.FRIEND_REQUEST_NOT_FOUND,
        () -> accept(bob, Ids.newId(FriendStore.REQUEST_ID_PREFIX), ""));

    assertThat(requests(bob, Direction.INCOMING)).containsExactly(request);
    assertThat(relation(alice, bob).getFriends()).isFalse();
    assertThat(friends(carol)).isEmpty();
  }

  @Test
  void anAnsweredRequestIsClosedAndSaysHow() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    FriendRequest accepted = send(alice, bob, "");
    accept(bob, accepted.getRequestId(), "");
    FriendRequest rejected = send(carol, bob, "");
    reject(bob, rejected.getRequestId());

    ErrorInfo again = refusal(() -> accept(bob, accepted.getRequestId(), ""));
    assertThat(again.getReason()).isEqualTo(ErrorReason.FRIEND_REQUEST_CLOSED.name());
    assertThat(again.getMetadataMap()).containsEntry("state", "ACCEPTED");
    assertRefused(ErrorReason.FRIEND_REQUEST_CLOSED, () -> reject(bob, accepted.getRequestId()));
    assertThat(refusal(() -> accept(bob, rejected.getRequestId(), "")).getMetadataMap())
        .containsEntry("state", "REJECTED");
    assertThat(relation(bob, carol).getFriends()).isFalse();
  }

  @Test
  void rejectLeavesThemStrangersAndAllowsANewRequest() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = send(alice, bob, "");
    tick();

    FriendRequest rejected = reject(bob, request.getRequestId());

    assertThat(rejected).isEqualTo(request.toBuilder()
        .setState(State.REJECTED)
        .setUpdateTime(Timestamps.fromMillis(now()))
        .build());
    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(friends(alice)).isEmpty();
    tick();
    FriendRequest again = send(bob, alice, "changed my mind");
    assertThat(requests(alice, Direction.INCOMING)).containsExactly(again);
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(rejected);
  }

  @Test
  void aRequestBetweenFriendsFailsAlreadyFriends() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);

    assertRefused(ErrorReason.ALREADY_FRIENDS, () -> send(alice, bob, ""));
    assertRefused(ErrorReason.ALREADY_FRIENDS, () -> send(bob, alice, ""));
  }

  @Test
  void removeEndsTheFriendshipOnBothSides() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    befriend(alice, bob);
    befriend(alice, carol);

    remove(bob, alice);

    assertThat(relation(alice, bob).getFriends()).isFalse();
    assertThat(friends(bob)).isEmpty();
    assertThat(friends(alice)).extracting(Friend::getUserId).containsExactly(carol);
    assertRefused(ErrorReason.NOT_FRIENDS, () -> remove(alice, bob));
    assertRefused(ErrorReason.NOT_FRIENDS, () -> remove(bob, carol));
    assertThat(relation(alice, carol).getFriends()).isTrue();
    assertThat(send(alice, bob, "").getState()).isEqualTo(State.PENDING);
  }

  @Test
  void aRemarkIsSetOnOneSideOnly() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    long since = befriend(alice, bob);

    assertThat(remark(alice, bob, "Bobby")).isEqualTo(friend(bob, "Bobby", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "", since));
    remark(bob, alice, "Al");
    assertThat(friends(alice)).containsExactly(friend(bob, "Bobby", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "Al", since));

    assertThat(remark(alice, bob, "")).isEqualTo(friend(bob, "", since));
    assertThat(friends(alice)).containsExactly(friend(bob, "", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "Al", since));
    assertRefused(ErrorReason.NOT_FRIENDS, () -> remark(alice, carol, "stranger"));
  }

  @Test
  void remarksEndWithTheFriendship() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);
    remark(alice, bob, "Bobby");
    remove(alice, bob);
    tick();

    long since = befriend(bob, alice);

    assertThat(friends(alice)).containsExactly(friend(bob, "", since));
  }

  @Test
  void aBlockEndsTheFriendshipAndCancelsThePendingRequest() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    befriend(alice, bob);
    remark(bob, alice, "Al");
    FriendRequest fromCarol = send(carol, alice, "");
    tick();

    BlockedUser blockedBob = block(alice, bob);
    tick();
    BlockedUser blockedCarol = block(alice, carol);

    assertThat(blockedBob.getUserId()).isEqualTo(bob);
    assertThat(Timestamps.toMillis(blockedBob.getCreateTime())).isEqualTo(now() - 1000);
    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).build());
    assertThat(relation(bob, alice)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
    assertThat(friends(alice)).isEmpty();
    assertThat(friends(bob)).isEmpty();
    FriendRequest cancelled = fromCarol.toBuilder()
        .setState(State.CANCELLED)
        .setUpdateTime(Timestamps.fromMillis(now()))
        .build();
    assertThat(requests(alice, Direction.INCOMING)).containsExactly(cancelled);
    assertThat(requests(carol, Direction.OUTGOING)).containsExactly(cancelled);
    assertThat(blocked(alice)).containsExactly(blockedCarol, blockedBob);
    assertThat(blocked(bob)).isEmpty();
  }

  @Test
  void aBlockStopsRequestsInBothDirections() {
    String alice = newUser();
    String bob = newUser();
    block(alice, bob);

    assertRefused(ErrorReason.BLOCKED, () -> send(bob, alice, "let me in"));
    assertRefused(ErrorReason.BLOCKED, () -> send(alice, bob, ""));
    assertThat(requests(alice, Direction.INCOMING)).isEmpty();
  }

  @Test
  void eachSideBlocksAndUnblocksOnItsOwn() {
    String alice = newUser();
    String bob = newUser();
    block(alice, bob);

    assertRefused(ErrorReason.ALREADY_BLOCKED, () -> block(alice, bob));
    block(bob, alice);
    assertThat(relation(alice, bob))
        .isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).setBBlocksA(true).build());

    unblock(alice, bob);
    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
    assertThat(blocked(alice)).isEmpty();
    assertThat(blocked(bob)).extracting(BlockedUser::getUserId).containsExactly(alice);
    assertRefused(ErrorReason.BLOCKED, () -> send(alice, bob, ""));

    unblock(bob, alice);
    assertThat(send(alice, bob, "").getState()).isEqualTo(State.PENDING);
  }

  @Test
  void onlyTheBlockerLiftsABlock() {
    String alice = newUser();
    String bob = newUser();
    assertRefused(ErrorReason.NOT_BLOCKED, () -> unblock(alice, bob));
    block(alice, bob);

    assertRefused(ErrorReason.NOT_BLOCKED, () -> unblock(bob, alice));
    assertThat(relation(alice, bob).getABlocksB()).isTrue();
  }

  @Test
  void anUnblockDoesNotBringTheFriendshipBack() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);
    block(bob, alice);

    unblock(bob, alice);

    assertThat(relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(friends(alice)).isEmpty();
    assertThat(friends(bob)).isEmpty();
  }

  @Test
  void theRelationOfStrangersOrOfAUserWithThemselfIsEmpty() {
    String alice = newUser();
    assertThat(relation(alice, newUser())).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(relation(alice, alice)).isEqualTo(CheckRelationResponse.getDefaultInstance());
  }

  @Test
  void everyRefusalLeavesWhatEitherUserSeesAsItWas() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    String dave = newUser();
    befriend(alice, dave);
    remark(alice, dave, "Dave");
    FriendRequest pending = send(alice, bob, "");
    block(carol, alice);
    Map<String, List<Object>> before = views(alice, bob, carol, dave);
    tick();

    assertRefused(ErrorReason.FRIEND_REQUEST_EXISTS, () -> send(bob, alice, "crossed"));
    assertRefused(ErrorReason.NOT_REQUEST_ADDRESSEE, () -> accept(alice, pending.getRequestId(), "x"));
    assertRefused(ErrorReason.FRIEND_REQUEST_NOT_FOUND, () -> reject(dave, pending.getRequestId()));
    assertRefused(ErrorReason.ALREADY_FRIENDS, () -> send(dave, alice, ""));
    assertRefused(ErrorReason.BLOCKED, () -> send(alice, carol, ""));
    assertRefused(ErrorReason.ALREADY_BLOCKED, () -> block(carol, alice));
    assertRefused(ErrorReason.NOT_BLOCKED, () -> unblock(alice, carol));
    assertRefused(ErrorReason.NOT_FRIENDS, () -> remove(bob, alice));
    assertRefused(ErrorReason.NOT_FRIENDS, () -> remark(bob, dave, "who?"));

    assertThat(views(alice, bob, carol, dave)).isEqualTo(before);
  }

  @Test
  void friendsAreListedNewestFirstInPages() {
    String alice = newUser();
    List<String> friends = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tick();
      String friend = newUser();
      befriend(friend, alice);
      friends.add(0, friend);
    }

    ListFriendsResponse first = fixture.as(alice).listFriends(ListFriendsRequest.newBuilder().setPageSize(2).build());
    ListFriendsResponse second = fixture.as(alice).listFriends(
        ListFriendsRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken()).build());
    ListFriendsResponse third = fixture.as(alice).listFriends(
        ListFriendsRequest.newBuilder().setPageSize(2).setPageToken(second.getNextPageToken()).build());

    assertThat(first.getFriendsList()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(0, 2));
    assertThat(second.getFriendsList()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(2, 4));
    assertThat(third.getFriendsList()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(4, 5));
    assertThat(third.getNextPageToken()).isEmpty();
    assertThat(fixture.as(alice).listFriends(ListFriendsRequest.newBuilder().setPageSize(5).build())
        .getNextPageToken()).isEmpty();
    assertThat(fixture.as(alice).listFriends(ListFriendsRequest.newBuilder().setPageSize(4).build())
        .getNextPageToken()).isNotEmpty();
  }

  @Test
  void requestsAndBlocksAreListedNewestFirstInPages() {
    String alice = newUser();
    List<String> incoming = new ArrayList<>();
    List<String> outgoing = new ArrayList<>();
    List<String> blockedUsers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      tick();
      incoming.add(0, send(newUser(), alice, "").getRequestId());
      tick();
      outgoing.add(0, send(alice, newUser(), "").getRequestId());
      tick();
      String blockedUser = newUser();
      block(alice, blockedUser);
      blockedUsers.add(0, blockedUser);
    }

    assertThat(requests(alice, Direction.INCOMING, 2)).extracting(FriendRequest::getRequestId)
        .containsExactlyElementsOf(incoming);
    assertThat(requests(alice, Direction.OUTGOING, 2)).extracting(FriendRequest::getRequestId)
        .containsExactlyElementsOf(outgoing);
    assertThat(blocked(alice, 2)).extracting(BlockedUser::getUserId).containsExactlyElementsOf(blockedUsers);
  }

  @Test
  void itemsOfOneMillisecondArePagedWithoutLossOrRepetition() {
    String alice = newUser();
    Set<String> friends = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      String friend = newUser();
      befriend(alice, friend);
      friends.add(friend);
    }

    List<Friend> listed = friends(alice, 2);

    assertThat(listed).extracting(Friend::getUserId).containsExactlyInAnyOrderElementsOf(friends);
    assertThat(listed).extracting(Friend::getUserId).isSortedAccordingTo((x, y) -> y.compareTo(x));
  }

  @Test
  void anAcceptRacingABlockNeverLeavesAOneSidedFriendship() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      FriendRequest request = send(alice, bob, "");
      String blocker = round % 2 == 0 ? alice : bob;

      List<Object> outcomes = race(
          () -> accept(bob, request.getRequestId(), ""),
          () -> block(blocker, blocker.equals(alice) ? bob : alice));

      assertThat(outcomes.get(0)).isInstanceOfAny(Friend.class, ErrorReason.class);
      if (outcomes.get(0) instanceof ErrorReason reason) {
        assertThat(reason).isEqualTo(ErrorReason.FRIEND_REQUEST_CLOSED);
      }
      assertThat(outcomes.get(1)).isInstanceOf(BlockedUser.class);
      assertConsistent(alice, bob);
      assertThat(relation(alice, bob).getFriends()).isFalse();
    }
  }

  @Test
  void anAcceptRacingARemoveAndABlockNeverLeavesAOneSidedFriendship() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      String carol = newUser();
      befriend(alice, carol);
      FriendRequest request = send(alice, bob, "");

      race(() -> accept(bob, request.getRequestId(), ""),
          () -> {
            remove(carol, alice);
            return null;
          },
          () -> block(carol, alice),
          () -> block(bob, carol));

      assertConsistent(alice, bob);
      assertConsistent(alice, carol);
      assertConsistent(bob, carol);
      assertThat(relation(alice, bob).getFriends()).isTrue();
      assertThat(relation(alice, carol).getFriends()).isFalse();
    }
  }

  @Test
  void requestsSentBothWaysAtOnceLeaveExactlyOnePending() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();

      List<Object> outcomes = race(() -> send(alice, bob, ""), () -> send(bob, alice, ""));

      assertThat(outcomes).filteredOn(FriendRequest.class::isInstance).hasSize(1);
      assertThat(outcomes).filteredOn(ErrorReason.FRIEND_REQUEST_EXISTS::equals).hasSize(1);
      assertConsistent(alice, bob);
    }
  }

  @Test
  void aRequestAnsweredThriceAtOnceIsAnsweredOnce() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      FriendRequest request = send(alice, bob, "");

      List<Object> outcomes = race(
          () -> accept(bob, request.getRequestId(), "first"),
          () -> accept(bob, request.getRequestId(), "second"),
          () -> reject(bob, request.getRequestId()));

      assertThat(outcomes).filteredOn(o -> !(o instanceof ErrorReason)).hasSize(1);
      assertThat(outcomes).filteredOn(ErrorReason.FRIEND_REQUEST_CLOSED::equals).hasSize(2);
      assertConsistent(alice, bob);
    }
  }

  @Test
  void manyRequestsAcceptedAtOnceAreAllListedOnBothSides() throws Exception {
    String alice = newUser();
    List<String> senders = new ArrayList<>();
    List<Callable<Object>> accepts = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      String sender = newUser();
      senders.add(sender);
      FriendRequest request = send(sender, alice, "");
      accepts.add(() -> accept(alice, request.getRequestId(), ""));
    }

    assertThat(race(accepts)).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Friend.class));

    assertThat(friendIds(alice)).containsExactlyInAnyOrderElementsOf(senders);
    for (String sender : senders) {
      assertThat(friendIds(sender)).containsExactly(alice);
    }
  }

  @Test
  void randomConcurrentChangesKeepEveryPairConsistent() throws Exception {
    List<String> users = List.of(newUser(), newUser(), newUser(), newUser());
    List<Callable<Object>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      workers.add(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 60; i++) {
          String me = users.get(random.nextInt(users.size()));
          String other = users.get(random.nextInt(users.size()));
          if (!me.equals(other)) {
            randomChange(me, other, random.nextInt(7));
          }
        }
        return null;
      });
    }

    assertThat(race(workers)).allSatisfy(outcome -> assertThat(outcome).isEqualTo("done"));

    for (int i = 0; i < users.size(); i++) {
      for (int j = i + 1; j < users.size(); j++) {
        assertConsistent(users.get(i), users.get(j));
      }
    }
  }

  /** One change between two users; refusals that the rules allow are expected. */
  private void randomChange(String me, String other, int kind) {
    try {
      switch (kind) {
        case 0, 1 -> send(me, other, "");
        case 2 -> pendingFrom(other, me).ifPresent(id -> accept(me, id, ""));
        case 3 -> pendingFrom(other, me).ifPresent(id -> reject(me, id));
        case 4 -> remove(me, other);
        case 5 -> block(me, other);
        default -> unblock(me, other);
      }
    } catch (StatusRuntimeException e) {
      assertThat(reason(e)).isIn(ErrorReason.BLOCKED, ErrorReason.ALREADY_FRIENDS, ErrorReason.FRIEND_REQUEST_EXISTS,
          ErrorReason.FRIEND_REQUEST_CLOSED, ErrorReason.NOT_FRIENDS, ErrorReason.ALREADY_BLOCKED,
          ErrorReason.NOT_BLOCKED);
    }
  }

  private Optional<String> pendingFrom(String from, String to) {
    return pendingBetween(from, to).stream().map(FriendRequest::getRequestId).findFirst();
  }

  /**
   * The pair's rules hold and both users' lists agree with the pair: friends on both sides or on
   * neither, never friends while blocked, at most one pending request, listed on both sides.
   */
  private void assertConsistent(String a, String b) {
    CheckRelationResponse relation = relation(a, b);
    assertThat(friendIds(a).contains(b)).as("%s lists %s as a friend", a, b).isEqualTo(relation.getFriends());
    assertThat(friendIds(b).contains(a)).as("%s lists %s as a friend", b, a).isEqualTo(relation.getFriends());
    assertThat(relation(b, a).getFriends()).isEqualTo(relation.getFriends());
    if (relation.getFriends()) {
      assertThat(relation.getABlocksB() || relation.getBBlocksA()).as("friends while blocked").isFalse();
    }
    assertThat(blocked(a, 50)).extracting(BlockedUser::getUserId).filteredOn(b::equals)
        .hasSize(relation.getABlocksB() ? 1 : 0);
    assertThat(blocked(b, 50)).extracting(BlockedUser::getUserId).filteredOn(a::equals)
        .hasSize(relation.getBBlocksA() ? 1 : 0);
    List<FriendRequest> pending = new ArrayList<>();
    pending.addAll(pendingBetween(a, b));
    pending.addAll(pendingBetween(b, a));
    assertThat(pending).as("pending requests between %s and %s", a, b).hasSizeLessThanOrEqualTo(1);
    if (!pending.isEmpty()) {
      assertThat(relation.getFriends() || relation.getABlocksB() || relation.getBBlocksA()).isFalse();
      FriendRequest request = pending.get(0);
      assertThat(requests(request.getFromUserId(), Direction.OUTGOING, 50)).contains(request);
    }
  }

  /** The pending requests from {@code from} that {@code to} sees. */
  private List<FriendRequest> pendingBetween(String from, String to) {
    return requests(to, Direction.INCOMING, 50).stream()
        .filter(r -> r.getFromUserId().equals(from) && r.getState() == State.PENDING)
        .toList();
  }

  /** Everything each of {@code users} sees of their relations and requests, by user. */
  private Map<String, List<Object>> views(String... users) {
    Map<String, List<Object>> views = new HashMap<>();
    for (String user : users) {
      List<Object> view = new ArrayList<>();
      view.add(friends(user));
      view.add(blocked(user, 50));
      view.add(requests(user, Direction.INCOMING));
      view.add(requests(user, Direction.OUTGOING));
      for (String other : users) {
        view.add(relation(user, other));
      }
      views.put(user, view);
    }
    return views;
  }

  private String newUser() {
    return fixture.newUser();
  }

  private void tick() {
    fixture.clock.advance(Duration.ofSeconds(1));
  }

  private long now() {
    return fixture.clock.millis();
  }

  private FriendRequest send(String from, String to, String message) {
    return fixture.as(from).sendFriendRequest(
        SendFriendRequestRequest.newBuilder().setToUserId(to).setMessage(message).build());
  }

  private Friend accept(String userId, String requestId, String remark) {
    return fixture.as(userId).acceptFriendRequest(
        AcceptFriendRequestRequest.newBuilder().setRequestId(requestId).setRemark(remark).build());
  }

  private FriendRequest reject(String userId, String requestId) {
    return fixture.as(userId).rejectFriendRequest(
        RejectFriendRequestRequest.newBuilder().setRequestId(requestId).build());
  }

  private void remove(String userId, String friendId) {
    fixture.as(userId).removeFriend(RemoveFriendRequest.newBuilder().setUserId(friendId).build());
  }

  private Friend remark(String userId, String friendId, String remark) {
    return fixture.as(userId).setFriendRemark(
        SetFriendRemarkRequest.newBuilder().setUserId(friendId).setRemark(remark).build());
  }

  private BlockedUser block(String userId, String blockedId) {
    return fixture.as(userId).blockUser(BlockUserRequest.newBuilder().setUserId(blockedId).build());
  }

  private void unblock(String userId, String blockedId) {
    fixture.as(userId).unblockUser(UnblockUserRequest.newBuilder().setUserId(blockedId).build());
  }

  private CheckRelationResponse relation(String a, String b) {
    return fixture.asService("message-svc").checkRelation(
        CheckRelationRequest.newBuilder().setUserIdA(a).setUserIdB(b).build());
  }

  /** Makes {@code from} and {@code to} friends; returns since when. */
  private long befriend(String from, String to) {
    return Timestamps.toMillis(accept(to, send(from, to, "").getRequestId(), "").getCreateTime());
  }

  private List<Friend> friends(String userId) {
    return friends(userId, 100);
  }

  private List<Friend> friends(String userId, int pageSize) {
    return allPages(token -> {
      ListFriendsResponse page = fixture.as(userId).listFriends(
          ListFriendsRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build());
      return new PageOf<>(page.getFriendsList(), page.getNextPageToken());
    });
  }

  private List<String> friendIds(String userId) {
    return friends(userId, 50).stream().map(Friend::getUserId).toList();
  }

  private List<FriendRequest> requests(String userId, Direction direction) {
    return requests(userId, direction, 100);
  }

  private List<FriendRequest> requests(String userId, Direction direction, int pageSize) {
    return allPages(token -> {
      ListFriendRequestsResponse page = fixture.as(userId).listFriendRequests(ListFriendRequestsRequest.newBuilder()
          .setDirection(direction).setPageSize(pageSize).setPageToken(token).build());
      return new PageOf<>(page.getFriendRequestsList(), page.getNextPageToken());
    });
  }

  private List<BlockedUser> blocked(String userId) {
    return blocked(userId, 100);
  }

  private List<BlockedUser> blocked(String userId, int pageSize) {
    return allPages(token -> {
      ListBlockedUsersResponse page = fixture.as(userId).listBlockedUsers(
          ListBlockedUsersRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build());
      return new PageOf<>(page.getBlockedUsersList(), page.getNextPageToken());
    });
  }

  /** A page as a client sees it. */
  private record PageOf<T>(List<T> items, String nextPageToken) {}

  /** Every item of a list, read page by page from the first. */
  private static <T> List<T> allPages(Function<String, PageOf<T>> list) {
    List<T> all = new ArrayList<>();
    String token = "";
    do {
      PageOf<T> page = list.apply(token);
      all.addAll(page.items());
      token = page.nextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  private static Friend friend(String userId, String remark, long since) {
    return Friend.newBuilder().setUserId(userId).setRemark(remark).setCreateTime(Timestamps.fromMillis(since)).build();
  }

  private static ErrorReason reason(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("google.rpc.Status of %s", e).isNotNull();
    ErrorInfo info = GrpcAssertions.errorInfo(status);
    assertThat(info).as("ErrorInfo of %s", e).isNotNull();
    return ErrorReason.valueOf(info.getReason());
  }

  /** The ErrorInfo of the refusal {@code call} fails with. */
  private static ErrorInfo refusal(ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("a refusal").isNotNull();
    return GrpcAssertions.errorInfo(StatusProto.fromThrowable(e));
  }

  private static void assertRefused(ErrorReason reason, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(reason(e)).isEqualTo(reason));
  }

  @SafeVarargs
  private List<Object> race(Callable<Object>... tasks) throws Exception {
    return race(List.of(tasks));
  }

  /**
   * Runs {@code tasks} at once, released together; returns each one's result ({@code "done"} for
   * none), or the reason of the refusal it met (anything else fails the test).
   */
  private List<Object> race(List<Callable<Object>> tasks) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Object>> futures = new ArrayList<>();
    for (Callable<Object> task : tasks) {
      futures.add(pool.submit(() -> {
        start.await();
        try {
          Object result = task.call();
          return result == null ? "done" : result;
        } catch (StatusRuntimeException e) {
          return reason(e);
        }
      }));
    }
    start.countDown();
    List<Object> outcomes = new ArrayList<>();
    for (Future<Object> future : futures) {
      try {
        outcomes.add(future.get(60, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        throw new AssertionError("a racing task failed", e.getCause());
      }
    }
    return outcomes;
  }
}
