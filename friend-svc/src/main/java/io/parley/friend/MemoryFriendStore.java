package io.parley.friend;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A {@link FriendStore} in this process, for the embedded default: data is lost on exit. One lock
 * guards everything, so every method is atomic with respect to every other. Thread-safe.
 */
final class MemoryFriendStore implements FriendStore {
  /** What reads see for a user who has no lists yet; never changed. */
  private static final UserLists NO_LISTS = new UserLists();

  private final Clock clock;
  private final Map<UserPair, PairRecord> pairs = new HashMap<>();
  private final Map<String, FriendRequest> requests = new HashMap<>();
  private final Map<String, UserLists> lists = new HashMap<>();

  MemoryFriendStore(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** What is between two users. Guarded by the store's lock. */
  private static final class PairRecord {
    /** Epoch millis the friendship began, or null if they are not friends. */
    Long friendsSince;
    /** Each side's remark for the other, while they are friends. */
    final Map<String, String> remarks = new HashMap<>();
    /** When each side began blocking the other. */
    final Map<String, Long> blockedSince = new HashMap<>();
    /** The pending request between them, or null. */
    String pendingRequestId;

    boolean isBlocked() {
      return !blockedSince.isEmpty();
    }
  }

  /** One user's lists, in list order. Guarded by the store's lock. */
  private static final class UserLists {
    final NavigableSet<ListCursor> friends = new TreeSet<>();
    final NavigableSet<ListCursor> blocked = new TreeSet<>();
    final NavigableSet<ListCursor> incoming = new TreeSet<>();
    final NavigableSet<ListCursor> outgoing = new TreeSet<>();
  }

  @Override
  public synchronized FriendRequest sendRequest(String fromUserId, String toUserId, String message) {
    UserPair pair = UserPair.of(fromUserId, toUserId);
    PairRecord record = pairs.get(pair);
    if (record != null) {
      if (record.isBlocked()) {
        throw FriendErrors.blocked();
      }
      if (record.friendsSince != null) {
        throw FriendErrors.alreadyFriends();
      }
      if (record.pendingRequestId != null) {
        throw FriendErrors.requestExists(record.pendingRequestId);
      }
    }
    long now = clock.millis();
    FriendRequest request = FriendRequest.newBuilder()
        .setRequestId(Ids.newId(REQUEST_ID_PREFIX))
        .setFromUserId(fromUserId)
        .setToUserId(toUserId)
        .setMessage(requireNonNull(message, "message"))
        .setState(FriendRequest.State.PENDING)
        .setCreateTime(Timestamps.fromMillis(now))
        .setUpdateTime(Timestamps.fromMillis(now))
        .build();
    pairs.computeIfAbsent(pair, p -> new PairRecord()).pendingRequestId = request.getRequestId();
    requests.put(request.getRequestId(), request);
    lists(fromUserId).outgoing.add(new ListCursor(now, request.getRequestId()));
    lists(toUserId).incoming.add(new ListCursor(now, request.getRequestId()));
    return request;
  }

  @Override
  public synchronized Friend acceptRequest(String userId, String requestId, String remark) {
    requireNonNull(remark, "remark");
    FriendRequest request = pendingRequestTo(userId, requestId);
    UserPair pair = UserPair.of(request.getFromUserId(), request.getToUserId());
    PairRecord record = pairs.get(pair);
    long now = clock.millis();
    close(request, FriendRequest.State.ACCEPTED, now, record);
    record.friendsSince = now;
    record.remarks.clear();
    if (!remark.isEmpty()) {
      record.remarks.put(userId, remark);
    }
    String friendId = pair.other(userId);
    lists(userId).friends.add(new ListCursor(now, friendId));
    lists(friendId).friends.add(new ListCursor(now, userId));
    return friend(friendId, remark, now);
  }

  @Override
  public synchronized FriendRequest rejectRequest(String userId, String requestId) {
    FriendRequest request = pendingRequestTo(userId, requestId);
    PairRecord record = pairs.get(UserPair.of(request.getFromUserId(), request.getToUserId()));
    return close(request, FriendRequest.State.REJECTED, clock.millis(), record);
  }

  /** The pending request {@code requestId} addressed to {@code userId}, or the reason there is none. */
  private FriendRequest pendingRequestTo(String userId, String requestId) {
    FriendRequest request = requests.get(requireNonNull(requestId, "requestId"));
    if (request == null
        || !(request.getFromUserId().equals(userId) || request.getToUserId().equals(userId))) {
      throw FriendErrors.requestNotFound();
    }
    if (!request.getToUserId().equals(userId)) {
      throw FriendErrors.notAddressee();
    }
    if (request.getState() != FriendRequest.State.PENDING) {
      throw FriendErrors.requestClosed(request.getState());
    }
    return request;
  }

  private FriendRequest close(FriendRequest request, FriendRequest.State state, long now, PairRecord record) {
    FriendRequest closed = request.toBuilder().setState(state).setUpdateTime(Timestamps.fromMillis(now)).build();
    requests.put(closed.getRequestId(), closed);
    record.pendingRequestId = null;
    return closed;
  }

  @Override
  public synchronized void removeFriend(String userId, String friendId) {
    PairRecord record = pairs.get(UserPair.of(userId, friendId));
    if (record == null || record.friendsSince == null) {
      throw FriendErrors.notFriends();
    }
    endFriendship(userId, friendId, record);
  }

  private void endFriendship(String userId, String friendId, PairRecord record) {
    lists(userId).friends.remove(new ListCursor(record.friendsSince, friendId));
    lists(friendId).friends.remove(new ListCursor(record.friendsSince, userId));
    record.friendsSince = null;
    record.remarks.clear();
  }

  @Override
  public synchronized Friend setRemark(String userId, String friendId, String remark) {
    requireNonNull(remark, "remark");
    PairRecord record = pairs.get(UserPair.of(userId, friendId));
    if (record == null || record.friendsSince == null) {
      throw FriendErrors.notFriends();
    }
    if (remark.isEmpty()) {
      record.remarks.remove(userId);
    } else {
      record.remarks.put(userId, remark);
    }
    return friend(friendId, remark, record.friendsSince);
  }

  @Override
  public synchronized BlockedUser block(String userId, String blockedId) {
    PairRecord record = pairs.computeIfAbsent(UserPair.of(userId, blockedId), p -> new PairRecord());
    if (record.blockedSince.containsKey(userId)) {
      throw FriendErrors.alreadyBlocked();
    }
    long now = clock.millis();
    record.blockedSince.put(userId, now);
    if (record.friendsSince != null) {
      endFriendship(userId, blockedId, record);
    }
    if (record.pendingRequestId != null) {
      close(requests.get(record.pendingRequestId), FriendRequest.State.CANCELLED, now, record);
    }
    lists(userId).blocked.add(new ListCursor(now, blockedId));
    return BlockedUser.newBuilder().setUserId(blockedId).setCreateTime(Timestamps.fromMillis(now)).build();
  }

  @Override
  public synchronized void unblock(String userId, String blockedId) {
    PairRecord record = pairs.get(UserPair.of(userId, blockedId));
    Long since = record == null ? null : record.blockedSince.remove(userId);
    if (since == null) {
      throw FriendErrors.notBlocked();
    }
    lists(userId).blocked.remove(new ListCursor(since, blockedId));
  }

  @Override
  public synchronized CheckRelationResponse relation(String userIdA, String userIdB) {
    if (userIdA.equals(userIdB)) {
      return CheckRelationResponse.getDefaultInstance();
    }
    PairRecord record = pairs.get(UserPair.of(userIdA, userIdB));
    if (record == null) {
      return CheckRelationResponse.getDefaultInstance();
    }
    return CheckRelationResponse.newBuilder()
        .setFriends(record.friendsSince != null)
        .setABlocksB(record.blockedSince.containsKey(userIdA))
        .setBBlocksA(record.blockedSince.containsKey(userIdB))
        .build();
  }

  @Override
  public synchronized Page<Friend> listFriends(String userId, ListCursor after, int limit) {
    return page(lists.getOrDefault(userId, NO_LISTS).friends, after, limit, position -> {
      PairRecord record = pairs.get(UserPair.of(userId, position.key()));
      return friend(position.key(), record.remarks.getOrDefault(userId, ""), record.friendsSince);
    });
  }

  @Override
  public synchronized Page<FriendRequest> listRequests(
      String userId, Direction direction, ListCursor after, int limit) {
    UserLists user = lists.getOrDefault(userId, NO_LISTS);
    return page(direction == Direction.OUTGOING ? user.outgoing : user.incoming, after, limit,
        position -> requests.get(position.key()));
  }

  @Override
  public synchronized Page<BlockedUser> listBlocked(String userId, ListCursor after, int limit) {
    return page(lists.getOrDefault(userId, NO_LISTS).blocked, after, limit, position -> BlockedUser.newBuilder()
        .setUserId(position.key())
        .setCreateTime(Timestamps.fromMillis(position.time()))
        .build());
  }

  private static <T> Page<T> page(
      NavigableSet<ListCursor> list, ListCursor after, int limit, Function<ListCursor, T> item) {
    List<T> items = new ArrayList<>();
    List<ListCursor> positions = new ArrayList<>();
    for (ListCursor position : after == null ? list : list.tailSet(after, false)) {
      if (items.size() > limit) {
        break;
      }
      items.add(item.apply(position));
      positions.add(position);
    }
    return Page.of(items, positions, limit);
  }

  /** {@code userId}'s lists, created on first write. */
  private UserLists lists(String userId) {
    return lists.computeIfAbsent(userId, u -> new UserLists());
  }

  private static Friend friend(String userId, String remark, long since) {
    return Friend.newBuilder().setUserId(userId).setRemark(remark).setCreateTime(Timestamps.fromMillis(since)).build();
  }

  @Override
  public synchronized void close() {
    pairs.clear();
    requests.clear();
    lists.clear();
  }
}
