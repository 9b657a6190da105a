package io.parley.user;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.database.HotQuery;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link UserStore} in PostgreSQL, the store of record: schema {@value #SCHEMA}, migrations under
 * {@value #MIGRATIONS}.
 *
 * <p>Tables: {@code account} (one row per user, keyed and distributable by {@code user_id}) and
 * {@code username_claim} ({@code username} primary key, the user id holding it), written in one
 * transaction, so an account and its claim exist together or not at all. The claim has its own table
 * so that "a username is taken once" stays a constraint on that table's distribution key.
 *
 * <p>Hot queries ({@link #HOT_QUERIES}): an account by id (GetMe, GetUser), accounts by ids (one
 * {@code = ANY(?)} for BatchGetUsers) and a claim by username (Login, then the account by id). Search
 * is not hot; its two phases are range scans of ordered indexes: the claim's primary key from the
 * username prefix, and {@code account (nickname_folded, username, user_id)} from the cursor, at most
 * {@code scanLimit} rows per call (see {@link UserSearch}).
 *
 * <p>Thread-safe. Does not own the {@link Database}: its creator closes it.
 */
final class PostgresUserStore implements UserStore {
  static final String SCHEMA = "parley_user";
  static final String MIGRATIONS = "io/parley/user/db/migration";

  private static final String ACCOUNT_COLUMNS =
      "user_id, username, nickname, avatar_url, bio, password_hash, create_time";

  static final String FIND_BY_ID = "SELECT " + ACCOUNT_COLUMNS + " FROM account WHERE user_id = ?";
  static final String FIND_BY_IDS = "SELECT " + ACCOUNT_COLUMNS + " FROM account WHERE user_id = ANY(?)";
  static final String FIND_CLAIM = "SELECT user_id FROM username_claim WHERE username = ?";

  /** The statements on hot paths, each pinning its table's distribution key. */
  static final List<HotQuery> HOT_QUERIES = List.of(
      new HotQuery("GetUser", "account", "user_id", FIND_BY_ID),
      new HotQuery("BatchGetUsers", "account", "user_id", FIND_BY_IDS),
      new HotQuery("Login", "username_claim", "username", FIND_CLAIM));

  private static final String CLAIM =
      "INSERT INTO username_claim (username, user_id) VALUES (?, ?) ON CONFLICT (username) DO NOTHING";
  private static final String INSERT_ACCOUNT = "INSERT INTO account (user_id, username, nickname, nickname_folded, "
      + "avatar_url, bio, password_hash, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPDATE_PROFILE = "UPDATE account SET nickname = COALESCE(?, nickname), "
      + "nickname_folded = COALESCE(?, nickname_folded), avatar_url = COALESCE(?, avatar_url), bio = COALESCE(?, bio) "
      + "WHERE user_id = ? RETURNING " + ACCOUNT_COLUMNS;
  private static final String REPLACE_PASSWORD =
      "UPDATE account SET password_hash = ? WHERE user_id = ? AND password_hash = ?";

  /** Username index members from a position on: the claim's primary key, as a range. */
  static final String USERNAME_RANGE = """
      SELECT username, user_id FROM username_claim
      WHERE username >= ? AND username < ? AND username >= ? AND (username, user_id) > (?, ?)
      ORDER BY username
      LIMIT ?""";

  /**
   * At most a budget of nickname index rows from a position on, returning those that match and the
   * last one examined ({@code n = total}); the filter runs in the database so that only they travel.
   */
  static final String NICKNAME_SCAN = """
      SELECT nickname_folded, username, user_id, hit, n, total
      FROM (SELECT s.*, row_number() OVER (ORDER BY nickname_folded, username, user_id) AS n,
                   count(*) OVER () AS total
            FROM (SELECT nickname_folded, username, user_id,
                         strpos(nickname_folded, ?) > 0 AND (? = '' OR NOT starts_with(username, ?)) AS hit
                  FROM account
                  WHERE (nickname_folded, username, user_id) > (?, ?, ?)
                  ORDER BY nickname_folded, username, user_id
                  LIMIT ?) s) t
      WHERE hit OR n = total
      ORDER BY n""";

  private final Database db;
  private final UserSearch search;

  /**
   * @param db a database migrated with {@value #MIGRATIONS} in schema {@value #SCHEMA}
   * @param scanLimit nickname index entries one search call may examine
   */
  PostgresUserStore(Database db, int scanLimit) {
    this.db = requireNonNull(db, "db");
    this.search = new UserSearch(new Index(), scanLimit);
  }

  /** Opens the user-svc schema on {@code settings}, migrating it. */
  static Database open(DatabaseSettings settings) {
    return Database.open(settings, SCHEMA, MIGRATIONS);
  }

  @Override
  public boolean create(Account account) {
    requireNonNull(account, "account");
    User user = account.user();
    return db.transaction(c -> {
      try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
        claim.setString(1, user.getUsername());
        claim.setString(2, user.getUserId());
        if (claim.executeUpdate() == 0) {
          return false;
        }
      }
      try (PreparedStatement insert = c.prepareStatement(INSERT_ACCOUNT)) {
        insert.setString(1, user.getUserId());
        insert.setString(2, user.getUsername());
        insert.setString(3, user.getNickname());
        insert.setString(4, UserFields.fold(user.getNickname()));
        insert.setString(5, user.getAvatarUrl());
        insert.setString(6, user.getBio());
        insert.setString(7, account.passwordHash());
        insert.setObject(8, timestamp(user.getCreateTime()));
        insert.executeUpdate();
      }
      return true;
    });
  }

  @Override
  public Optional<Account> findById(String userId) {
    requireNonNull(userId, "userId");
    return db.read(c -> findById(c, userId));
  }

  @Override
  public Optional<Account> findByUsername(String username) {
    requireNonNull(username, "username");
    return db.read(c -> {
      String userId;
      try (PreparedStatement s = c.prepareStatement(FIND_CLAIM)) {
        s.setString(1, username);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          userId = rs.getString(1);
        }
      }
      return findById(c, userId);
    });
  }

  private static Optional<Account> findById(Connection c, String userId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(FIND_BY_ID)) {
      s.setString(1, userId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(account(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public Map<String, User> findUsers(Collection<String> userIds) {
    List<String> ids = List.copyOf(new LinkedHashSet<>(userIds));
    if (ids.isEmpty()) {
      return Map.of();
    }
    Map<String, User> byId = db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(FIND_BY_IDS)) {
        s.setArray(1, c.createArrayOf("text", ids.toArray()));
        Map<String, User> found = new LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            User user = account(rs).user();
            found.put(user.getUserId(), user);
          }
        }
        return found;
      }
    });
    Map<String, User> ordered = new LinkedHashMap<>();
    ids.stream().filter(byId::containsKey).forEach(id -> ordered.put(id, byId.get(id)));
    return ordered;
  }

  @Override
  public Optional<User> updateProfile(String userId, UpdateProfileRequest change) {
    requireNonNull(userId, "userId");
    requireNonNull(change, "change");
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(UPDATE_PROFILE)) {
        s.setString(1, change.hasNickname() ? change.getNickname() : null);
        s.setString(2, change.hasNickname() ? UserFields.fold(change.getNickname()) : null);
        s.setString(3, change.hasAvatarUrl() ? change.getAvatarUrl() : null);
        s.setString(4, change.hasBio() ? change.getBio() : null);
        s.setString(5, userId);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Optional.of(account(rs).user()) : Optional.empty();
        }
      }
    });
  }

  @Override
  public boolean replacePasswordHash(String userId, String expectedHash, String newHash) {
    requireNonNull(userId, "userId");
    requireNonNull(expectedHash, "expectedHash");
    requireNonNull(newHash, "newHash");
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement(REPLACE_PASSWORD)) {
        s.setString(1, newHash);
        s.setString(2, userId);
        s.setString(3, expectedHash);
        return s.executeUpdate() == 1;
      }
    });
  }

  @Override
  public SearchPage search(String query, int pageSize, SearchCursor after) {
    return search.search(query, pageSize, after);
  }

  /** Nothing to release: the database belongs to whoever opened it. */
  @Override
  public void close() {}

  private static Account account(ResultSet rs) throws SQLException {
    Instant created = rs.getObject("create_time", OffsetDateTime.class).toInstant();
    User user = User.newBuilder()
        .setUserId(rs.getString("user_id"))
        .setUsername(rs.getString("username"))
        .setNickname(rs.getString("nickname"))
        .setAvatarUrl(rs.getString("avatar_url"))
        .setBio(rs.getString("bio"))
        .setCreateTime(Timestamp.newBuilder().setSeconds(created.getEpochSecond()).setNanos(created.getNano()))
        .build();
    return new Account(user, rs.getString("password_hash"));
  }

  private static OffsetDateTime timestamp(Timestamp time) {
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(time.getSeconds(), time.getNanos()), ZoneOffset.UTC);
  }

  /**
   * The lower bound, as a row of {@code fields} columns, of the index members strictly after {@code
   * after}: a member {@code x1\0x2…} (no field empty, none holding NUL) sorts after {@code after} in
   * code point order exactly when {@code (x1, x2, …) > bound} in the "C" collation. {@code after}
   * comes from a client's page token and may be any string: split at its NULs, its first {@code
   * fields} parts are the bound, padded with empty strings (a missing part bounds nothing, since no
   * field is empty); what follows a further NUL cannot change the comparison.
   */
  static String[] lowerBound(String after, int fields) {
    String[] bound = new String[fields];
    Arrays.fill(bound, "");
    if (after != null) {
      String[] parts = after.split(String.valueOf(UserSearch.SEPARATOR), -1);
      System.arraycopy(parts, 0, bound, 0, Math.min(fields, parts.length));
    }
    return bound;
  }

  private final class Index implements UserSearch.Index {
    @Override
    public List<String> usernameMembers(String prefix, String after, int limit) {
      String[] bound = lowerBound(after, 2);
      return db.read(c -> {
        try (PreparedStatement s = c.prepareStatement(USERNAME_RANGE)) {
          s.setString(1, prefix);
          s.setString(2, prefix + '\u007f');
          s.setString(3, bound[0]);
          s.setString(4, bound[0]);
          s.setString(5, bound[1]);
          s.setInt(6, limit);
          List<String> members = new ArrayList<>();
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              members.add(rs.getString(1) + UserSearch.SEPARATOR + rs.getString(2));
            }
          }
          return members;
        }
      });
    }

    @Override
    public UserSearch.NicknameScan scanNicknames(
        String query, String excludedUsernamePrefix, String after, int limit, int budget) {
      String[] bound = lowerBound(after, 3);
      String excluded = excludedUsernamePrefix == null ? "" : excludedUsernamePrefix;
      return db.read(c -> {
        try (PreparedStatement s = c.prepareStatement(NICKNAME_SCAN)) {
          s.setString(1, query);
          s.setString(2, excluded);
          s.setString(3, excluded);
          s.setString(4, bound[0]);
          s.setString(5, bound[1]);
          s.setString(6, bound[2]);
          s.setInt(7, budget);
          List<String> matches = new ArrayList<>();
          String last = null;
          long examined = 0;
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              String member = rs.getString(1) + UserSearch.SEPARATOR + rs.getString(2) + UserSearch.SEPARATOR
                  + rs.getString(3);
              if (rs.getBoolean(4)) {
                matches.add(member);
                if (matches.size() == limit) {
                  // The scan stops at the limit-th match; what the database read beyond it is not examined.
                  return new UserSearch.NicknameScan(matches, member, false);
                }
              }
              last = member;
              examined = rs.getLong(6);
            }
          }
          return new UserSearch.NicknameScan(matches, last, examined < budget);
        }
      });
    }

    @Override
    public Map<String, User> registeredUsers(List<UserSearch.Entry> entries) {
      return findUsers(entries.stream().map(UserSearch.Entry::userId).toList());
    }
  }
}
