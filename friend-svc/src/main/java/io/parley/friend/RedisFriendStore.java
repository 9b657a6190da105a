package io.parley.friend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link FriendStore} in Redis, standalone or Cluster; every key starts with {@value #PREFIX}.
 *
 * <h2>The pair record is the truth</h2>
 *
 * Everything between two users lives in one hash, {@code parley:friend:pair:{<low>_<high>}}:
 * friendship, both remarks, both blocks, the pending request and every request between the two
 * (see {@code pair.lua} for the fields). Its hash tag is the pair, so one Lua script checks and
 * changes it atomically even on a Cluster: a friendship is one field, so it cannot be one-sided,
 * and a block, an accept and a send on the same two users are serialized by Redis.
 *
 * <h2>Per-user indexes are checked hints</h2>
 *
 * A user's lists need per-user keys, {@code parley:friend:user:{<uid>}:friends}, {@code :blocked},
 * {@code :incoming}, {@code :outgoing} (sorted sets by epoch ms), {@code :peers} (request id to the
 * other user, so a request id finds its pair) and {@code :versions}. They carry another hash tag
 * than the pair, so no script can change both. Instead:
 *
 * <ul>
 *   <li>Readers never trust an index entry: each is checked against its pair record, and only
 *       what the pair record says exists is returned. So lists always agree with the truth, and a
 *       friend is listed by both users or by neither, whatever state the indexes are in.
 *   <li>Indexes are kept a superset of the truth. A write that may add an entry (send, accept,
 *       block) first reads the pair's version {@code v}, then writes the entries it will need,
 *       tagged with version {@code v+1} (an <em>intent</em>), and then runs the pair script as a
 *       compare-and-set on {@code v}; if another change got there first, it starts again (at most
 *       {@code writeAttempts} times, then ABORTED). So the truth never holds something whose
 *       entry is missing, even if the process dies right after the script.
 *   <li>After every pair script, the writer sets the entries of both users to what the script
 *       returned, tagged with the pair's new version. Entries that the truth lacks (a refused
 *       intent, a removed friend, an update lost to a crash) are removed by the next writer or by
 *       any reader that meets them, but only by one that saw the pair at a version at least the
 *       entry's: an intent of a change still in flight is never removed by someone who looked
 *       before it landed.
 * </ul>
 *
 * <p>A failed index update after the pair script has run does not fail the call: the change is
 * stored, and readers repair what the update would have done. Thread-safe.
 */
final class RedisFriendStore implements FriendStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisFriendStore.class);

  /** The prefix of every key this store writes. */
  static final String PREFIX = "parley:friend:";

  private static final RedisScript PAIR = RedisScript.fromResource(RedisFriendStore.class, "pair.lua");
  private static final RedisScript INDEX = RedisScript.fromResource(RedisFriendStore.class, "index.lua");
  private static final RedisScript SCAN = RedisScript.fromResource(RedisFriendStore.class, "scan.lua");

  private static final String OK = "OK";
  private static final String CONFLICT = "CONFLICT";

  private final RedisCalls redis;
  private final Clock clock;
  private final int writeAttempts;

  /**
   * @param writeAttempts how many times a send, accept or block is tried when concurrent changes to
   *     the same two users keep winning
   */
  RedisFriendStore(UnifiedJedis jedis, Clock clock, int writeAttempts) {
    this.redis = new RedisCalls(requireNonNull(jedis, "jedis"), ErrorReason.STORE_UNAVAILABLE, "friend store");
    this.clock = requireNonNull(clock, "clock");
    if (writeAttempts < 1) {
      throw new IllegalArgumentException("writeAttempts must be positive: " + writeAttempts);
    }
    this.writeAttempts = writeAttempts;
  }

  static String pairKey(UserPair pair) {
    return PREFIX + "pair:{" + pair.tag() + "}";
  }

  static String userKey(String userId, String name) {
    return PREFIX + "user:{" + userId + "}:" + name;
  }

  /** A per-user list index, with its one-letter code in {@code index.lua}. */
  enum Kind {
    FRIENDS("F", "friends"),
    BLOCKED("B", "blocked"),
    INCOMING("I", "incoming"),
    OUTGOING("O", "outgoing");

    final String code;
    final String keyName;

    Kind(String code, String keyName) {
      this.code = code;
      this.keyName = keyName;
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  @Override
  public FriendRequest sendRequest(String fromUserId, String toUserId, String message) {
    requireNonNull(message, "message");
    UserPair pair = UserPair.of(fromUserId, toUserId);
    String requestId = Ids.newId(REQUEST_ID_PREFIX);
    PairState state = write(pair, fromUserId, "send", List.of(requestId, message), requestId,
        (version, now) -> List.of(
            IndexOp.intent(fromUserId, Kind.OUTGOING, requestId, now, version, toUserId),
            IndexOp.intent(toUserId, Kind.INCOMING, requestId, now, version, fromUserId)));
    switch (state.status()) {
      case OK -> {
        return state.request();
      }
      case "BLOCKED" -> throw FriendErrors.blocked();
      case "ALREADY_FRIENDS" -> throw FriendErrors.alreadyFriends();
      case "FRIEND_REQUEST_EXISTS" -> throw FriendErrors.requestExists(state.pendingRequestId());
      default -> throw unexpected(state);
    }
  }

  @Override
  public Friend acceptRequest(String userId, String requestId, String remark) {
    requireNonNull(remark, "remark");
    UserPair pair = pairOfRequest(userId, requestId);
    String friendId = pair.other(userId);
    PairState state = write(pair, userId, "accept", List.of(requestId, remark), requestId,
        (version, now) -> List.of(
            IndexOp.intent(userId, Kind.FRIENDS, friendId, now, version, ""),
            IndexOp.intent(friendId, Kind.FRIENDS, userId, now, version, "")));
    throwIfAnswerRefused(state);
    return friend(friendId, state.remarkOf(pair, userId), state.friendsSince());
  }

  @Override
  public FriendRequest rejectRequest(String userId, String requestId) {
    UserPair pair = pairOfRequest(userId, requestId);
    PairState state = write(pair, userId, "reject", List.of(requestId), requestId, null);
    throwIfAnswerRefused(state);
    return state.request();
  }

  /**
   * The pair of a request {@code userId} is party to, from their own index: a request of others
   * is not found without looking further.
   */
  private UserPair pairOfRequest(String userId, String requestId) {
    String peer = redis.read(() -> redis.jedis().hget(userKey(userId, "peers"), requestId));
    if (peer == null || peer.isEmpty() || peer.equals(userId)) {
      throw FriendErrors.requestNotFound();
    }
    return UserPair.of(userId, peer);
  }

  private static void throwIfAnswerRefused(PairState state) {
    switch (state.status()) {
      case OK -> {}
      case "FRIEND_REQUEST_NOT_FOUND" -> throw FriendErrors.requestNotFound();
      case "NOT_REQUEST_ADDRESSEE" -> throw FriendErrors.notAddressee();
      case "FRIEND_REQUEST_CLOSED" -> throw FriendErrors.requestClosed(state.request().getState());
      default -> throw unexpected(state);
    }
  }

  @Override
  public void removeFriend(String userId, String friendId) {
    PairState state = write(UserPair.of(userId, friendId), userId, "remove", List.of(), null, null);
    throwIfNotFriends(state);
  }

  @Override
  public Friend setRemark(String userId, String friendId, String remark) {
    requireNonNull(remark, "remark");
    UserPair pair = UserPair.of(userId, friendId);
    PairState state = write(pair, userId, "remark", List.of(remark), null, null);
    throwIfNotFriends(state);
    return friend(friendId, state.remarkOf(pair, userId), state.friendsSince());
  }

  private static void throwIfNotFriends(PairState state) {
    switch (state.status()) {
      case OK -> {}
      case "NOT_FRIENDS" -> throw FriendErrors.notFriends();
      default -> throw unexpected(state);
    }
  }

  @Override
  public BlockedUser block(String userId, String blockedId) {
    UserPair pair = UserPair.of(userId, blockedId);
    PairState state = write(pair, userId, "block", List.of(), null,
        (version, now) -> List.of(IndexOp.intent(userId, Kind.BLOCKED, blockedId, now, version, "")));
    switch (state.status()) {
      case OK -> {
        return BlockedUser.newBuilder()
            .setUserId(blockedId)
            .setCreateTime(Timestamps.fromMillis(state.blockSinceOf(pair, userId)))
            .build();
      }
      case "ALREADY_BLOCKED" -> throw FriendErrors.alreadyBlocked();
      default -> throw unexpected(state);
    }
  }

  @Override
  public void unblock(String userId, String blockedId) {
    PairState state = write(UserPair.of(userId, blockedId), userId, "unblock", List.of(), null, null);
    switch (state.status()) {
      case OK -> {}
      case "NOT_BLOCKED" -> throw FriendErrors.notBlocked();
      default -> throw unexpected(state);
    }
  }

  private static IllegalStateException unexpected(PairState state) {
    return new IllegalStateException("pair.lua answered " + state.status());
  }

  /** The index entries a write may add, tagged with the version its compare-and-set will create. */
  @FunctionalInterface
  private interface Intent {
    List<IndexOp> ops(long nextVersion, long now);
  }

  /**
   * Runs {@code op} on the pair, then brings both users' index entries in line with the result.
   * With an {@code intent}, the op is a compare-and-set preceded by the intent's index entries,
   * retried while concurrent changes win.
   *
   * @param requestId the request whose index entries to bring in line too, or null
   */
  private PairState write(
      UserPair pair, String caller, String op, List<String> args, String requestId, Intent intent) {
    for (int attempt = 1; attempt <= writeAttempts; attempt++) {
      long now = clock.millis();
      String expected = "";
      if (intent != null) {
        long version = version(pair);
        applyIndex(intent.ops(version + 1, now));
        expected = Long.toString(version);
      }
      PairState state = runPair(pair, caller, op, expected, now, args, requestId);
      if (!CONFLICT.equals(state.status())) {
        syncIndexes(pair, state, requestId);
        return state;
      }
      logger.debug("{} on {} lost a race (attempt {} of {})", op, pair, attempt, writeAttempts);
    }
    throw FriendErrors.aborted();
  }

  private long version(UserPair pair) {
    String version = redis.read(() -> redis.jedis().hget(pairKey(pair), "v"));
    return version == null ? 0 : Long.parseLong(version);
  }

  private PairState runPair(
      UserPair pair, String caller, String op, String expected, long now, List<String> args, String requestId) {
    List<String> argv = new ArrayList<>(List.of(op, expected, Long.toString(now), pair.low(), pair.high(), caller));
    argv.addAll(args);
    Object reply = redis.write(() -> PAIR.run(redis.jedis(), List.of(bytes(pairKey(pair))), bytes(argv)));
    return PairState.parse(strings(reply), requestId);
  }

  /**
   * Sets both users' friend and block entries, and {@code requestId}'s entries if given, to what
   * the pair holds at {@code state}'s version. A failure is logged, not thrown: the change itself
   * is stored, and readers repair the entries.
   */
  private void syncIndexes(UserPair pair, PairState state, String requestId) {
    long version = state.version();
    List<IndexOp> ops = new ArrayList<>();
    for (String userId : List.of(pair.low(), pair.high())) {
      String other = pair.other(userId);
      Long since = state.friendsSince();
      ops.add(since != null
          ? IndexOp.present(userId, Kind.FRIENDS, other, since, version, "")
          : IndexOp.absent(userId, Kind.FRIENDS, other, version));
      Long blockedSince = state.blockSinceOf(pair, userId);
      ops.add(blockedSince != null
          ? IndexOp.present(userId, Kind.BLOCKED, other, blockedSince, version, "")
          : IndexOp.absent(userId, Kind.BLOCKED, other, version));
    }
    if (requestId != null) {
      FriendRequest request = state.request();
      if (request != null) {
        long created = Timestamps.toMillis(request.getCreateTime());
        ops.add(IndexOp.present(request.getFromUserId(), Kind.OUTGOING, requestId, created, version,
            request.getToUserId()));
        ops.add(IndexOp.present(request.getToUserId(), Kind.INCOMING, requestId, created, version,
            request.getFromUserId()));
      } else {
        for (String userId : List.of(pair.low(), pair.high())) {
          ops.add(IndexOp.absent(userId, Kind.OUTGOING, requestId, version));
          ops.add(IndexOp.absent(userId, Kind.INCOMING, requestId, version));
        }
      }
    }
    try {
      applyIndex(ops);
    } catch (ParleyException e) {
      logger.warn("could not update the list indexes of {} after a stored change; readers will repair them: {}",
          pair, e.getMessage());
    }
  }

  /** Applies {@code ops}, one script per user. */
  private void applyIndex(List<IndexOp> ops) {
    Map<String, List<String>> argsByUser = new LinkedHashMap<>();
    for (IndexOp op : ops) {
      List<String> args = argsByUser.computeIfAbsent(op.userId(), u -> new ArrayList<>());
      args.addAll(List.of(op.op(), op.kind().code, op.member(), Long.toString(op.score()),
          Long.toString(op.version()), op.peer()));
    }
    argsByUser.forEach((userId, args) -> redis.write(() -> INDEX.run(redis.jedis(), bytes(List.of(
            userKey(userId, "versions"), userKey(userId, "peers"),
            userKey(userId, Kind.FRIENDS.keyName), userKey(userId, Kind.BLOCKED.keyName),
            userKey(userId, Kind.INCOMING.keyName), userKey(userId, Kind.OUTGOING.keyName))),
        bytes(args))));
  }

  // ---- reads ----------------------------------------------------------------------------------

  @Override
  public CheckRelationResponse relation(String userIdA, String userIdB) {
    if (userIdA.equals(userIdB)) {
      return CheckRelationResponse.getDefaultInstance();
    }
    List<String> values = redis.read(() -> redis.jedis().hmget(
        pairKey(UserPair.of(userIdA, userIdB)), "f", "b:" + userIdA, "b:" + userIdB));
    return CheckRelationResponse.newBuilder()
        .setFriends(values.get(0) != null)
        .setABlocksB(values.get(1) != null)
        .setBBlocksA(values.get(2) != null)
        .build();
  }

  @Override
  public Page<Friend> listFriends(String userId, ListCursor after, int limit) {
    return list(userId, Kind.FRIENDS, after, limit, new EntryReader<>() {
      @Override
      public UserPair pair(IndexEntry entry) {
        return UserPair.of(userId, entry.member());
      }

      @Override
      public List<String> fields(IndexEntry entry) {
        return List.of("v", "f", "r:" + userId);
      }

      @Override
      public Friend read(IndexEntry entry, long version, List<String> values, List<IndexOp> repairs) {
        if (values.get(1) == null) {
          repairs.add(IndexOp.absent(userId, Kind.FRIENDS, entry.member(), version));
          return null;
        }
        long since = Long.parseLong(values.get(1));
        if (since != entry.score()) {
          repairs.add(IndexOp.present(userId, Kind.FRIENDS, entry.member(), since, version, ""));
        }
        return friend(entry.member(), values.get(2) == null ? "" : values.get(2), since);
      }
    });
  }

  @Override
  public Page<BlockedUser> listBlocked(String userId, ListCursor after, int limit) {
    return list(userId, Kind.BLOCKED, after, limit, new EntryReader<>() {
      @Override
      public UserPair pair(IndexEntry entry) {
        return UserPair.of(userId, entry.member());
      }

      @Override
      public List<String> fields(IndexEntry entry) {
        return List.of("v", "b:" + userId);
      }

      @Override
      public BlockedUser read(IndexEntry entry, long version, List<String> values, List<IndexOp> repairs) {
        if (values.get(1) == null) {
          repairs.add(IndexOp.absent(userId, Kind.BLOCKED, entry.member(), version));
          return null;
        }
        long since = Long.parseLong(values.get(1));
        if (since != entry.score()) {
          repairs.add(IndexOp.present(userId, Kind.BLOCKED, entry.member(), since, version, ""));
        }
        return BlockedUser.newBuilder().setUserId(entry.member()).setCreateTime(Timestamps.fromMillis(since)).build();
      }
    });
  }

  @Override
  public Page<FriendRequest> listRequests(String userId, Direction direction, ListCursor after, int limit) {
    boolean outgoing = direction == Direction.OUTGOING;
    Kind kind = outgoing ? Kind.OUTGOING : Kind.INCOMING;
    return list(userId, kind, after, limit, new EntryReader<>() {
      @Override
      public UserPair pair(IndexEntry entry) {
        // The peer comes with the entry, from the same script that wrote both.
        return entry.peer().isEmpty() || entry.peer().equals(userId) ? null : UserPair.of(userId, entry.peer());
      }

      @Override
      public List<String> fields(IndexEntry entry) {
        return List.of("v", "q:" + entry.member());
      }

      @Override
      public FriendRequest read(IndexEntry entry, long version, List<String> values, List<IndexOp> repairs) {
        FriendRequest request = values.get(1) == null ? null : decodeRequest(entry.member(), values.get(1));
        if (request == null || !userId.equals(outgoing ? request.getFromUserId() : request.getToUserId())) {
          repairs.add(IndexOp.absent(userId, kind, entry.member(), version));
          return null;
        }
        return request;
      }
    });
  }

  /** How a list checks its index entries against the pair records. */
  private interface EntryReader<T> {
    /** The pair the entry belongs to, or null if the entry names none (it is then skipped). */
    UserPair pair(IndexEntry entry);

    /** The pair hash fields to read for the entry; the first is {@code v}. */
    List<String> fields(IndexEntry entry);

    /** The item the entry stands for, or null (and a repair) if the pair record lacks it. */
    T read(IndexEntry entry, long version, List<String> values, List<IndexOp> repairs);
  }

  /** One entry of a user's list index, as {@code scan.lua} returns it. */
  private record IndexEntry(String member, long score, String peer) {
    ListCursor position() {
      return new ListCursor(score, member);
    }
  }

  private <T> Page<T> list(String userId, Kind kind, ListCursor after, int limit, EntryReader<T> reader) {
    List<T> items = new ArrayList<>();
    List<ListCursor> positions = new ArrayList<>();
    List<IndexOp> repairs = new ArrayList<>();
    ListCursor position = after;
    while (items.size() <= limit) {
      int wanted = limit + 1 - items.size();
      List<IndexEntry> entries = scan(userId, kind, position, wanted);
      List<IndexEntry> usable = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<List<String>> fields = new ArrayList<>();
      for (IndexEntry entry : entries) {
        UserPair pair = reader.pair(entry);
        if (pair != null) {
          usable.add(entry);
          keys.add(pairKey(pair));
          fields.add(reader.fields(entry));
        }
      }
      List<List<String>> values = readHashes(keys, fields);
      for (int i = 0; i < usable.size(); i++) {
        List<String> entryValues = values.get(i);
        long version = entryValues.get(0) == null ? 0 : Long.parseLong(entryValues.get(0));
        T item = reader.read(usable.get(i), version, entryValues, repairs);
        if (item != null) {
          items.add(item);
          positions.add(usable.get(i).position());
        }
      }
      if (entries.size() < wanted) {
        break;
      }
      position = entries.get(entries.size() - 1).position();
    }
    repair(repairs);
    return Page.of(items, positions, limit);
  }

  private List<IndexEntry> scan(String userId, Kind kind, ListCursor after, int count) {
    boolean withPeers = kind == Kind.INCOMING || kind == Kind.OUTGOING;
    List<String> keys = List.of(userKey(userId, kind.keyName), userKey(userId, "peers"));
    List<String> args = List.of(after == null ? "+inf" : Long.toString(after.time()),
        after == null ? "" : after.key(), Integer.toString(count), withPeers ? "1" : "0");
    List<String> flat = strings(redis.read(() -> SCAN.run(redis.jedis(), bytes(keys), bytes(args))));
    int stride = withPeers ? 3 : 2;
    List<IndexEntry> entries = new ArrayList<>(flat.size() / stride);
    for (int i = 0; i + stride <= flat.size(); i += stride) {
      String peer = withPeers ? flat.get(i + 2) : "";
      entries.add(new IndexEntry(flat.get(i), (long) Double.parseDouble(flat.get(i + 1)), peer));
    }
    return entries;
  }

  /** HMGET of each key's fields, in one pipeline (grouped by node on a Cluster). */
  private List<List<String>> readHashes(List<String> keys, List<List<String>> fields) {
    if (keys.isEmpty()) {
      return List.of();
    }
    return redis.read(() -> {
      List<Response<List<String>>> responses = new ArrayList<>(keys.size());
      try (AbstractPipeline pipeline = redis.jedis().pipelined()) {
        for (int i = 0; i < keys.size(); i++) {
          responses.add(pipeline.hmget(keys.get(i), fields.get(i).toArray(String[]::new)));
        }
        pipeline.sync();
      }
      List<List<String>> values = new ArrayList<>(responses.size());
      responses.forEach(response -> values.add(response.get()));
      return values;
    });
  }

  /** Applies what a read found wrong in the indexes; a failure only leaves it for the next read. */
  private void repair(List<IndexOp> repairs) {
    if (repairs.isEmpty()) {
      return;
    }
    try {
      applyIndex(repairs);
      logger.debug("repaired {} list index entries", repairs.size());
    } catch (ParleyException e) {
      logger.warn("could not repair list index entries: {}", e.getMessage());
    }
  }

  // ---- encoding -------------------------------------------------------------------------------

  /** One update of a per-user index entry; see {@code index.lua} for the ops. */
  private record IndexOp(String userId, String op, Kind kind, String member, long score, long version, String peer) {
    static IndexOp intent(String userId, Kind kind, String member, long score, long version, String peer) {
      return new IndexOp(userId, "P", kind, member, score, version, peer);
    }

    static IndexOp present(String userId, Kind kind, String member, long score, long version, String peer) {
      return new IndexOp(userId, "A", kind, member, score, version, peer);
    }

    static IndexOp absent(String userId, Kind kind, String member, long version) {
      return new IndexOp(userId, "R", kind, member, 0, version, "");
    }
  }

  /** The reply of {@code pair.lua}: the outcome and the pair record after it. */
  private record PairState(
      String status,
      long version,
      Long friendsSince,
      String remarkLow,
      String remarkHigh,
      Long blockLow,
      Long blockHigh,
      String pendingRequestId,
      FriendRequest request) {

    /** Parses a reply; {@code requestId} names the request the reply carries, if any. */
    static PairState parse(List<String> reply, String requestId) {
      if (reply.size() != 9) {
        throw new IllegalStateException("pair.lua answered " + reply.size() + " values");
      }
      return new PairState(reply.get(0), Long.parseLong(reply.get(1)), millisOrNull(reply.get(2)), reply.get(3),
          reply.get(4), millisOrNull(reply.get(5)), millisOrNull(reply.get(6)), reply.get(7),
          reply.get(8).isEmpty() ? null : decodeRequest(requestId, reply.get(8)));
    }

    String remarkOf(UserPair pair, String userId) {
      return userId.equals(pair.low()) ? remarkLow : remarkHigh;
    }

    Long blockSinceOf(UserPair pair, String userId) {
      return userId.equals(pair.low()) ? blockLow : blockHigh;
    }
  }

  private static Long millisOrNull(String value) {
    return value.isEmpty() ? null : Long.valueOf(value);
  }

  /**
   * Request {@code requestId}, stored as {@code "<from>|<to>|<STATE>|<created>|<updated>|<message>"}
   * (see {@code pair.lua}), or null for a value that is not a request.
   */
  private static FriendRequest decodeRequest(String requestId, String raw) {
    String[] parts = raw.split("\\|", 6);
    if (parts.length != 6) {
      return null;
    }
    return FriendRequest.newBuilder()
        .setRequestId(requestId)
        .setFromUserId(parts[0])
        .setToUserId(parts[1])
        .setState(FriendRequest.State.valueOf(parts[2]))
        .setCreateTime(Timestamps.fromMillis(Long.parseLong(parts[3])))
        .setUpdateTime(Timestamps.fromMillis(Long.parseLong(parts[4])))
        .setMessage(parts[5])
        .build();
  }

  private static Friend friend(String userId, String remark, long since) {
    return Friend.newBuilder().setUserId(userId).setRemark(remark).setCreateTime(Timestamps.fromMillis(since)).build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<byte[]> bytes(List<String> strings) {
    List<byte[]> out = new ArrayList<>(strings.size());
    strings.forEach(s -> out.add(bytes(s)));
    return out;
  }

  private static List<String> strings(Object reply) {
    if (!(reply instanceof List<?> list)) {
      throw new IllegalStateException("a script answered " + reply);
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object element : list) {
      out.add(element instanceof byte[] b ? new String(b, UTF_8) : String.valueOf(element));
    }
    return out;
  }

  @Override
  public void close() {
    // The Redis client belongs to the platform, which closes it.
  }
}
