package io.parley.friend;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A {@link FriendStore} in this process, for the embedded default: data is lost on exit. One lock
 * guards everything: a pair's change runs under it with its writes buffered, and they are applied,
 * lists included, only when the work returns normally. Thread-safe.
 */
final class MemoryFriendStore implements FriendStore {
  /** What reads see for a user who has no lists yet; never changed. */
  private static final UserLists NO_LISTS = new UserLists();

  private final Map<UserPair, PairState> pairs = new HashMap<>();
  private final Map<String, FriendRequest> requests = new HashMap<>();
  private final Map<String, UserLists> lists = new HashMap<>();

  /** One user's lists, in list order. Guarded by the store's lock. */
  private static final class UserLists {
    final NavigableSet<ListCursor> friends = new TreeSet<>();
    final NavigableSet<ListCursor> blocked = new TreeSet<>();
    final NavigableSet<ListCursor> incoming = new TreeSet<>();
    final NavigableSet<ListCursor> outgoing = new TreeSet<>();
  }

  @Override
  public synchronized <T> T inPair(UserPair pair, Function<PairTx, T> work) {
    requireNonNull(work, "work");
    Tx tx = new Tx(pair, pairs.getOrDefault(requireNonNull(pair, "pair"), PairState.empty(pair)));
    T result = work.apply(tx);
    tx.apply();
    return result;
  }

  /** A change of one pair: reads through to the store, writes buffered until {@link #apply}. */
  private final class Tx implements PairTx {
    private final UserPair pair;
    private final PairState before;
    private PairState state;
    private final Map<String, FriendRequest> written = new LinkedHashMap<>();

    Tx(UserPair pair, PairState before) {
      this.pair = pair;
      this.before = before;
      this.state = before;
    }

    @Override
    public PairState state() {
      return state;
    }

    @Override
    public Optional<FriendRequest> request(String requestId) {
      FriendRequest request = written.containsKey(requestId) ? written.get(requestId) : requests.get(requestId);
      return Optional.ofNullable(request).filter(r -> UserPair.of(r.getFromUserId(), r.getToUserId()).equals(pair));
    }

    @Override
    public void write(PairState state) {
      if (!state.pair().equals(pair)) {
        throw new IllegalArgumentException("the state of " + state.pair() + " is not " + pair + "'s");
      }
      this.state = state;
    }

    @Override
    public void write(FriendRequest request) {
      if (!UserPair.of(request.getFromUserId(), request.getToUserId()).equals(pair)) {
        throw new IllegalArgumentException("request " + request.getRequestId() + " is not between " + pair);
      }
      written.put(request.getRequestId(), request);
    }

    void apply() {
      for (FriendRequest request : written.values()) {
        if (requests.put(request.getRequestId(), request) == null) {
          ListCursor position = new ListCursor(Timestamps.toMillis(request.getCreateTime()), request.getRequestId());
          lists(request.getFromUserId()).outgoing.add(position);
          lists(request.getToUserId()).incoming.add(position);
        }
      }
      if (!Objects.equals(before.friendsSince(), state.friendsSince())) {
        move(pair.low(), l -> l.friends, before.friendsSince(), state.friendsSince(), pair.high());
        move(pair.high(), l -> l.friends, before.friendsSince(), state.friendsSince(), pair.low());
      }
      for (String userId : List.of(pair.low(), pair.high())) {
        Instant was = before.blockingSince().get(userId);
        Instant is = state.blockingSince().get(userId);
        if (!Objects.equals(was, is)) {
          move(userId, l -> l.blocked, was, is, pair.other(userId));
        }
      }
      if (state.isEmpty()) {
        pairs.remove(pair);
      } else {
        pairs.put(pair, state);
      }
    }

    /** Moves {@code key} in one of {@code userId}'s lists from time {@code was} to {@code is} (null: absent). */
    private void move(String userId, Function<UserLists, NavigableSet<ListCursor>> list, Instant was, Instant is,
        String key) {
      NavigableSet<ListCursor> positions = list.apply(lists(userId));
      if (was != null) {
        positions.remove(new ListCursor(was.toEpochMilli(), key));
      }
      if (is != null) {
        positions.add(new ListCursor(is.toEpochMilli(), key));
      }
    }
  }

  @Override
  public synchronized Optional<FriendRequest> findRequest(String userId, String requestId) {
    return Optional.ofNullable(requests.get(requestId))
        .filter(r -> r.getFromUserId().equals(userId) || r.getToUserId().equals(userId));
  }

  @Override
  public synchronized CheckRelationResponse relation(String userIdA, String userIdB) {
    PairState state = pairs.get(UserPair.of(userIdA, userIdB));
    if (state == null) {
      return CheckRelationResponse.getDefaultInstance();
    }
    return CheckRelationResponse.newBuilder()
        .setFriends(state.friends())
        .setABlocksB(state.blocks(userIdA))
        .setBBlocksA(state.blocks(userIdB))
        .build();
  }

  @Override
  public synchronized Page<Friend> listFriends(String userId, ListCursor after, int limit) {
    return page(lists.getOrDefault(userId, NO_LISTS).friends, after, limit, position -> Friend.newBuilder()
        .setUserId(position.key())
        .setRemark(pairs.get(UserPair.of(userId, position.key())).remark(userId))
        .setCreateTime(Timestamps.fromMillis(position.time()))
        .build());
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

  @Override
  public synchronized void close() {
    pairs.clear();
    requests.clear();
    lists.clear();
  }
}
