package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest.State;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import io.parley.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
import java.util.function.BiFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link FriendStore} contract, run against every store. Each test uses fresh user ids, so
 * tests share one store (and one server) per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FriendStoreContractTest {
  private static final int THREADS = 4;

  protected final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T08:00:00Z"));
  private FriendStore store;
  private ExecutorService pool;

  /** Starts what the store needs (a server) and the store, once per class. */
  protected abstract FriendStore createStore(Clock clock);

  /** Stops what {@link #createStore} started. */
  protected void stopBackend() {}

  @BeforeAll
  void startStore() {
    store = createStore(clock);
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  void stopStore() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    store.close();
    stopBackend();
  }

  protected FriendStore store() {
    return store;
  }

  protected static String newUser() {
    return Ids.newId("u");
  }

  private void tick() {
    clock.advance(Duration.ofSeconds(1));
  }

  private long now() {
    return clock.millis();
  }

  // ---- requests -------------------------------------------------------------------------------

  @Test
  void aRequestIsPendingAndSeenByBothPartiesOnly() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();

    FriendRequest request = store.sendRequest(alice, bob, "hi, it's Alice | from work");

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
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
  }

  @Test
  void aPendingRequestInEitherDirectionIsADuplicate() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = store.sendRequest(alice, bob, "");

    assertThatThrownBy(() -> store.sendRequest(alice, bob, "again"))
        .isInstanceOfSatisfying(ParleyException.class, e -> {
          assertThat(e.reason()).isEqualTo(ErrorReason.FRIEND_REQUEST_EXISTS);
          assertThat(e.metadata()).containsEntry("request_id", request.getRequestId());
        });
    assertThatThrownBy(() -> store.sendRequest(bob, alice, "the other way"))
        .isInstanceOfSatisfying(ParleyException.class, e -> {
          assertThat(e.reason()).isEqualTo(ErrorReason.FRIEND_REQUEST_EXISTS);
          assertThat(e.metadata()).containsEntry("request_id", request.getRequestId());
        });
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(request);
    assertThat(requests(bob, Direction.OUTGOING)).isEmpty();
    assertThat(requests(alice, Direction.OUTGOING)).containsExactly(request);
  }

  @Test
  void acceptMakesThemFriendsOnBothSidesAtOnce() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = store.sendRequest(alice, bob, "hello");
    tick();

    Friend friend = store.acceptRequest(bob, request.getRequestId(), "Alice (work)");

    assertThat(friend).isEqualTo(friend(alice, "Alice (work)", now()));
    assertThat(store.relation(alice, bob).getFriends()).isTrue();
    assertThat(store.relation(bob, alice).getFriends()).isTrue();
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
    FriendRequest request = store.sendRequest(alice, bob, "");

    assertFails(ErrorReason.NOT_REQUEST_ADDRESSEE, () -> store.acceptRequest(alice, request.getRequestId(), ""));
    assertFails(ErrorReason.NOT_REQUEST_ADDRESSEE, () -> store.rejectRequest(alice, request.getRequestId()));
    assertFails(ErrorReason.FRIEND_REQUEST_NOT_FOUND, () -> store.acceptRequest(carol, request.getRequestId(), ""));
    assertFails(ErrorReason.FRIEND_REQUEST_NOT_FOUND, () -> store.rejectRequest(carol, request.getRequestId()));
    assertFails(ErrorReason.FRIEND_REQUEST_NOT_FOUND,
        () -> store.acceptRequest(bob, Ids.newId(FriendStore.REQUEST_ID_PREFIX), ""));

    assertThat(requests(bob, Direction.INCOMING)).containsExactly(request);
    assertThat(store.relation(alice, bob).getFriends()).isFalse();
    assertThat(friends(carol)).isEmpty();
  }

  @Test
  void anAnsweredRequestIsClosed() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    FriendRequest accepted = store.sendRequest(alice, bob, "");
    store.acceptRequest(bob, accepted.getRequestId(), "");
    FriendRequest rejected = store.sendRequest(carol, bob, "");
    store.rejectRequest(bob, rejected.getRequestId());

    assertThatThrownBy(() -> store.acceptRequest(bob, accepted.getRequestId(), ""))
        .isInstanceOfSatisfying(ParleyException.class, e -> {
          assertThat(e.reason()).isEqualTo(ErrorReason.FRIEND_REQUEST_CLOSED);
          assertThat(e.metadata()).containsEntry("state", "ACCEPTED");
        });
    assertFails(ErrorReason.FRIEND_REQUEST_CLOSED, () -> store.rejectRequest(bob, accepted.getRequestId()));
    assertThatThrownBy(() -> store.acceptRequest(bob, rejected.getRequestId(), ""))
        .isInstanceOfSatisfying(ParleyException.class, e -> {
          assertThat(e.reason()).isEqualTo(ErrorReason.FRIEND_REQUEST_CLOSED);
          assertThat(e.metadata()).containsEntry("state", "REJECTED");
        });
    assertThat(store.relation(bob, carol).getFriends()).isFalse();
  }

  @Test
  void rejectLeavesThemStrangersAndAllowsANewRequest() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = store.sendRequest(alice, bob, "");
    tick();

    FriendRequest rejected = store.rejectRequest(bob, request.getRequestId());

    assertThat(rejected).isEqualTo(request.toBuilder()
        .setState(State.REJECTED)
        .setUpdateTime(Timestamps.fromMillis(now()))
        .build());
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(friends(alice)).isEmpty();
    tick();
    FriendRequest again = store.sendRequest(bob, alice, "changed my mind");
    assertThat(requests(alice, Direction.INCOMING)).containsExactly(again);
    assertThat(requests(bob, Direction.INCOMING)).containsExactly(rejected);
  }

  @Test
  void aRequestBetweenFriendsFailsAlreadyFriends() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);

    assertFails(ErrorReason.ALREADY_FRIENDS, () -> store.sendRequest(alice, bob, ""));
    assertFails(ErrorReason.ALREADY_FRIENDS, () -> store.sendRequest(bob, alice, ""));
  }

  // ---- friends --------------------------------------------------------------------------------

  @Test
  void removeEndsTheFriendshipOnBothSides() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    befriend(alice, bob);
    befriend(alice, carol);

    store.removeFriend(bob, alice);

    assertThat(store.relation(alice, bob).getFriends()).isFalse();
    assertThat(friends(bob)).isEmpty();
    assertThat(friends(alice)).extracting(Friend::getUserId).containsExactly(carol);
    assertFails(ErrorReason.NOT_FRIENDS, () -> store.removeFriend(alice, bob));
    assertFails(ErrorReason.NOT_FRIENDS, () -> store.removeFriend(bob, carol));
    assertThat(store.relation(alice, carol).getFriends()).isTrue();
    FriendRequest again = store.sendRequest(alice, bob, "");
    assertThat(again.getState()).isEqualTo(State.PENDING);
  }

  @Test
  void aRemarkIsSetOnOneSideOnly() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    long since = befriend(alice, bob);

    assertThat(store.setRemark(alice, bob, "Bobby")).isEqualTo(friend(bob, "Bobby", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "", since));
    store.setRemark(bob, alice, "Al");
    assertThat(friends(alice)).containsExactly(friend(bob, "Bobby", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "Al", since));

    assertThat(store.setRemark(alice, bob, "")).isEqualTo(friend(bob, "", since));
    assertThat(friends(alice)).containsExactly(friend(bob, "", since));
    assertThat(friends(bob)).containsExactly(friend(alice, "Al", since));
    assertFails(ErrorReason.NOT_FRIENDS, () -> store.setRemark(alice, carol, "stranger"));
  }

  @Test
  void remarksEndWithTheFriendship() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);
    store.setRemark(alice, bob, "Bobby");
    store.removeFriend(alice, bob);
    tick();

    long since = befriend(bob, alice);

    assertThat(friends(alice)).containsExactly(friend(bob, "", since));
  }

  // ---- blocks ---------------------------------------------------------------------------------

  @Test
  void aBlockEndsTheFriendshipAndCancelsThePendingRequest() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    befriend(alice, bob);
    store.setRemark(bob, alice, "Al");
    FriendRequest fromCarol = store.sendRequest(carol, alice, "");
    tick();

    BlockedUser blockedBob = store.block(alice, bob);
    tick();
    BlockedUser blockedCarol = store.block(alice, carol);

    assertThat(blockedBob.getUserId()).isEqualTo(bob);
    assertThat(Timestamps.toMillis(blockedBob.getCreateTime())).isEqualTo(now() - 1000);
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).build());
    assertThat(store.relation(bob, alice)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
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
    store.block(alice, bob);

    assertFails(ErrorReason.BLOCKED, () -> store.sendRequest(bob, alice, "let me in"));
    assertFails(ErrorReason.BLOCKED, () -> store.sendRequest(alice, bob, ""));
    assertThat(requests(alice, Direction.INCOMING)).isEmpty();
  }

  @Test
  void eachSideBlocksAndUnblocksOnItsOwn() {
    String alice = newUser();
    String bob = newUser();
    store.block(alice, bob);

    assertFails(ErrorReason.ALREADY_BLOCKED, () -> store.block(alice, bob));
    store.block(bob, alice);
    assertThat(store.relation(alice, bob))
        .isEqualTo(CheckRelationResponse.newBuilder().setABlocksB(true).setBBlocksA(true).build());

    store.unblock(alice, bob);
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.newBuilder().setBBlocksA(true).build());
    assertThat(blocked(alice)).isEmpty();
    assertThat(blocked(bob)).extracting(BlockedUser::getUserId).containsExactly(alice);
    assertFails(ErrorReason.BLOCKED, () -> store.sendRequest(alice, bob, ""));

    store.unblock(bob, alice);
    assertThat(store.sendRequest(alice, bob, "").getState()).isEqualTo(State.PENDING);
  }

  @Test
  void onlyTheBlockerLiftsABlock() {
    String alice = newUser();
    String bob = newUser();
    assertFails(ErrorReason.NOT_BLOCKED, () -> store.unblock(alice, bob));
    store.block(alice, bob);

    assertFails(ErrorReason.NOT_BLOCKED, () -> store.unblock(bob, alice));
    assertThat(store.relation(alice, bob).getABlocksB()).isTrue();
  }

  @Test
  void anUnblockDoesNotBringTheFriendshipBack() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);
    store.block(bob, alice);

    store.unblock(bob, alice);

    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(friends(alice)).isEmpty();
    assertThat(friends(bob)).isEmpty();
  }

  @Test
  void theRelationOfStrangersOrOfAUserWithThemselfIsEmpty() {
    String alice = newUser();
    assertThat(store.relation(alice, newUser())).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(store.relation(alice, alice)).isEqualTo(CheckRelationResponse.getDefaultInstance());
  }

  // ---- lists ----------------------------------------------------------------------------------

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

    Page<Friend> first = store.listFriends(alice, null, 2);
    Page<Friend> second = store.listFriends(alice, first.next(), 2);
    Page<Friend> third = store.listFriends(alice, second.next(), 2);

    assertThat(first.items()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(0, 2));
    assertThat(second.items()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(2, 4));
    assertThat(third.items()).extracting(Friend::getUserId).containsExactlyElementsOf(friends.subList(4, 5));
    assertThat(third.next()).isNull();
    assertThat(store.listFriends(alice, null, 5).next()).isNull();
    assertThat(store.listFriends(alice, null, 4).next()).isNotNull();
  }

  @Test
  void requestsAndBlocksAreListedNewestFirstInPages() {
    String alice = newUser();
    List<String> incoming = new ArrayList<>();
    List<String> outgoing = new ArrayList<>();
    List<String> blockedUsers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      tick();
      incoming.add(0, store.sendRequest(newUser(), alice, "").getRequestId());
      tick();
      outgoing.add(0, store.sendRequest(alice, newUser(), "").getRequestId());
      tick();
      String blockedUser = newUser();
      store.block(alice, blockedUser);
      blockedUsers.add(0, blockedUser);
    }

    assertThat(allPages((after, limit) -> store.listRequests(alice, Direction.INCOMING, after, limit), 2))
        .extracting(FriendRequest::getRequestId).containsExactlyElementsOf(incoming);
    assertThat(allPages((after, limit) -> store.listRequests(alice, Direction.OUTGOING, after, limit), 2))
        .extracting(FriendRequest::getRequestId).containsExactlyElementsOf(outgoing);
    assertThat(allPages((after, limit) -> store.listBlocked(alice, after, limit), 2))
        .extracting(BlockedUser::getUserId).containsExactlyElementsOf(blockedUsers);
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

    List<Friend> listed = allPages((after, limit) -> store.listFriends(alice, after, limit), 2);

    assertThat(listed).extracting(Friend::getUserId).containsExactlyInAnyOrderElementsOf(friends);
    assertThat(listed).extracting(Friend::getUserId)
        .isSortedAccordingTo((x, y) -> y.compareTo(x));
  }

  @Test
  void aCursorPastTheEndGivesAnEmptyLastPage() {
    String alice = newUser();
    befriend(alice, newUser());

    Page<Friend> page = store.listFriends(alice, new ListCursor(0, "u0"), 10);

    assertThat(page.items()).isEmpty();
    assertThat(page.next()).isNull();
  }

  // ---- concurrency ----------------------------------------------------------------------------

  @Test
  void anAcceptRacingABlockNeverLeavesAOneSidedFriendship() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      FriendRequest request = store.sendRequest(alice, bob, "");
      String blocker = round % 2 == 0 ? alice : bob;

      List<Object> outcomes = race(
          () -> store.acceptRequest(bob, request.getRequestId(), ""),
          () -> store.block(blocker, blocker.equals(alice) ? bob : alice));

      assertThat(outcomes.get(0)).isInstanceOfAny(Friend.class, ErrorReason.class);
      if (outcomes.get(0) instanceof ErrorReason reason) {
        assertThat(reason).isEqualTo(ErrorReason.FRIEND_REQUEST_CLOSED);
      }
      assertThat(outcomes.get(1)).isInstanceOf(BlockedUser.class);
      assertConsistent(alice, bob);
      assertThat(store.relation(alice, bob).getFriends()).isFalse();
    }
  }

  @Test
  void anAcceptRacingARemoveAndABlockNeverLeavesAOneSidedFriendship() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      String carol = newUser();
      befriend(alice, carol);
      FriendRequest request = store.sendRequest(alice, bob, "");

      race(() -> store.acceptRequest(bob, request.getRequestId(), ""),
          () -> {
            store.removeFriend(carol, alice);
            return null;
          },
          () -> store.block(carol, alice),
          () -> store.block(bob, carol));

      assertConsistent(alice, bob);
      assertConsistent(alice, carol);
      assertConsistent(bob, carol);
      assertThat(store.relation(alice, bob).getFriends()).isTrue();
      assertThat(store.relation(alice, carol).getFriends()).isFalse();
    }
  }

  @Test
  void requestsSentBothWaysAtOnceLeaveExactlyOnePending() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();

      List<Object> outcomes = race(() -> store.sendRequest(alice, bob, ""), () -> store.sendRequest(bob, alice, ""));

      assertThat(outcomes).filteredOn(FriendRequest.class::isInstance).hasSize(1);
      assertThat(outcomes).filteredOn(ErrorReason.FRIEND_REQUEST_EXISTS::equals).hasSize(1);
      assertConsistent(alice, bob);
    }
  }

  @Test
  void aRequestAcceptedTwiceAtOnceIsAcceptedOnce() throws Exception {
    for (int round = 0; round < 20; round++) {
      String alice = newUser();
      String bob = newUser();
      FriendRequest request = store.sendRequest(alice, bob, "");

      List<Object> outcomes = race(
          () -> store.acceptRequest(bob, request.getRequestId(), "first"),
          () -> store.acceptRequest(bob, request.getRequestId(), "second"),
          () -> store.rejectRequest(bob, request.getRequestId()));

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
      FriendRequest request = store.sendRequest(sender, alice, "");
      accepts.add(() -> store.acceptRequest(alice, request.getRequestId(), ""));
    }

    assertThat(race(accepts)).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Friend.class));

    assertThat(allFriendIds(alice)).containsExactlyInAnyOrderElementsOf(senders);
    for (String sender : senders) {
      assertThat(allFriendIds(sender)).containsExactly(alice);
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

    race(workers);

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
        case 0, 1 -> store.sendRequest(me, other, "");
        case 2 -> pendingFrom(other, me).ifPresent(id -> store.acceptRequest(me, id, ""));
        case 3 -> pendingFrom(other, me).ifPresent(id -> store.rejectRequest(me, id));
        case 4 -> store.removeFriend(me, other);
        case 5 -> store.block(me, other);
        default -> store.unblock(me, other);
      }
    } catch (ParleyException e) {
      assertThat(e.reason()).isIn(ErrorReason.BLOCKED, ErrorReason.ALREADY_FRIENDS, ErrorReason.FRIEND_REQUEST_EXISTS,
          ErrorReason.FRIEND_REQUEST_CLOSED, ErrorReason.NOT_FRIENDS, ErrorReason.ALREADY_BLOCKED,
          ErrorReason.NOT_BLOCKED, ErrorReason.ABORTED);
    }
  }

  private Optional<String> pendingFrom(String from, String to) {
    return allPages((after, limit) -> store.listRequests(to, Direction.INCOMING, after, limit), 50).stream()
        .filter(r -> r.getFromUserId().equals(from) && r.getState() == State.PENDING)
        .map(FriendRequest::getRequestId)
        .findFirst();
  }

  /**
   * The pair's rules hold and both users' lists agree with the pair: friends on both sides or on
   * neither, never friends while blocked, at most one pending request, listed on both sides.
   */
  protected void assertConsistent(String a, String b) {
    CheckRelationResponse relation = store.relation(a, b);
    assertThat(allFriendIds(a).contains(b)).as("%s lists %s as a friend", a, b).isEqualTo(relation.getFriends());
    assertThat(allFriendIds(b).contains(a)).as("%s lists %s as a friend", b, a).isEqualTo(relation.getFriends());
    assertThat(store.relation(b, a).getFriends()).isEqualTo(relation.getFriends());
    if (relation.getFriends()) {
      assertThat(relation.getABlocksB() || relation.getBBlocksA()).as("friends while blocked").isFalse();
    }
    assertThat(allPages((after, limit) -> store.listBlocked(a, after, limit), 50))
        .extracting(BlockedUser::getUserId).filteredOn(b::equals).hasSize(relation.getABlocksB() ? 1 : 0);
    assertThat(allPages((after, limit) -> store.listBlocked(b, after, limit), 50))
        .extracting(BlockedUser::getUserId).filteredOn(a::equals).hasSize(relation.getBBlocksA() ? 1 : 0);
    List<FriendRequest> pending = new ArrayList<>();
    pending.addAll(pendingBetween(a, b));
    pending.addAll(pendingBetween(b, a));
    assertThat(pending).as("pending requests between %s and %s", a, b).hasSizeLessThanOrEqualTo(1);
    if (!pending.isEmpty()) {
      assertThat(relation.getFriends() || relation.getABlocksB() || relation.getBBlocksA()).isFalse();
      FriendRequest request = pending.get(0);
      assertThat(allPages((after, limit) -> store.listRequests(request.getFromUserId(), Direction.OUTGOING, after,
          limit), 50)).contains(request);
    }
  }

  /** The pending requests from {@code from} that {@code to} sees. */
  private List<FriendRequest> pendingBetween(String from, String to) {
    return allPages((after, limit) -> store.listRequests(to, Direction.INCOMING, after, limit), 50).stream()
        .filter(r -> r.getFromUserId().equals(from) && r.getState() == State.PENDING)
        .toList();
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Makes {@code from} and {@code to} friends; returns since when. */
  protected long befriend(String from, String to) {
    FriendRequest request = store.sendRequest(from, to, "");
    return Timestamps.toMillis(store.acceptRequest(to, request.getRequestId(), "").getCreateTime());
  }

  protected List<Friend> friends(String userId) {
    return store.listFriends(userId, null, 100).items();
  }

  protected List<String> allFriendIds(String userId) {
    return allPages((after, limit) -> store.listFriends(userId, after, limit), 50).stream()
        .map(Friend::getUserId)
        .toList();
  }

  private List<FriendRequest> requests(String userId, Direction direction) {
    return store.listRequests(userId, direction, null, 100).items();
  }

  private List<BlockedUser> blocked(String userId) {
    return store.listBlocked(userId, null, 100).items();
  }

  /** Every item of a list, read page by page. */
  protected static <T> List<T> allPages(BiFunction<ListCursor, Integer, Page<T>> list, int pageSize) {
    List<T> all = new ArrayList<>();
    ListCursor after = null;
    do {
      Page<T> page = list.apply(after, pageSize);
      all.addAll(page.items());
      after = page.next();
    } while (after != null);
    return all;
  }

  protected static Friend friend(String userId, String remark, long since) {
    return Friend.newBuilder().setUserId(userId).setRemark(remark).setCreateTime(Timestamps.fromMillis(since)).build();
  }

  protected static void assertFails(ErrorReason reason, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @SafeVarargs
  private List<Object> race(Callable<Object>... tasks) throws Exception {
    List<Callable<Object>> list = new ArrayList<>();
    for (Callable<Object> task : tasks) {
      list.add(task);
    }
    return race(list);
  }

  /**
   * Runs {@code tasks} at once, released together; returns each one's result, or the reason of the
   * {@link ParleyException} it threw (anything else fails the test).
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
        } catch (ParleyException e) {
          return e.reason();
        }
      }));
    }
    start.countDown();
    List<Object> outcomes = new ArrayList<>();
    for (Future<Object> future : futures) {
      try {
        outcomes.add(future.get(30, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        throw new AssertionError("a racing task failed", e.getCause());
      }
    }
    return outcomes;
  }
}
