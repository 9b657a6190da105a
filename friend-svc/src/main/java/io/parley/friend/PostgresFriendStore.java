package io.parley.friend;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.database.HotQuery;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link FriendStore} in PostgreSQL, the store of record: schema {@value #SCHEMA}, migrations
 * under {@value #MIGRATIONS}.
 *
 * <p>Tables, both keyed and distributable by {@code user_id}:
 *
 * <ul>
 *   <li>{@code relation (user_id, peer_id)}: one row per side of a pair that has something between
 *       them, each carrying what {@code CheckRelation} needs from that side (friends since, who
 *       blocks whom) plus the side's remark and the pending request id. Rows of a pair with nothing
 *       left between them are deleted.
 *   <li>{@code friend_request (user_id, request_id)}: each request once per party, with its
 *       direction for that party, for the incoming and outgoing lists.
 * </ul>
 *
 * <p><b>A pair's change</b> ({@link #inPair}) is one transaction that first locks the pair's two
 * relation rows, the smaller user id's first, so that concurrent changes of one pair queue up and
 * never deadlock: {@code SELECT … FOR UPDATE}, or, where the row does not exist yet, an upsert that
 * creates and locks it (and waits for a concurrent creator). Writes are buffered and applied after
 * the work returns, in the same transaction.
 *
 * <p><b>Hot query</b> ({@link #HOT_QUERIES}): {@code CheckRelation} reads exactly one row by its
 * primary key. Lists are keyset scans of partial indexes, newest first.
 *
 * <p>Thread-safe. Does not own the {@link Database}: its creator closes it.
 */
final class PostgresFriendStore implements FriendStore {
  static final String SCHEMA = "parley_friend";
  static final String MIGRATIONS = "io/parley/friend/db/migration";

  static final String CHECK_RELATION = "SELECT friends_since IS NOT NULL, blocking_since IS NOT NULL, peer_blocks "
      + "FROM relation WHERE user_id = ? AND peer_id = ?";

  /** The statements on hot paths, each pinning its table's distribution key. */
  static final List<HotQuery> HOT_QUERIES =
      List.of(new HotQuery("CheckRelation", "relation", "user_id", CHECK_RELATION));

  private static final String SIDE_COLUMNS = "friends_since, remark, blocking_since, pending_request_id";
  private static final String LOCK_SIDE =
      "SELECT " + SIDE_COLUMNS + " FROM relation WHERE user_id = ? AND peer_id = ? FOR UPDATE";
  /** Creates a side, or locks it if a concurrent change created it first (a no-op update locks the row). */
  private static final String CREATE_SIDE = "INSERT INTO relation (user_id, peer_id) VALUES (?, ?) "
      + "ON CONFLICT (user_id, peer_id) DO UPDATE SET remark = relation.remark RETURNING " + SIDE_COLUMNS;
  private static final String UPDATE_SIDE = "UPDATE relation SET friends_since = ?, remark = ?, blocking_since = ?, "
      + "peer_blocks = ?, pending_request_id = ? WHERE user_id = ? AND peer_id = ?";
  private static final String DELETE_SIDE = "DELETE FROM relation WHERE user_id = ? AND peer_id = ?";

  private static final String REQUEST_COLUMNS =
      "user_id, request_id, incoming, peer_id, state, message, create_time, update_time";
  static final String FIND_REQUEST =
      "SELECT " + REQUEST_COLUMNS + " FROM friend_request WHERE user_id = ? AND request_id = ?";
  private static final String PUT_REQUEST = "INSERT INTO friend_request (" + REQUEST_COLUMNS + ") "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON CONFLICT (user_id, request_id) DO UPDATE SET state = EXCLUDED.state, update_time = EXCLUDED.update_time";

  private static final String FRIENDS =
      "SELECT peer_id, remark, friends_since FROM relation WHERE user_id = ? AND friends_since IS NOT NULL";
  private static final String FRIENDS_ORDER = " ORDER BY friends_since DESC, peer_id DESC LIMIT ?";
  static final String LIST_FRIENDS = FRIENDS + FRIENDS_ORDER;
  static final String LIST_FRIENDS_AFTER = FRIENDS + " AND (friends_since, peer_id) < (?, ?)" + FRIENDS_ORDER;

  private static final String BLOCKED =
      "SELECT peer_id, blocking_since FROM relation WHERE user_id = ? AND blocking_since IS NOT NULL";
  private static final String BLOCKED_ORDER = " ORDER BY blocking_since DESC, peer_id DESC LIMIT ?";
  static final String LIST_BLOCKED = BLOCKED + BLOCKED_ORDER;
  static final String LIST_BLOCKED_AFTER = BLOCKED + " AND (blocking_since, peer_id) < (?, ?)" + BLOCKED_ORDER;

  private static final String REQUESTS =
      "SELECT " + REQUEST_COLUMNS + " FROM friend_request WHERE user_id = ? AND incoming = ?";
  private static final String REQUESTS_ORDER = " ORDER BY create_time DESC, request_id DESC LIMIT ?";
  static final String LIST_REQUESTS = REQUESTS + REQUESTS_ORDER;
  static final String LIST_REQUESTS_AFTER = REQUESTS + " AND (create_time, request_id) < (?, ?)" + REQUESTS_ORDER;

  private final Database db;

  /** @param db a database migrated with {@value #MIGRATIONS} in schema {@value #SCHEMA} */
  PostgresFriendStore(Database db) {
    this.db = requireNonNull(db, "db");
  }

  /** Opens the friend-svc schema on {@code settings}, migrating it. */
  static Database open(DatabaseSettings settings) {
    return Database.open(settings, SCHEMA, MIGRATIONS);
  }

  @Override
  public <T> T inPair(UserPair pair, Function<PairTx, T> work) {
    requireNonNull(pair, "pair");
    requireNonNull(work, "work");
    return db.transaction(c -> {
      Tx tx = new Tx(c, pair, lock(c, pair));
      T result;
      try {
        result = work.apply(tx);
      } catch (SqlFailure e) {
        throw e.sqlException;
      }
      tx.apply();
      return result;
    });
  }

  /** Locks both sides of {@code pair}, the smaller user id's first, creating them if absent; returns its state. */
  private static PairState lock(Connection c, UserPair pair) throws SQLException {
    Side low = lockSide(c, pair.low(), pair.high());
    Side high = lockSide(c, pair.high(), pair.low());
    Map<String, String> remarks = new HashMap<>();
    Map<String, Instant> blockingSince = new HashMap<>();
    for (Map.Entry<String, Side> side : Map.of(pair.low(), low, pair.high(), high).entrySet()) {
      if (!side.getValue().remark().isEmpty()) {
        remarks.put(side.getKey(), side.getValue().remark());
      }
      if (side.getValue().blockingSince() != null) {
        blockingSince.put(side.getKey(), side.getValue().blockingSince());
      }
    }
    return new PairState(pair, low.friendsSince(), remarks, blockingSince, low.pendingRequestId());
  }

  private static Side lockSide(Connection c, String userId, String peerId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(LOCK_SIDE)) {
      s.setString(1, userId);
      s.setString(2, peerId);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          return side(rs);
        }
      }
    }
    try (PreparedStatement s = c.prepareStatement(CREATE_SIDE)) {
      s.setString(1, userId);
      s.setString(2, peerId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return side(rs);
      }
    }
  }

  /** One side's row of a pair, as locked. */
  private record Side(Instant friendsSince, String remark, Instant blockingSince, String pendingRequestId) {}

  private static Side side(ResultSet rs) throws SQLException {
    return new Side(instant(rs, "friends_since"), rs.getString("remark"), instant(rs, "blocking_since"),
        rs.getString("pending_request_id"));
  }

  /** A pair's change in its transaction: reads through the connection, writes buffered until {@link #apply}. */
  private static final class Tx implements PairTx {
    private final Connection c;
    private final UserPair pair;
    private PairState state;
    private final PairState before;
    private final Map<String, FriendRequest> written = new LinkedHashMap<>();

    Tx(Connection c, UserPair pair, PairState before) {
      this.c = c;
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
      if (written.containsKey(requestId)) {
        return Optional.of(written.get(requestId));
      }
      try {
        // Changes of the pair's requests hold the pair's lock, which this transaction holds now.
        return findRequest(c, pair.low(), requestId)
            .filter(r -> UserPair.of(r.getFromUserId(), r.getToUserId()).equals(pair));
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
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

    void apply() throws SQLException {
      if (!written.isEmpty()) {
        try (PreparedStatement s = c.prepareStatement(PUT_REQUEST)) {
          for (FriendRequest request : written.values()) {
            addRequestCopy(s, request, request.getFromUserId(), false, request.getToUserId());
            addRequestCopy(s, request, request.getToUserId(), true, request.getFromUserId());
          }
          s.executeBatch();
        }
      }
      if (state.isEmpty()) {
        try (PreparedStatement s = c.prepareStatement(DELETE_SIDE)) {
          for (String userId : List.of(pair.low(), pair.high())) {
            s.setString(1, userId);
            s.setString(2, pair.other(userId));
            s.addBatch();
          }
          s.executeBatch();
        }
      } else if (!state.equals(before)) {
        try (PreparedStatement s = c.prepareStatement(UPDATE_SIDE)) {
          for (String userId : List.of(pair.low(), pair.high())) {
            String peerId = pair.other(userId);
            setTime(s, 1, state.friendsSince());
            s.setString(2, state.remark(userId));
            setTime(s, 3, state.blockingSince().get(userId));
            s.setBoolean(4, state.blocks(peerId));
            s.setString(5, state.pendingRequestId());
            s.setString(6, userId);
            s.setString(7, peerId);
            s.addBatch();
          }
          s.executeBatch();
        }
      }
    }

    private static void addRequestCopy(PreparedStatement s, FriendRequest request, String userId, boolean incoming,
        String peerId) throws SQLException {
      s.setString(1, userId);
      s.setString(2, request.getRequestId());
      s.setBoolean(3, incoming);
      s.setString(4, peerId);
      s.setString(5, request.getState().name());
      s.setString(6, request.getMessage());
      setTime(s, 7, Instant.ofEpochMilli(Timestamps.toMillis(request.getCreateTime())));
      setTime(s, 8, Instant.ofEpochMilli(Timestamps.toMillis(request.getUpdateTime())));
      s.addBatch();
    }
  }

  /** A statement of a pair's work failed; {@link #inPair} rethrows the cause to {@link Database}. */
  private static final class SqlFailure extends RuntimeException {
    final SQLException sqlException;

    SqlFailure(SQLException sqlException) {
      super(sqlException);
      this.sqlException = sqlException;
    }
  }

  @Override
  public Optional<FriendRequest> findRequest(String userId, String requestId) {
    requireNonNull(userId, "userId");
    requireNonNull(requestId, "requestId");
    return db.read(c -> findRequest(c, userId, requestId));
  }

  private static Optional<FriendRequest> findRequest(Connection c, String userId, String requestId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(FIND_REQUEST)) {
      s.setString(1, userId);
      s.setString(2, requestId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(request(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public CheckRelationResponse relation(String userIdA, String userIdB) {
    requireNonNull(userIdA, "userIdA");
    requireNonNull(userIdB, "userIdB");
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(CHECK_RELATION)) {
        s.setString(1, userIdA);
        s.setString(2, userIdB);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return CheckRelationResponse.getDefaultInstance();
          }
          return CheckRelationResponse.newBuilder()
              .setFriends(rs.getBoolean(1))
              .setABlocksB(rs.getBoolean(2))
              .setBBlocksA(rs.getBoolean(3))
              .build();
        }
      }
    });
  }

  @Override
  public Page<Friend> listFriends(String userId, ListCursor after, int limit) {
    return page(after == null ? LIST_FRIENDS : LIST_FRIENDS_AFTER, userId, null, after, limit, rs -> {
      Instant since = instant(rs, "friends_since");
      Friend friend = Friend.newBuilder()
          .setUserId(rs.getString("peer_id"))
          .setRemark(rs.getString("remark"))
          .setCreateTime(Timestamps.fromMillis(since.toEpochMilli()))
          .build();
      return new Positioned<>(friend, new ListCursor(since.toEpochMilli(), friend.getUserId()));
    });
  }

  @Override
  public Page<FriendRequest> listRequests(String userId, Direction direction, ListCursor after, int limit) {
    return page(after == null ? LIST_REQUESTS : LIST_REQUESTS_AFTER, userId, direction != Direction.OUTGOING, after,
        limit, rs -> {
          FriendRequest request = request(rs);
          return new Positioned<>(request,
              new ListCursor(Timestamps.toMillis(request.getCreateTime()), request.getRequestId()));
        });
  }

  @Override
  public Page<BlockedUser> listBlocked(String userId, ListCursor after, int limit) {
    return page(after == null ? LIST_BLOCKED : LIST_BLOCKED_AFTER, userId, null, after, limit, rs -> {
      Instant since = instant(rs, "blocking_since");
      BlockedUser blocked = BlockedUser.newBuilder()
          .setUserId(rs.getString("peer_id"))
          .setCreateTime(Timestamps.fromMillis(since.toEpochMilli()))
          .build();
      return new Positioned<>(blocked, new ListCursor(since.toEpochMilli(), blocked.getUserId()));
    });
  }

  /** An item of a list and its position. */
  private record Positioned<T>(T item, ListCursor position) {}

  /** Reads one row of a list. */
  @FunctionalInterface
  private interface RowReader<T> {
    Positioned<T> read(ResultSet rs) throws SQLException;
  }

  /**
   * One page of a keyset-paged list: binds the user, then {@code incoming} if not null, then the
   * cursor if any, then the limit (one more than the page, to see whether another follows).
   */
  private <T> Page<T> page(String sql, String userId, Boolean incoming, ListCursor after, int limit,
      RowReader<T> reader) {
    requireNonNull(userId, "userId");
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int i = 1;
        s.setString(i++, userId);
        if (incoming != null) {
          s.setBoolean(i++, incoming);
        }
        if (after != null) {
          setTime(s, i++, Instant.ofEpochMilli(after.time()));
          s.setString(i++, after.key());
        }
        s.setInt(i, limit + 1);
        List<T> items = new ArrayList<>();
        List<ListCursor> positions = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            Positioned<T> row = reader.read(rs);
            items.add(row.item());
            positions.add(row.position());
          }
        }
        return Page.of(items, positions, limit);
      }
    });
  }

  private static FriendRequest request(ResultSet rs) throws SQLException {
    String userId = rs.getString("user_id");
    String peerId = rs.getString("peer_id");
    boolean incoming = rs.getBoolean("incoming");
    return FriendRequest.newBuilder()
        .setRequestId(rs.getString("request_id"))
        .setFromUserId(incoming ? peerId : userId)
        .setToUserId(incoming ? userId : peerId)
        .setMessage(rs.getString("message"))
        .setState(FriendRequest.State.valueOf(rs.getString("state")))
        .setCreateTime(Timestamps.fromMillis(instant(rs, "create_time").toEpochMilli()))
        .setUpdateTime(Timestamps.fromMillis(instant(rs, "update_time").toEpochMilli()))
        .build();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
    return time == null ? null : time.toInstant();
  }

  private static void setTime(PreparedStatement s, int index, Instant time) throws SQLException {
    if (time == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
    }
  }

  /** Nothing to release: the database belongs to whoever opened it. */
  @Override
  public void close() {}
}
