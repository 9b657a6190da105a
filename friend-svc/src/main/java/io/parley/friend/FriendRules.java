package io.parley.friend;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.time.Clock;
import java.time.Instant;

/**
 * The rules of friend-svc, written once: who may send, answer, remove, remark, block and unblock,
 * the order in which refusals come, and the state machine of a request (PENDING, then ACCEPTED,
 * REJECTED, or CANCELLED by a block). Each change is one {@link FriendStore#inPair} on the two
 * users' pair, so a refusal changes nothing and concurrent changes keep the invariants that {@link
 * FriendStore} lists.
 *
 * <p>Callers validate ids and lengths and pass two different users; expected failures are thrown as
 * {@link ParleyException}s from {@link FriendErrors}. Thread-safe.
 */
final class FriendRules {
  private final FriendStore store;
  private final Clock clock;

  FriendRules(FriendStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Sends a PENDING request from {@code fromUserId} to {@code toUserId}.
   *
   * @throws ParleyException BLOCKED if either blocks the other; then ALREADY_FRIENDS; then
   *     FRIEND_REQUEST_EXISTS (metadata {@code request_id}) if a request between the two is pending,
   *     in either direction
   */
  FriendRequest sendRequest(String fromUserId, String toUserId, String message) {
    requireNonNull(message, "message");
    String requestId = Ids.newId(FriendStore.REQUEST_ID_PREFIX);
    return store.inPair(UserPair.of(fromUserId, toUserId), tx -> {
      PairState state = tx.state();
      if (state.blocked()) {
        throw FriendErrors.blocked();
      }
      if (state.friends()) {
        throw FriendErrors.alreadyFriends();
      }
      if (state.pendingRequestId() != null) {
        throw FriendErrors.requestExists(state.pendingRequestId());
      }
      Instant now = now();
      FriendRequest request = FriendRequest.newBuilder()
          .setRequestId(requestId)
          .setFromUserId(fromUserId)
          .setToUserId(toUserId)
          .setMessage(message)
          .setState(FriendRequest.State.PENDING)
          .setCreateTime(Timestamps.fromMillis(now.toEpochMilli()))
          .setUpdateTime(Timestamps.fromMillis(now.toEpochMilli()))
          .build();
      tx.write(request);
      tx.write(state.withPendingRequestId(requestId));
      return request;
    });
  }

  /**
   * Accepts a request sent to {@code userId}: the two become friends on both sides at once, the
   * request turns ACCEPTED, and {@code remark} (empty for none) is {@code userId}'s for the new
   * friend. Returns the new friend as {@code userId} sees them.
   *
   * @throws ParleyException FRIEND_REQUEST_NOT_FOUND if no such request has {@code userId} as a
   *     party; then NOT_REQUEST_ADDRESSEE if {@code userId} sent it; then FRIEND_REQUEST_CLOSED
   *     (metadata {@code state}) if it is no longer pending
   */
  Friend acceptRequest(String userId, String requestId, String remark) {
    requireNonNull(remark, "remark");
    return answer(userId, requestId, (tx, request) -> {
      Instant now = now();
      close(tx, request, FriendRequest.State.ACCEPTED, now);
      String friendId = request.getFromUserId();
      // A pending request means that neither blocks the other and they are not friends: a block
      // cancels it, and a request between friends is refused.
      tx.write(tx.state().withPendingRequestId(null).withFriendsSince(now).withoutRemarks()
          .withRemark(userId, remark));
      return friend(friendId, remark, now);
    });
  }

  /**
   * Rejects a request sent to {@code userId}; returns it REJECTED.
   *
   * @throws ParleyException as {@link #acceptRequest}
   */
  FriendRequest rejectRequest(String userId, String requestId) {
    return answer(userId, requestId, (tx, request) -> {
      FriendRequest rejected = close(tx, request, FriendRequest.State.REJECTED, now());
      tx.write(tx.state().withPendingRequestId(null));
      return rejected;
    });
  }

  /** What an addressee does with a pending request, inside the pair's change. */
  private interface Answer<T> {
    T apply(FriendStore.PairTx tx, FriendRequest pending);
  }

  private <T> T answer(String userId, String requestId, Answer<T> answer) {
    FriendRequest found = store.findRequest(userId, requireNonNull(requestId, "requestId"))
        .orElseThrow(FriendErrors::requestNotFound);
    return store.inPair(UserPair.of(found.getFromUserId(), found.getToUserId()), tx -> {
      FriendRequest request = tx.request(requestId).orElseThrow(FriendErrors::requestNotFound);
      if (!request.getToUserId().equals(userId)) {
        throw FriendErrors.notAddressee();
      }
      if (request.getState() != FriendRequest.State.PENDING) {
        throw FriendErrors.requestClosed(request.getState());
      }
      return answer.apply(tx, request);
    });
  }

  /**
   * Ends the friendship of the two, on both sides; both remarks are dropped.
   *
   * @throws ParleyException NOT_FRIENDS
   */
  void removeFriend(String userId, String friendId) {
    store.inPair(UserPair.of(userId, friendId), tx -> {
      PairState state = tx.state();
      if (!state.friends()) {
        throw FriendErrors.notFriends();
      }
      tx.write(state.withFriendsSince(null).withoutRemarks());
      return null;
    });
  }

  /**
   * Sets {@code userId}'s remark for {@code friendId} (empty clears it); the friend's own remark is
   * unchanged. Returns the friend as {@code userId} sees them.
   *
   * @throws ParleyException NOT_FRIENDS
   */
  Friend setRemark(String userId, String friendId, String remark) {
    requireNonNull(remark, "remark");
    return store.inPair(UserPair.of(userId, friendId), tx -> {
      PairState state = tx.state();
      if (!state.friends()) {
        throw FriendErrors.notFriends();
      }
      tx.write(state.withRemark(userId, remark));
      return friend(friendId, remark, state.friendsSince());
    });
  }

  /**
   * Makes {@code userId} block {@code blockedId}: ends their friendship, if any, and cancels the
   * pending request between them, if any (state CANCELLED). Each side blocks on its own.
   *
   * @throws ParleyException ALREADY_BLOCKED if {@code userId} already blocks {@code blockedId}
   */
  BlockedUser block(String userId, String blockedId) {
    return store.inPair(UserPair.of(userId, blockedId), tx -> {
      PairState state = tx.state();
      if (state.blocks(userId)) {
        throw FriendErrors.alreadyBlocked();
      }
      Instant now = now();
      if (state.pendingRequestId() != null) {
        FriendRequest pending = tx.request(state.pendingRequestId())
            .orElseThrow(() -> new IllegalStateException("the pending request of " + state.pair() + " is missing"));
        close(tx, pending, FriendRequest.State.CANCELLED, now);
      }
      tx.write(state.withBlockingSince(userId, now).withFriendsSince(null).withoutRemarks()
          .withPendingRequestId(null));
      return BlockedUser.newBuilder()
          .setUserId(blockedId)
          .setCreateTime(Timestamps.fromMillis(now.toEpochMilli()))
          .build();
    });
  }

  /**
   * Lifts {@code userId}'s block of {@code blockedId}; a friendship the block ended stays ended.
   *
   * @throws ParleyException NOT_BLOCKED if {@code userId} does not block {@code blockedId}
   */
  void unblock(String userId, String blockedId) {
    store.inPair(UserPair.of(userId, blockedId), tx -> {
      PairState state = tx.state();
      if (!state.blocks(userId)) {
        throw FriendErrors.notBlocked();
      }
      tx.write(state.withBlockingSince(userId, null));
      return null;
    });
  }

  /** Whether the two are friends and who blocks whom; all false for a user with themself. */
  CheckRelationResponse relation(String userIdA, String userIdB) {
    if (userIdA.equals(userIdB)) {
      return CheckRelationResponse.getDefaultInstance();
    }
    return store.relation(userIdA, userIdB);
  }

  Page<Friend> listFriends(String userId, ListCursor after, int limit) {
    return store.listFriends(userId, after, limit);
  }

  Page<FriendRequest> listRequests(String userId, Direction direction, ListCursor after, int limit) {
    return store.listRequests(userId, direction, after, limit);
  }

  Page<BlockedUser> listBlocked(String userId, ListCursor after, int limit) {
    return store.listBlocked(userId, after, limit);
  }

  private static FriendRequest close(
      FriendStore.PairTx tx, FriendRequest request, FriendRequest.State state, Instant now) {
    FriendRequest closed = request.toBuilder()
        .setState(state)
        .setUpdateTime(Timestamps.fromMillis(now.toEpochMilli()))
        .build();
    tx.write(closed);
    return closed;
  }

  /** Now, in whole milliseconds: list positions and timestamps are in milliseconds. */
  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  private static Friend friend(String userId, String remark, Instant since) {
    return Friend.newBuilder()
        .setUserId(userId)
        .setRemark(remark)
        .setCreateTime(Timestamps.fromMillis(since.toEpochMilli()))
        .build();
  }
}
