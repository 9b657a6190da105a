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
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.FriendRequest.State;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link FriendStore} owes {@link FriendRules}: persistence only. A pair's state and
 * requests are kept as written, the lists follow them, a change is atomic and isolated per pair, and
 * a change whose work throws leaves nothing behind. The states written here need not be ones the
 * rules would make: a store does not judge. Each test uses fresh user ids, so tests share one store
 * (and one server) per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FriendStoreContract {
  private static final Instant T0 = Instant.parse("2025-03-01T08:00:00.123Z");

  private FriendStore store;

  /** Starts what the store needs and the store, once per class. */
  protected abstract FriendStore createStore();

  /** Stops what {@link #createStore} started. */
  protected void stopBackend() {}

  @BeforeAll
  void startStore() {
    store = createStore();
  }

  @AfterAll
  void stopStore() {
    store.close();
    stopBackend();
  }

  protected FriendStore store() {
    return store;
  }

  protected static String newUser() {
    return Ids.newId("u");
  }

  private PairState state(UserPair pair) {
    return store.inPair(pair, FriendStore.PairTx::state);
  }

  private void write(PairState state) {
    store.inPair(state.pair(), tx -> {
      tx.write(state);
      return null;
    });
  }

  private void write(FriendRequest request) {
    store.inPair(UserPair.of(request.getFromUserId(), request.getToUserId()), tx -> {
      tx.write(request);
      return null;
    });
  }

  private static FriendRequest request(String from, String to, Instant created) {
    return FriendRequest.newBuilder()
        .setRequestId(Ids.newId(FriendStore.REQUEST_ID_PREFIX))
        .setFromUserId(from)
        .setToUserId(to)
        .setMessage("hi | from work, 你好 🦊")
        .setState(State.PENDING)
        .setCreateTime(Timestamps.fromMillis(created.toEpochMilli()))
        .setUpdateTime(Timestamps.fromMillis(created.toEpochMilli()))
        .build();
  }

  @Test
  void twoUsersWithNothingBetweenThemHaveTheEmptyState() {
    String alice = newUser();
    String bob = newUser();
    UserPair pair = UserPair.of(alice, bob);

    assertThat(state(pair)).isEqualTo(PairState.empty(pair));
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(store.listFriends(alice, null, 10).items()).isEmpty();
    assertThat(store.listBlocked(alice, null, 10).items()).isEmpty();
    assertThat(store.listRequests(alice, Direction.INCOMING, null, 10).items()).isEmpty();
  }

  @Test
  void aWrittenStateIsWhatTheNextChangeSeesAndCheckRelationAnswersFromBothSides() {
    String alice = newUser();
    String bob = newUser();
    UserPair pair = UserPair.of(alice, bob);
    PairState written = new PairState(pair, T0, Map.of(alice, "Bobby", bob, "Al"), Map.of(bob, T0.plusSeconds(1)),
        "fr0000000000000000");

    write(written);

    assertThat(state(pair)).isEqualTo(written);
    assertThat(store.relation(alice, bob))
        .isEqualTo(CheckRelationResponse.newBuilder().setFriends(true).setBBlocksA(true).build());
    assertThat(store.relation(bob, alice))
        .isEqualTo(CheckRelationResponse.newBuilder().setFriends(true).setABlocksB(true).build());
  }

  @Test
  void friendsAreListedByBothWithTheirOwnRemarkAndBlocksByTheBlockerOnly() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    UserPair pair = UserPair.of(alice, bob);
    write(PairState.empty(pair).withFriendsSince(T0).withRemark(alice, "Bobby"));
    write(PairState.empty(UserPair.of(alice, carol)).withBlockingSince(alice, T0.plusSeconds(2)));

    assertThat(store.listFriends(alice, null, 10).items()).containsExactly(friend(bob, "Bobby", T0));
    assertThat(store.listFriends(bob, null, 10).items()).containsExactly(friend(alice, "", T0));
    assertThat(store.listBlocked(alice, null, 10).items()).containsExactly(blocked(carol, T0.plusSeconds(2)));
    assertThat(store.listBlocked(carol, null, 10).items()).isEmpty();

    write(state(pair).withFriendsSince(null).withoutRemarks().withBlockingSince(bob, T0.plusSeconds(3)));

    assertThat(store.listFriends(alice, null, 10).items()).isEmpty();
    assertThat(store.listFriends(bob, null, 10).items()).isEmpty();
    assertThat(store.listBlocked(bob, null, 10).items()).containsExactly(blocked(alice, T0.plusSeconds(3)));
  }

  @Test
  void aRequestIsFoundByItsPartiesOnlyAndListedInEachOnesDirection() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    FriendRequest request = request(alice, bob, T0);

    write(request);

    assertThat(store.findRequest(alice, request.getRequestId())).contains(request);
    assertThat(store.findRequest(bob, request.getRequestId())).contains(request);
    assertThat(store.findRequest(carol, request.getRequestId())).isEmpty();
    assertThat(store.findRequest(alice, Ids.newId(FriendStore.REQUEST_ID_PREFIX))).isEmpty();
    assertThat(store.listRequests(bob, Direction.INCOMING, null, 10).items()).containsExactly(request);
    assertThat(store.listRequests(alice, Direction.OUTGOING, null, 10).items()).containsExactly(request);
    assertThat(store.listRequests(alice, Direction.INCOMING, null, 10).items()).isEmpty();
    assertThat(store.listRequests(bob, Direction.OUTGOING, null, 10).items()).isEmpty();
  }

  @Test
  void aRequestsNewStateReachesBothCopies() {
    String alice = newUser();
    String bob = newUser();
    FriendRequest request = request(alice, bob, T0);
    write(request);
    FriendRequest accepted = request.toBuilder()
        .setState(State.ACCEPTED)
        .setUpdateTime(Timestamps.fromMillis(T0.plusSeconds(5).toEpochMilli()))
        .build();

    write(accepted);

    assertThat(store.findRequest(alice, request.getRequestId())).contains(accepted);
    assertThat(store.listRequests(bob, Direction.INCOMING, null, 10).items()).containsExactly(accepted);
    assertThat(store.listRequests(alice, Direction.OUTGOING, null, 10).items()).containsExactly(accepted);
  }

  @Test
  void aChangeSeesItsOwnWritesAndOnlyTheRequestsOfItsPair() {
    // Alice has the smallest id, so that she is first in both of her pairs.
    List<String> users = new ArrayList<>(List.of(newUser(), newUser(), newUser()));
    users.sort(null);
    String alice = users.get(0);
    String bob = users.get(1);
    String carol = users.get(2);
    FriendRequest toCarol = request(alice, carol, T0);
    write(toCarol);
    FriendRequest toBob = request(alice, bob, T0);

    List<Object> seen = store.inPair(UserPair.of(alice, bob), tx -> {
      tx.write(toBob);
      tx.write(tx.state().withPendingRequestId(toBob.getRequestId()));
      return List.of(tx.request(toBob.getRequestId()), tx.request(toCarol.getRequestId()), tx.state());
    });

    assertThat(seen.get(0)).isEqualTo(Optional.of(toBob));
    assertThat(seen.get(1)).isEqualTo(Optional.empty());
    assertThat(((PairState) seen.get(2)).pendingRequestId()).isEqualTo(toBob.getRequestId());
    assertThatThrownBy(() -> store.inPair(UserPair.of(alice, bob), tx -> {
      tx.write(toCarol);
      return null;
    })).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aChangeWhoseWorkThrowsLeavesNothingBehind() {
    String alice = newUser();
    String bob = newUser();
    UserPair pair = UserPair.of(alice, bob);
    FriendRequest earlier = request(alice, bob, T0);
    write(earlier);
    PairState before = state(pair);

    assertThatThrownBy(() -> store.inPair(pair, tx -> {
      tx.write(request(bob, alice, T0.plusSeconds(1)));
      tx.write(earlier.toBuilder().setState(State.REJECTED).build());
      tx.write(tx.state().withFriendsSince(T0).withBlockingSince(bob, T0));
      throw FriendErrors.blocked();
    })).isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.BLOCKED));

    assertThat(state(pair)).isEqualTo(before);
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(store.listRequests(alice, Direction.INCOMING, null, 10).items()).isEmpty();
    assertThat(store.listRequests(bob, Direction.INCOMING, null, 10).items()).containsExactly(earlier);
    assertThat(store.listFriends(alice, null, 10).items()).isEmpty();
    assertThat(store.listBlocked(bob, null, 10).items()).isEmpty();
  }

  @Test
  void aPairWithNothingLeftBetweenThemIsEmptyAgain() {
    String alice = newUser();
    String bob = newUser();
    UserPair pair = UserPair.of(alice, bob);
    write(PairState.empty(pair).withBlockingSince(alice, T0));

    write(state(pair).withBlockingSince(alice, null));

    assertThat(state(pair)).isEqualTo(PairState.empty(pair));
    assertThat(store.relation(alice, bob)).isEqualTo(CheckRelationResponse.getDefaultInstance());
    assertThat(store.listBlocked(alice, null, 10).items()).isEmpty();
  }

  @Test
  void concurrentChangesOfOnePairAreSerialized() throws Exception {
    for (boolean fresh : List.of(true, false)) {
      String alice = newUser();
      String bob = newUser();
      UserPair pair = UserPair.of(alice, bob);
      if (!fresh) {
        write(PairState.empty(pair).withRemark(alice, "0"));
      }
      int threads = 4;
      int each = 25;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < each; i++) {
              // A read-modify-write: a lost update would show as a lower count.
              store.inPair(pair, tx -> {
                String count = tx.state().remark(alice);
                int next = count.isEmpty() ? 1 : Integer.parseInt(count) + 1;
                tx.write(tx.state().withRemark(alice, Integer.toString(next)));
                return null;
              });
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(state(pair).remark(alice)).as("fresh pair: %s", fresh).isEqualTo(Integer.toString(threads * each));
    }
  }

  @Test
  void listsAreNewestFirstAndPagedWithoutLossOrRepetitionWithinOneMillisecond() {
    String alice = newUser();
    List<String> friends = new ArrayList<>();
    List<String> requestIds = new ArrayList<>();
    List<String> blockedUsers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Instant time = T0.plusMillis(i / 3);
      String friend = newUser();
      write(PairState.empty(UserPair.of(alice, friend)).withFriendsSince(time));
      friends.add(friend);
      FriendRequest request = request(newUser(), alice, time);
      write(request);
      requestIds.add(request.getRequestId());
      String blockedUser = newUser();
      write(PairState.empty(UserPair.of(alice, blockedUser)).withBlockingSince(alice, time));
      blockedUsers.add(blockedUser);
    }

    assertThat(allPages((after, limit) -> store.listFriends(alice, after, limit), 2))
        .extracting(Friend::getUserId).containsExactlyElementsOf(newestFirst(friends));
    assertThat(allPages((after, limit) -> store.listRequests(alice, Direction.INCOMING, after, limit), 2))
        .extracting(FriendRequest::getRequestId).containsExactlyElementsOf(newestFirst(requestIds));
    assertThat(allPages((after, limit) -> store.listBlocked(alice, after, limit), 3))
        .extracting(BlockedUser::getUserId).containsExactlyElementsOf(newestFirst(blockedUsers));
    assertThat(store.listFriends(alice, null, 7).next()).isNull();
    assertThat(store.listFriends(alice, null, 6).next()).isNotNull();
    assertThat(store.listFriends(alice, new ListCursor(0, "u0"), 10).items()).isEmpty();
    assertThat(store.listFriends(alice, new ListCursor(0, "u0"), 10).next()).isNull();
  }

  /** {@code keys} added in groups of three per millisecond, as the lists order them: time, then key, descending. */
  private static List<String> newestFirst(List<String> keys) {
    List<ListCursor> positions = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      positions.add(new ListCursor(T0.plusMillis(i / 3).toEpochMilli(), keys.get(i)));
    }
    return positions.stream().sorted().map(ListCursor::key).toList();
  }

  /** Every item of a list, read page by page. */
  protected static <T> List<T> allPages(BiFunction<ListCursor, Integer, Page<T>> list, int pageSize) {
    List<T> all = new ArrayList<>();
    ListCursor after = null;
    do {
      Page<T> page = list.apply(after, pageSize);
      assertThat(page.items()).hasSizeLessThanOrEqualTo(pageSize);
      all.addAll(page.items());
      after = page.next();
    } while (after != null);
    return all;
  }

  private static Friend friend(String userId, String remark, Instant since) {
    return Friend.newBuilder()
        .setUserId(userId)
        .setRemark(remark)
        .setCreateTime(Timestamps.fromMillis(since.toEpochMilli()))
        .build();
  }

  private static BlockedUser blocked(String userId, Instant since) {
    return BlockedUser.newBuilder()
        .setUserId(userId)
        .setCreateTime(Timestamps.fromMillis(since.toEpochMilli()))
        .build();
  }
}
