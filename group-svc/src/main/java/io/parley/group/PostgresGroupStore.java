package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.database.Database;
import io.parley.database.HotQuery;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.UserGroup;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link GroupStore} in PostgreSQL, schema {@value #SCHEMA} (migrations under {@value
 * #MIGRATIONS}): the store of record that every replica shares.
 *
 * <p><b>Tables.</b> {@code chat_group} (a row per group, with its member count, last join time and
 * announcement), {@code member} (primary key group_id, user_id; join times unique per group) and
 * {@code join_request} (primary key group_id, user_id) are distributed by {@code group_id};
 * {@code user_group} (primary key user_id, group_id), each user's groups with join time and role,
 * is distributed by {@code user_id} and written in the same transaction as {@code member};
 * {@code invitation} (primary key invitee_id, group_id) is distributed by {@code invitee_id};
 * {@code user_lock} (a row per user) by {@code user_id}. See {@link #HOT_QUERIES}.
 *
 * <p><b>Changes.</b> {@link #change} runs in one {@link Database#transaction}: it locks the group's
 * row ({@code SELECT … FOR UPDATE}), then, if the rules ask, the rows of {@code user_lock} of the
 * users concerned in id order; so concurrent changes never deadlock (the group first, then users
 * in one order). It hands the work a view of the group read under that lock, and executes each
 * write the work asks for in the transaction, which commits when the work returns and rolls back
 * when it throws. {@link #create} inserts the group's row instead of locking it. A transaction
 * that loses a race runs the work again. A database that cannot be reached fails the call
 * STORE_UNAVAILABLE. Thread-safe; the store does not own the {@link Database}.
 */
final class PostgresGroupStore implements GroupStore {
  /** The schema group-svc owns. */
  static final String SCHEMA = "parley_group";

  /** Where its Flyway migrations are on the classpath. */
  static final String MIGRATIONS = "io/parley/group/db/migration";

  private static final String GROUP_COLUMNS = "g.group_id, g.name, g.notice, g.avatar_url, g.join_policy, g.owner_id,"
      + " g.member_count, g.max_members, g.create_time, g.update_time, g.last_join_time, g.announcement,"
      + " g.announcement_by, g.announcement_time";

  private static final String LOCK_GROUP =
      "SELECT " + GROUP_COLUMNS + " FROM chat_group g WHERE g.group_id = ? FOR UPDATE";

  private static final String FIND = "SELECT " + GROUP_COLUMNS + ", m.role, m.join_time, m.mute_until"
      + " FROM chat_group g LEFT JOIN member m ON m.group_id = g.group_id AND m.user_id = ?"
      + " WHERE g.group_id = ?";

  private static final String MEMBERS_BY_ID = "SELECT m.user_id, m.role, m.join_time, m.mute_until FROM member m"
      + " WHERE m.group_id = ? AND m.user_id = ANY(?)";

  private static final String MEMBER_PAGE = "SELECT m.user_id, m.role, m.join_time, m.mute_until FROM member m"
      + " WHERE m.group_id = ? AND m.join_time > ? ORDER BY m.join_time LIMIT ?";

  private static final String STAFF = "SELECT user_id FROM member WHERE group_id = ? AND role >= 2"
      + " ORDER BY role DESC, join_time LIMIT ?";

  private static final String GROUP_EXISTS = "SELECT 1 FROM chat_group WHERE group_id = ?";

  private static final String GROUPS_BY_ID = "SELECT " + GROUP_COLUMNS + " FROM chat_group g WHERE g.group_id = ANY(?)";

  private static final String USER_GROUPS = "SELECT group_id, role, join_time FROM user_group WHERE user_id = ?"
      + " ORDER BY join_time DESC, group_id DESC LIMIT ?";

  private static final String USER_GROUPS_AFTER = "SELECT group_id, role, join_time FROM user_group WHERE user_id = ?"
      + " AND (join_time, group_id) < (?, ?) ORDER BY join_time DESC, group_id DESC LIMIT ?";

  private static final String SHARES_GROUP = "SELECT EXISTS (SELECT 1 FROM user_group a JOIN user_group b"
      + " ON b.user_id = ? AND b.group_id = a.group_id WHERE a.user_id = ?)";

  private static final String INSERT_GROUP = "INSERT INTO chat_group (group_id, name, notice, avatar_url, join_policy,"
      + " owner_id, member_count, announcement, announcement_by, announcement_time, max_members, create_time,"
      + " update_time, last_join_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
      + " ON CONFLICT (group_id) DO NOTHING";

  private static final String UPDATE_GROUP = "UPDATE chat_group SET name = ?, notice = ?, avatar_url = ?,"
      + " join_policy = ?, owner_id = ?, member_count = ?, announcement = ?, announcement_by = ?,"
      + " announcement_time = ?, update_time = ?, last_join_time = ? WHERE group_id = ?";

  private static final String DELETE_GROUP = "DELETE FROM chat_group WHERE group_id = ?";

  private static final String INSERT_MEMBER =
      "INSERT INTO member (group_id, user_id, role, join_time, mute_until) VALUES (?, ?, ?, ?, ?)";

  private static final String UPDATE_MEMBER =
      "UPDATE member SET role = ?, mute_until = ? WHERE group_id = ? AND user_id = ? AND join_time = ?";

  private static final String DELETE_MEMBER = "DELETE FROM member WHERE group_id = ? AND user_id = ?";

  private static final String DELETE_MEMBERS = "DELETE FROM member WHERE group_id = ? RETURNING user_id";

  private static final String INSERT_USER_GROUP =
      "INSERT INTO user_group (user_id, group_id, join_time, role) VALUES (?, ?, ?, ?)";

  private static final String UPDATE_USER_GROUP = "UPDATE user_group SET role = ? WHERE user_id = ? AND group_id = ?";

  private static final String DELETE_USER_GROUP = "DELETE FROM user_group WHERE user_id = ? AND group_id = ?";

  private static final String DELETE_USER_GROUPS = "DELETE FROM user_group WHERE user_id = ANY(?) AND group_id = ?";

  private static final String INVITATION_COLUMNS = "invitee_id, group_id, inviter_id, create_time, decline_time";

  private static final String INVITATIONS_BY_ID = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE invitee_id = ANY(?) AND group_id = ?";

  private static final String INVITATION = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE invitee_id = ? AND group_id = ?";

  private static final String GROUP_INVITATIONS = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE group_id = ? AND decline_time IS NULL ORDER BY create_time DESC, invitee_id DESC LIMIT ?";

  private static final String GROUP_INVITATIONS_AFTER = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE group_id = ? AND decline_time IS NULL AND (create_time, invitee_id) < (?, ?)"
      + " ORDER BY create_time DESC, invitee_id DESC LIMIT ?";

  private static final String USER_INVITATIONS = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE invitee_id = ? AND decline_time IS NULL ORDER BY create_time DESC, group_id DESC LIMIT ?";

  private static final String USER_INVITATIONS_AFTER = "SELECT " + INVITATION_COLUMNS + " FROM invitation"
      + " WHERE invitee_id = ? AND decline_time IS NULL AND (create_time, group_id) < (?, ?)"
      + " ORDER BY create_time DESC, group_id DESC LIMIT ?";

  private static final String PUT_INVITATION = "INSERT INTO invitation (" + INVITATION_COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (invitee_id, group_id) DO UPDATE SET inviter_id = EXCLUDED.inviter_id,"
      + " create_time = EXCLUDED.create_time, decline_time = EXCLUDED.decline_time";

  private static final String DELETE_INVITATIONS = "DELETE FROM invitation WHERE invitee_id = ANY(?) AND group_id = ?";

  private static final String DELETE_GROUP_INVITATIONS = "DELETE FROM invitation WHERE group_id = ?";

  private static final String REQUEST_COLUMNS = "group_id, user_id, message, create_time, reject_time";

  private static final String REQUESTS_BY_ID = "SELECT " + REQUEST_COLUMNS + " FROM join_request"
      + " WHERE group_id = ? AND user_id = ANY(?)";

  private static final String GROUP_REQUESTS = "SELECT " + REQUEST_COLUMNS + " FROM join_request"
      + " WHERE group_id = ? AND reject_time IS NULL ORDER BY create_time DESC, user_id DESC LIMIT ?";

  private static final String GROUP_REQUESTS_AFTER = "SELECT " + REQUEST_COLUMNS + " FROM join_request"
      + " WHERE group_id = ? AND reject_time IS NULL AND (create_time, user_id) < (?, ?)"
      + " ORDER BY create_time DESC, user_id DESC LIMIT ?";

  private static final String USER_REQUESTS = "SELECT " + REQUEST_COLUMNS + " FROM join_request"
      + " WHERE user_id = ? AND reject_time IS NULL ORDER BY create_time DESC, group_id DESC LIMIT ?";

  private static final String USER_REQUESTS_AFTER = "SELECT " + REQUEST_COLUMNS + " FROM join_request"
      + " WHERE user_id = ? AND reject_time IS NULL AND (create_time, group_id) < (?, ?)"
      + " ORDER BY create_time DESC, group_id DESC LIMIT ?";

  private static final String PUT_REQUEST = "INSERT INTO join_request (" + REQUEST_COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE SET message = EXCLUDED.message,"
      + " create_time = EXCLUDED.create_time, reject_time = EXCLUDED.reject_time";

  private static final String DELETE_REQUESTS = "DELETE FROM join_request WHERE group_id = ? AND user_id = ANY(?)";

  private static final String DELETE_GROUP_REQUESTS = "DELETE FROM join_request WHERE group_id = ?";

  private static final String ADD_USER_LOCKS = "INSERT INTO user_lock (user_id)"
      + " SELECT u FROM unnest(?::text[]) AS t(u) ORDER BY u ON CONFLICT (user_id) DO NOTHING";

  private static final String LOCK_USERS = "SELECT user_id FROM user_lock WHERE user_id = ANY(?)"
      + " ORDER BY user_id FOR UPDATE";

  /** Per user: groups owned (role 3), pending invitations, pending join requests; each an index-only count. */
  private static final String TALLIES = "SELECT u,"
      + " (SELECT count(*) FROM user_group WHERE user_id = u AND role = 3),"
      + " (SELECT count(*) FROM invitation WHERE invitee_id = u AND decline_time IS NULL),"
      + " (SELECT count(*) FROM join_request WHERE user_id = u AND reject_time IS NULL)"
      + " FROM unnest(?::text[]) AS t(u)";

  /**
   * The statements on hot paths and their distribution keys: every change locks its group and reads
   * its actors by group; message-svc checks membership and fans out by group, and lists a user's
   * groups by user. Then the reads of invitations and join requests that the changes and the
   * listings of their users make: a user's invitations by user, a group's join requests and its
   * owner and admins (whom events go to) by group. Not listed, since they run only on invitations
   * and join requests and are per-user or cross shards: locking users and counting what they hold
   * ({@link GroupTx#lockUsers}), a group's invitations (its admins list them) and a user's join
   * requests.
   */
  static final List<HotQuery> HOT_QUERIES = List.of(
      new HotQuery("CheckMembership", "chat_group", "group_id", FIND),
      new HotQuery("CheckMembership", "member", "group_id", FIND),
      new HotQuery("ListMemberIds", "member", "group_id", MEMBER_PAGE),
      new HotQuery("ListUserGroups", "user_group", "user_id", USER_GROUPS),
      new HotQuery("ListUserGroups, next page", "user_group", "user_id", USER_GROUPS_AFTER),
      new HotQuery("SharesGroup", "user_group", "user_id", SHARES_GROUP),
      new HotQuery("change: lock the group", "chat_group", "group_id", LOCK_GROUP),
      new HotQuery("change: read actor and target", "member", "group_id", MEMBERS_BY_ID),
      new HotQuery("change: read invitations", "invitation", "invitee_id", INVITATIONS_BY_ID),
      new HotQuery("change: read join requests", "join_request", "group_id", REQUESTS_BY_ID),
      new HotQuery("ListMyInvitations", "invitation", "invitee_id", USER_INVITATIONS),
      new HotQuery("ListMyInvitations, next page", "invitation", "invitee_id", USER_INVITATIONS_AFTER),
      new HotQuery("ListJoinRequests", "join_request", "group_id", GROUP_REQUESTS),
      new HotQuery("ListJoinRequests, next page", "join_request", "group_id", GROUP_REQUESTS_AFTER),
      new HotQuery("group events: owner and admins", "member", "group_id", STAFF));

  private final Database database;

  /** A store on {@code database}, migrated with {@value #MIGRATIONS}; the caller closes the database. */
  PostgresGroupStore(Database database) {
    this.database = requireNonNull(database, "database");
  }

  @Override
  public <T> T create(StoredGroup group, Function<GroupTx, T> work) {
    requireNonNull(group, "group");
    requireNonNull(work, "work");
    return database.transaction(connection -> {
      try (PreparedStatement insert = connection.prepareStatement(INSERT_GROUP)) {
        int i = bindGroupFields(insert, 1, group);
        insert.setString(1, group.groupId());
        insert.setInt(i, group.maxMembers());
        insert.setObject(i + 1, time(group.createdMs()));
        insert.setObject(i + 2, time(group.updatedMs()));
        insert.setObject(i + 3, time(group.lastJoinMs()));
        if (insert.executeUpdate() == 0) {
          throw new IllegalStateException("group id collision: " + group.groupId());
        }
      }
      return run(work, new SqlTx(connection, group));
    });
  }

  @Override
  public <T> Optional<T> change(String groupId, Function<GroupTx, T> work) {
    requireNonNull(work, "work");
    return database.transaction(connection -> {
      StoredGroup group;
      try (PreparedStatement lock = connection.prepareStatement(LOCK_GROUP)) {
        lock.setString(1, groupId);
        try (ResultSet rs = lock.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          group = readGroup(rs);
        }
      }
      return Optional.of(run(work, new SqlTx(connection, group)));
    });
  }

  private static <T> T run(Function<GroupTx, T> work, SqlTx tx) throws SQLException {
    try {
      return requireNonNull(work.apply(tx), "the result of a change");
    } catch (UncheckedSqlException e) {
      throw e.getCause();
    }
  }

  @Override
  public Optional<StoredMembership> find(String groupId, String userId) {
    return database.read(connection -> {
      try (PreparedStatement find = connection.prepareStatement(FIND)) {
        find.setString(1, userId);
        find.setString(2, groupId);
        try (ResultSet rs = find.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          StoredMember member = rs.getObject("role") == null ? null
              : new StoredMember(userId, role(rs), millis(rs, "join_time"), muteUntil(rs));
          return Optional.of(new StoredMembership(readGroup(rs), member));
        }
      }
    });
  }

  @Override
  public Optional<StoredInvitation> invitation(String groupId, String userId) {
    return database.read(connection -> {
      try (PreparedStatement select = connection.prepareStatement(INVITATION)) {
        select.setString(1, userId);
        select.setString(2, groupId);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(readInvitation(rs)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public Optional<List<StoredMember>> members(String groupId, long afterJoinMs, int limit) {
    return database.read(connection -> {
      List<StoredMember> page = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(MEMBER_PAGE)) {
        select.setString(1, groupId);
        select.setObject(2, time(afterJoinMs));
        select.setInt(3, limit);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            page.add(readMember(rs));
          }
        }
      }
      if (!page.isEmpty()) {
        return Optional.of(page); // members exist only in groups that exist
      }
      try (PreparedStatement exists = connection.prepareStatement(GROUP_EXISTS)) {
        exists.setString(1, groupId);
        try (ResultSet rs = exists.executeQuery()) {
          return rs.next() ? Optional.of(page) : Optional.empty();
        }
      }
    });
  }

  @Override
  public List<String> staffIds(String groupId, int limit) {
    return database.read(connection -> {
      try (PreparedStatement select = connection.prepareStatement(STAFF)) {
        select.setString(1, groupId);
        select.setInt(2, limit);
        List<String> staff = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            staff.add(rs.getString(1));
          }
        }
        return staff;
      }
    });
  }

  @Override
  public Map<String, StoredGroup> groups(Collection<String> groupIds) {
    if (groupIds.isEmpty()) {
      return Map.of();
    }
    return database.read(connection -> {
      Map<String, StoredGroup> found = new HashMap<>();
      try (PreparedStatement select = connection.prepareStatement(GROUPS_BY_ID)) {
        select.setArray(1, connection.createArrayOf("text", groupIds.toArray()));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            StoredGroup group = readGroup(rs);
            found.put(group.groupId(), group);
          }
        }
      }
      return found;
    });
  }

  @Override
  public List<UserGroup> userGroups(String userId, Page.Position after, int limit) {
    return page(after == null ? USER_GROUPS : USER_GROUPS_AFTER, userId, after, limit,
        rs -> UserGroup.newBuilder()
            .setGroupId(rs.getString("group_id"))
            .setRole(role(rs))
            .setJoinTime(Timestamps.fromMillis(millis(rs, "join_time")))
            .build());
  }

  @Override
  public boolean sharesGroup(String userIdA, String userIdB) {
    return database.read(connection -> {
      try (PreparedStatement select = connection.prepareStatement(SHARES_GROUP)) {
        select.setString(1, userIdB);
        select.setString(2, userIdA);
        try (ResultSet rs = select.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    });
  }

  @Override
  public List<StoredInvitation> groupInvitations(String groupId, Page.Position after, int limit) {
    return page(after == null ? GROUP_INVITATIONS : GROUP_INVITATIONS_AFTER, groupId, after, limit,
        PostgresGroupStore::readInvitation);
  }

  @Override
  public List<StoredInvitation> userInvitations(String userId, Page.Position after, int limit) {
    return page(after == null ? USER_INVITATIONS : USER_INVITATIONS_AFTER, userId, after, limit,
        PostgresGroupStore::readInvitation);
  }

  @Override
  public List<StoredJoinRequest> groupJoinRequests(String groupId, Page.Position after, int limit) {
    return page(after == null ? GROUP_REQUESTS : GROUP_REQUESTS_AFTER, groupId, after, limit,
        PostgresGroupStore::readRequest);
  }

  @Override
  public List<StoredJoinRequest> userJoinRequests(String userId, Page.Position after, int limit) {
    return page(after == null ? USER_REQUESTS : USER_REQUESTS_AFTER, userId, after, limit,
        PostgresGroupStore::readRequest);
  }

  @Override
  public void close() {
    // The database belongs to whoever opened it.
  }

  /** One page of a listing keyed by {@code key}, newest first, after a position (time, id) or from the start. */
  private <R> List<R> page(String sql, String key, Page.Position after, int limit, Row<R> row) {
    return database.read(connection -> {
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        int i = 1;
        select.setString(i++, key);
        if (after != null) {
          select.setObject(i++, time(after.timeMs()));
          select.setString(i++, after.id());
        }
        select.setInt(i, limit);
        List<R> rows = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            rows.add(row.read(rs));
          }
        }
        return rows;
      }
    });
  }

  private static void addMembers(Connection connection, String groupId, List<StoredMember> members)
      throws SQLException {
    if (members.isEmpty()) {
      return;
    }
    try (PreparedStatement member = connection.prepareStatement(INSERT_MEMBER);
        PreparedStatement index = connection.prepareStatement(INSERT_USER_GROUP)) {
      for (StoredMember m : members) {
        member.setString(1, groupId);
        member.setString(2, m.userId());
        member.setShort(3, (short) m.role().getNumber());
        member.setObject(4, time(m.joinMs()));
        setMuteUntil(member, 5, m.muteUntilMs());
        member.addBatch();
        index.setString(1, m.userId());
        index.setString(2, groupId);
        index.setObject(3, time(m.joinMs()));
        index.setShort(4, (short) m.role().getNumber());
        index.addBatch();
      }
      member.executeBatch();
      index.executeBatch();
    }
  }

  /**
   * Binds name, notice, avatar_url, join_policy, owner_id, member_count, announcement,
   * announcement_by and announcement_time to the parameters from {@code from + 1}; returns the
   * index after them.
   */
  private static int bindGroupFields(PreparedStatement statement, int from, StoredGroup group) throws SQLException {
    statement.setString(from + 1, group.name());
    statement.setString(from + 2, group.notice());
    statement.setString(from + 3, group.avatarUrl());
    statement.setShort(from + 4, (short) group.policy().getNumber());
    statement.setString(from + 5, group.ownerId());
    statement.setInt(from + 6, group.memberCount());
    StoredAnnouncement announcement = group.announcement();
    if (announcement == null) {
      statement.setNull(from + 7, Types.VARCHAR);
      statement.setNull(from + 8, Types.VARCHAR);
      statement.setNull(from + 9, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setString(from + 7, announcement.text());
      statement.setString(from + 8, announcement.updatedBy());
      statement.setObject(from + 9, time(announcement.updatedMs()));
    }
    return from + 10;
  }

  private static StoredGroup readGroup(ResultSet rs) throws SQLException {
    return new StoredGroup(rs.getString("group_id"), rs.getString("name"), rs.getString("notice"),
        rs.getString("avatar_url"), JoinPolicy.forNumber(rs.getShort("join_policy")), rs.getString("owner_id"),
        rs.getInt("member_count"), rs.getInt("max_members"), millis(rs, "create_time"), millis(rs, "update_time"),
        millis(rs, "last_join_time"), readAnnouncement(rs));
  }

  private static StoredAnnouncement readAnnouncement(ResultSet rs) throws SQLException {
    String text = rs.getString("announcement");
    return text == null ? null
        : new StoredAnnouncement(text, rs.getString("announcement_by"), millis(rs, "announcement_time"));
  }

  private static StoredInvitation readInvitation(ResultSet rs) throws SQLException {
    return new StoredInvitation(rs.getString("group_id"), rs.getString("invitee_id"), rs.getString("inviter_id"),
        millis(rs, "create_time"), millisOrZero(rs, "decline_time"));
  }

  private static StoredJoinRequest readRequest(ResultSet rs) throws SQLException {
    return new StoredJoinRequest(rs.getString("group_id"), rs.getString("user_id"), rs.getString("message"),
        millis(rs, "create_time"), millisOrZero(rs, "reject_time"));
  }

  private static StoredMember readMember(ResultSet rs) throws SQLException {
    return new StoredMember(rs.getString("user_id"), role(rs), millis(rs, "join_time"), muteUntil(rs));
  }

  private static GroupRole role(ResultSet rs) throws SQLException {
    return GroupRole.forNumber(rs.getShort("role"));
  }

  private static long muteUntil(ResultSet rs) throws SQLException {
    return millisOrZero(rs, "mute_until");
  }

  private static void setMuteUntil(PreparedStatement statement, int index, long muteUntilMs) throws SQLException {
    setTimeOrNull(statement, index, muteUntilMs);
  }

  /** Binds the time, or NULL for 0 (none). */
  private static void setTimeOrNull(PreparedStatement statement, int index, long epochMs) throws SQLException {
    if (epochMs == 0) {
      statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setObject(index, time(epochMs));
    }
  }

  /** The time in {@code column}, or 0 where it is NULL. */
  private static long millisOrZero(ResultSet rs, String column) throws SQLException {
    OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
    return time == null ? 0 : time.toInstant().toEpochMilli();
  }

  private static long millis(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
  }

  private static OffsetDateTime time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).atOffset(ZoneOffset.UTC);
  }

  /** Carries a statement's failure out of the rules' work, to be rethrown to {@link Database} as what it is. */
  private static final class UncheckedSqlException extends RuntimeException {
    UncheckedSqlException(SQLException cause) {
      super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }

  /** A function of the transaction's connection that may fail with a statement's exception. */
  @FunctionalInterface
  private interface Statements<T> {
    T run() throws SQLException;
  }

  /** Reads one row of a result. */
  @FunctionalInterface
  private interface Row<R> {
    R read(ResultSet rs) throws SQLException;
  }

  /** The group inside one transaction: reads under its row lock, writes executed at once (and undone by a rollback). */
  private static final class SqlTx implements GroupTx {
    private final Connection connection;
    private StoredGroup group;
    private boolean deleted;
    private boolean locked;

    SqlTx(Connection connection, StoredGroup group) {
      this.connection = connection;
      this.group = group;
    }

    @Override
    public StoredGroup group() {
      requireLive();
      return group;
    }

    @Override
    public Map<String, StoredMember> members(Collection<String> userIds) {
      requireLive();
      return sql(() -> {
        Map<String, StoredMember> found = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(MEMBERS_BY_ID)) {
          select.setString(1, group.groupId());
          select.setArray(2, connection.createArrayOf("text", userIds.toArray()));
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              StoredMember member = readMember(rs);
              found.put(member.userId(), member);
            }
          }
        }
        return found;
      });
    }

    @Override
    public void updateGroup(StoredGroup changed) {
      requireLive();
      if (!changed.groupId().equals(group.groupId())) {
        throw new IllegalArgumentException("a change writes its own group only: " + changed.groupId());
      }
      sql(() -> {
        try (PreparedStatement update = connection.prepareStatement(UPDATE_GROUP)) {
          int i = bindGroupFields(update, 0, changed);
          update.setObject(i, time(changed.updatedMs()));
          update.setObject(i + 1, time(changed.lastJoinMs()));
          update.setString(i + 2, changed.groupId());
          return expectOne(update.executeUpdate(), "group " + changed.groupId());
        }
      });
      group = changed;
    }

    @Override
    public void addMembers(List<StoredMember> members) {
      requireLive();
      sql(() -> {
        PostgresGroupStore.addMembers(connection, group.groupId(), members);
        return null;
      });
    }

    @Override
    public void updateMember(StoredMember member) {
      requireLive();
      sql(() -> {
        try (PreparedStatement update = connection.prepareStatement(UPDATE_MEMBER);
            PreparedStatement index = connection.prepareStatement(UPDATE_USER_GROUP)) {
          update.setShort(1, (short) member.role().getNumber());
          setMuteUntil(update, 2, member.muteUntilMs());
          update.setString(3, group.groupId());
          update.setString(4, member.userId());
          update.setObject(5, time(member.joinMs()));
          expectOne(update.executeUpdate(), "member " + member.userId() + " joined at " + member.joinMs());
          index.setShort(1, (short) member.role().getNumber());
          index.setString(2, member.userId());
          index.setString(3, group.groupId());
          return expectOne(index.executeUpdate(), "index entry of " + member.userId());
        }
      });
    }

    @Override
    public void removeMember(String userId) {
      requireLive();
      sql(() -> {
        try (PreparedStatement delete = connection.prepareStatement(DELETE_MEMBER);
            PreparedStatement index = connection.prepareStatement(DELETE_USER_GROUP)) {
          delete.setString(1, group.groupId());
          delete.setString(2, userId);
          expectOne(delete.executeUpdate(), "member " + userId);
          index.setString(1, userId);
          index.setString(2, group.groupId());
          return expectOne(index.executeUpdate(), "index entry of " + userId);
        }
      });
    }

    @Override
    public Map<String, StoredInvitation> invitations(Collection<String> userIds) {
      requireLive();
      return sql(() -> {
        Map<String, StoredInvitation> found = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(INVITATIONS_BY_ID)) {
          select.setArray(1, connection.createArrayOf("text", userIds.toArray()));
          select.setString(2, group.groupId());
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              StoredInvitation invitation = readInvitation(rs);
              found.put(invitation.inviteeId(), invitation);
            }
          }
        }
        return found;
      });
    }

    @Override
    public Map<String, StoredJoinRequest> joinRequests(Collection<String> userIds) {
      requireLive();
      return sql(() -> {
        Map<String, StoredJoinRequest> found = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(REQUESTS_BY_ID)) {
          select.setString(1, group.groupId());
          select.setArray(2, connection.createArrayOf("text", userIds.toArray()));
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              StoredJoinRequest request = readRequest(rs);
              found.put(request.userId(), request);
            }
          }
        }
        return found;
      });
    }

    @Override
    public Map<String, UserTally> lockUsers(Collection<String> userIds) {
      requireLive();
      if (locked) {
        throw new IllegalStateException("lockUsers runs once per change");
      }
      locked = true;
      if (userIds.isEmpty()) {
        return Map.of();
      }
      return sql(() -> {
        Array ids = connection.createArrayOf("text", userIds.toArray());
        try (PreparedStatement add = connection.prepareStatement(ADD_USER_LOCKS);
            PreparedStatement lock = connection.prepareStatement(LOCK_USERS)) {
          add.setArray(1, ids);
          add.executeUpdate();
          lock.setArray(1, ids);
          int lockedRows = 0;
          try (ResultSet rs = lock.executeQuery()) {
            while (rs.next()) {
              lockedRows++; // each row read is locked until the transaction ends
            }
          }
          if (lockedRows != userIds.size()) {
            throw new IllegalStateException("locked " + lockedRows + " of " + userIds.size() + " users");
          }
        }
        Map<String, UserTally> tallies = new HashMap<>();
        try (PreparedStatement count = connection.prepareStatement(TALLIES)) {
          count.setArray(1, ids);
          try (ResultSet rs = count.executeQuery()) {
            while (rs.next()) {
              tallies.put(rs.getString(1), new UserTally(rs.getInt(2), rs.getInt(3), rs.getInt(4)));
            }
          }
        }
        return tallies;
      });
    }

    @Override
    public void putInvitations(List<StoredInvitation> invitations) {
      requireLive();
      if (invitations.isEmpty()) {
        return;
      }
      sql(() -> {
        try (PreparedStatement put = connection.prepareStatement(PUT_INVITATION)) {
          for (StoredInvitation invitation : invitations) {
            requireOwn(invitation.groupId());
            put.setString(1, invitation.inviteeId());
            put.setString(2, invitation.groupId());
            put.setString(3, invitation.inviterId());
            put.setObject(4, time(invitation.createdMs()));
            setTimeOrNull(put, 5, invitation.declinedMs());
            put.addBatch();
          }
          return put.executeBatch();
        }
      });
    }

    @Override
    public void deleteInvitations(Collection<String> userIds) {
      requireLive();
      if (userIds.isEmpty()) {
        return;
      }
      sql(() -> {
        try (PreparedStatement delete = connection.prepareStatement(DELETE_INVITATIONS)) {
          delete.setArray(1, connection.createArrayOf("text", userIds.toArray()));
          delete.setString(2, group.groupId());
          return delete.executeUpdate();
        }
      });
    }

    @Override
    public void putJoinRequest(StoredJoinRequest request) {
      requireLive();
      requireOwn(request.groupId());
      sql(() -> {
        try (PreparedStatement put = connection.prepareStatement(PUT_REQUEST)) {
          put.setString(1, request.groupId());
          put.setString(2, request.userId());
          put.setString(3, request.message());
          put.setObject(4, time(request.createdMs()));
          setTimeOrNull(put, 5, request.rejectedMs());
          return put.executeUpdate();
        }
      });
    }

    @Override
    public void deleteJoinRequests(Collection<String> userIds) {
      requireLive();
      if (userIds.isEmpty()) {
        return;
      }
      sql(() -> {
        try (PreparedStatement delete = connection.prepareStatement(DELETE_REQUESTS)) {
          delete.setString(1, group.groupId());
          delete.setArray(2, connection.createArrayOf("text", userIds.toArray()));
          return delete.executeUpdate();
        }
      });
    }

    @Override
    public List<String> deleteGroup() {
      requireLive();
      List<String> memberIds = sql(() -> {
        for (String statement : List.of(DELETE_GROUP_INVITATIONS, DELETE_GROUP_REQUESTS)) {
          try (PreparedStatement delete = connection.prepareStatement(statement)) {
            delete.setString(1, group.groupId());
            delete.executeUpdate();
          }
        }
        List<String> userIds = new ArrayList<>();
        try (PreparedStatement delete = connection.prepareStatement(DELETE_MEMBERS)) {
          delete.setString(1, group.groupId());
          try (ResultSet rs = delete.executeQuery()) {
            while (rs.next()) {
              userIds.add(rs.getString(1));
            }
          }
        }
        try (PreparedStatement index = connection.prepareStatement(DELETE_USER_GROUPS)) {
          index.setArray(1, connection.createArrayOf("text", userIds.toArray()));
          index.setString(2, group.groupId());
          index.executeUpdate();
        }
        try (PreparedStatement delete = connection.prepareStatement(DELETE_GROUP)) {
          delete.setString(1, group.groupId());
          expectOne(delete.executeUpdate(), "group " + group.groupId());
        }
        return userIds;
      });
      deleted = true;
      return List.copyOf(memberIds);
    }

    private void requireLive() {
      if (deleted) {
        throw new IllegalStateException("the group is deleted in this change");
      }
    }

    private void requireOwn(String groupId) {
      if (!groupId.equals(group.groupId())) {
        throw new IllegalArgumentException("a change writes its own group only: " + groupId);
      }
    }

    private static <T> T sql(Statements<T> statements) {
      try {
        return statements.run();
      } catch (SQLException e) {
        throw new UncheckedSqlException(e);
      }
    }

    private static int expectOne(int rows, String what) {
      if (rows != 1) {
        throw new IllegalStateException("expected to change one row of " + what + ", changed " + rows);
      }
      return rows;
    }
  }
}
