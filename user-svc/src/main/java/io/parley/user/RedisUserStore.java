package io.parley.user;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * A {@link UserStore} on Redis through jedis, standalone or Cluster alike.
 *
 * <p>Layout, every key under the prefix ({@code parley:user:} in production):
 *
 * <ul>
 *   <li>{@code acct:{<user id>}}: hash of the account: {@code username}, {@code nickname}, {@code
 *       avatar_url}, {@code bio}, {@code create_ms}, {@code pw} (the PHC string) and {@code rev}
 *       (bumped by every profile update). Profile updates and password changes are Lua scripts on
 *       this one key, so they are atomic on a Cluster too.
 *   <li>{@code name:<username>}: string, the user id: the claim that makes a username unique, set
 *       with {@code SET NX}. It is the authority on who holds a username: an account counts as
 *       registered only if the claim of its username names it.
 *   <li>{@code idx:name:<first character>}: sorted set, the username index for prefix search
 *       ({@code ZRANGEBYLEX}), members {@code <username>\0<user id>}. A prefix query always falls
 *       in one of these 38 keys, so the index spreads over as many Cluster slots.
 *   <li>{@code idx:{nick}}: sorted set, the nickname index, members {@code <folded
 *       nickname>\0<username>\0<user id>}; and {@code idx:{nick}:owners}: hash, user id to {@code
 *       "<rev> <member>"}, so that racing updates of one user converge on the latest nickname (the
 *       two keys share a hash tag and change in one script).
 * </ul>
 *
 * <p>Registration writes the account, then its index entries, then claims the username. The
 * username and the account live in different slots, so no single step covers both; the order makes
 * every crash harmless. Before the claim, nothing reaches the account: logins go through the claim,
 * searches skip entries whose claim does not name the account, and its id was never handed out. A
 * claim, once made, always names a complete account, so no crash leaves a username held by nobody.
 * A registration that loses the claim removes what it wrote; one that crashes before the claim
 * leaves an unreachable account hash and two index entries that searches skip.
 *
 * <p>Costs: a lookup by id is one {@code HGETALL}, by username a {@code GET} and an {@code
 * HGETALL}; a batch of ids is one pipelined round trip. A username-prefix search is {@code
 * O(log n + page)}. A nickname search cannot use an ordered index for a substring, so it is a scan
 * of the nickname index inside Redis ({@code scan_nicknames.lua}), bounded per call by {@link
 * UserSettings#searchScanLimit()} entries. A script blocks Redis while it runs; measured on a busy
 * two-core test machine with 100,000 entries, a call costs about 0.4 ms per 1000 entries examined
 * (the default limit). Paging through every match of a rare substring costs {@code O(n)} over all
 * the pages: at a million users, a thousand calls of short pages. A trigram index would make it
 * sublinear, at the price of some 30 set updates per nickname change.
 *
 * <p>Thread-safe. A Redis that cannot be reached fails every method with STORE_UNAVAILABLE.
 */
final class RedisUserStore implements UserStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisUserStore.class);

  private static final RedisScript CREATE_ACCOUNT = RedisScript.fromResource(RedisUserStore.class, "create_account.lua");
  private static final RedisScript UPDATE_PROFILE = RedisScript.fromResource(RedisUserStore.class, "update_profile.lua");
  private static final RedisScript REPLACE_PASSWORD =
      RedisScript.fromResource(RedisUserStore.class, "replace_password.lua");
  private static final RedisScript INDEX_NICKNAME = RedisScript.fromResource(RedisUserStore.class, "index_nickname.lua");
  private static final RedisScript SCAN_NICKNAMES = RedisScript.fromResource(RedisUserStore.class, "scan_nicknames.lua");

  private static final String USERNAME = "username";
  private static final String NICKNAME = "nickname";
  private static final String AVATAR_URL = "avatar_url";
  private static final String BIO = "bio";
  private static final String CREATE_MS = "create_ms";
  private static final String PASSWORD = "pw";
  private static final String REVISION = "rev";

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final String prefix;
  private final List<byte[]> nicknameKeys;
  private final UserSearch search;

  /**
   * @param jedis the client, not closed by this store
   * @param prefix the prefix of every key, e.g. {@code "parley:user:"}
   * @param scanLimit nickname index entries one search call may examine
   */
  RedisUserStore(UnifiedJedis jedis, String prefix, int scanLimit) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = new RedisCalls(jedis, ErrorReason.STORE_UNAVAILABLE, "user store");
    this.prefix = requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException("prefix must be non-empty, without braces: '" + prefix + "'");
    }
    this.nicknameKeys = List.of(bytes(prefix + "idx:{nick}"), bytes(prefix + "idx:{nick}:owners"));
    this.search = new UserSearch(new Index(), scanLimit);
  }

  @Override
  public void create(Account account) {
    requireNonNull(account, "account");
    User user = account.user();
    List<byte[]> fields = new ArrayList<>();
    toFields(user).forEach((field, value) -> {
      fields.add(bytes(field));
      fields.add(bytes(value));
    });
    fields.addAll(List.of(bytes(PASSWORD), bytes(account.passwordHash()), bytes(REVISION), bytes("1")));
    Object written = redis.write(() -> CREATE_ACCOUNT.run(jedis, List.of(bytes(accountKey(user.getUserId()))), fields));
    if (!Long.valueOf(1).equals(written)) {
      throw new IllegalStateException("user id " + user.getUserId() + " is already in use");
    }
    // Index before the claim: until the claim names this account, searches skip these entries.
    redis.write(() -> jedis.zadd(usernameIndexKey(user.getUsername()), 0, UserSearch.usernameMember(user)));
    indexNickname(user, 1);
    String claimed = redis.write(() -> jedis.set(nameKey(user.getUsername()), user.getUserId(), SetParams.setParams().nx()));
    if (claimed == null) {
      discard(user);
      throw new ParleyException(ErrorReason.USERNAME_TAKEN, "username is taken");
    }
  }

  /** Removes what a registration that lost its claim wrote; what cannot be removed now is skipped by readers. */
  private void discard(User user) {
    try {
      redis.write(() -> INDEX_NICKNAME.run(jedis, nicknameKeys, List.of(bytes(user.getUserId()), bytes("0"), bytes(""))));
      redis.write(() -> jedis.zrem(usernameIndexKey(user.getUsername()), UserSearch.usernameMember(user)));
      redis.write(() -> jedis.del(accountKey(user.getUserId())));
    } catch (ParleyException e) {
      logger.warn("could not remove the unclaimed account {}: {}", user.getUserId(), e.getMessage());
    }
  }

  @Override
  public Optional<Account> findById(String userId) {
    Map<String, String> hash = redis.read(() -> jedis.hgetAll(accountKey(userId)));
    return hash.isEmpty() ? Optional.empty() : Optional.of(toAccount(userId, hash));
  }

  @Override
  public Optional<Account> findByUsername(String username) {
    String userId = redis.read(() -> jedis.get(nameKey(username)));
    return userId == null ? Optional.empty() : findById(userId);
  }

  @Override
  public Map<String, User> findUsers(Collection<String> userIds) {
    List<String> ids = List.copyOf(new LinkedHashSet<>(userIds));
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<Map<String, String>> hashes = redis.read(() -> {
      List<Response<Map<String, String>>> responses = new ArrayList<>();
      try (AbstractPipeline pipeline = jedis.pipelined()) {
        ids.forEach(id -> responses.add(pipeline.hgetAll(accountKey(id))));
        pipeline.sync();
      }
      return responses.stream().map(Response::get).toList();
    });
    Map<String, User> found = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      if (!hashes.get(i).isEmpty()) {
        found.put(ids.get(i), toAccount(ids.get(i), hashes.get(i)).user());
      }
    }
    return found;
  }

  @Override
  public Optional<User> updateProfile(String userId, UpdateProfileRequest change) {
    requireNonNull(change, "change");
    List<byte[]> args = new ArrayList<>();
    if (change.hasNickname()) {
      args.addAll(List.of(bytes(NICKNAME), bytes(change.getNickname())));
    }
    if (change.hasAvatarUrl()) {
      args.addAll(List.of(bytes(AVATAR_URL), bytes(change.getAvatarUrl())));
    }
    if (change.hasBio()) {
      args.addAll(List.of(bytes(BIO), bytes(change.getBio())));
    }
    Object reply = redis.write(() -> UPDATE_PROFILE.run(jedis, List.of(bytes(accountKey(userId))), args));
    if (reply == null) {
      return Optional.empty();
    }
    Map<String, String> hash = hash(reply);
    User user = toAccount(userId, hash).user();
    // Always re-point the index, nickname changed or not: it also repairs an entry a crash lost.
    indexNickname(user, Long.parseLong(hash.get(REVISION)));
    return Optional.of(user);
  }

  @Override
  public boolean replacePasswordHash(String userId, String expectedHash, String newHash) {
    requireNonNull(expectedHash, "expectedHash");
    requireNonNull(newHash, "newHash");
    Object reply = redis.write(() -> REPLACE_PASSWORD.run(jedis, List.of(bytes(accountKey(userId))),
        List.of(bytes(expectedHash), bytes(newHash))));
    return Long.valueOf(1).equals(reply);
  }

  @Override
  public SearchPage search(String query, int pageSize, SearchCursor after) {
    return search.search(query, pageSize, after);
  }

  /** Nothing to release: the client belongs to the platform. */
  @Override
  public void close() {}

  private void indexNickname(User user, long revision) {
    redis.write(() -> INDEX_NICKNAME.run(jedis, nicknameKeys, List.of(
        bytes(user.getUserId()), bytes(Long.toString(revision)), bytes(UserSearch.nicknameMember(user)))));
  }

  private String accountKey(String userId) {
    return prefix + "acct:{" + userId + "}";
  }

  private String nameKey(String username) {
    return prefix + "name:" + username;
  }

  private String usernameIndexKey(String usernameOrPrefix) {
    return prefix + "idx:name:" + usernameOrPrefix.charAt(0);
  }

  private static Map<String, String> toFields(User user) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(USERNAME, user.getUsername());
    fields.put(NICKNAME, user.getNickname());
    fields.put(AVATAR_URL, user.getAvatarUrl());
    fields.put(BIO, user.getBio());
    fields.put(CREATE_MS, Long.toString(Timestamps.toMillis(user.getCreateTime())));
    return fields;
  }

  private static Account toAccount(String userId, Map<String, String> hash) {
    String password = hash.get(PASSWORD);
    String created = hash.get(CREATE_MS);
    if (password == null || created == null || hash.get(USERNAME) == null) {
      throw new IllegalStateException("corrupt account hash for user " + userId);
    }
    User user = User.newBuilder()
        .setUserId(userId)
        .setUsername(hash.get(USERNAME))
        .setNickname(hash.getOrDefault(NICKNAME, ""))
        .setAvatarUrl(hash.getOrDefault(AVATAR_URL, ""))
        .setBio(hash.getOrDefault(BIO, ""))
        .setCreateTime(Timestamps.fromMillis(Long.parseLong(created)))
        .build();
    return new Account(user, password);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> hash(Object reply) {
    List<Object> flat = (List<Object>) reply;
    Map<String, String> hash = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      hash.put(string(flat.get(i)), string(flat.get(i + 1)));
    }
    return hash;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String string(Object reply) {
    return new String((byte[]) reply, UTF_8);
  }

  private final class Index implements UserSearch.Index {
    @Override
    public List<String> usernameMembers(String prefix, String after, int limit) {
      String from = after == null ? "[" + prefix : "(" + after;
      return redis.read(() -> jedis.zrangeByLex(usernameIndexKey(prefix), from, "(" + prefix + '\u007f', 0, limit));
    }

    @Override
    @SuppressWarnings("unchecked")
    public UserSearch.NicknameScan scanNicknames(
        String query, String excludedUsernamePrefix, String after, int limit, int budget) {
      List<byte[]> args = List.of(
          bytes(query),
          bytes(excludedUsernamePrefix == null ? "" : excludedUsernamePrefix),
          bytes(after == null ? "" : after),
          bytes(Integer.toString(limit)),
          bytes(Integer.toString(budget)));
      List<Object> reply = (List<Object>) redis.read(() -> SCAN_NICKNAMES.run(jedis, List.of(nicknameKeys.get(0)), args));
      boolean exhausted = Long.valueOf(1).equals(reply.get(0));
      String last = string(reply.get(1));
      List<String> matches = new ArrayList<>();
      for (Object match : reply.subList(2, reply.size())) {
        matches.add(string(match));
      }
      return new UserSearch.NicknameScan(matches, last.isEmpty() ? null : last, exhausted);
    }

    @Override
    public Map<String, User> registeredUsers(List<UserSearch.Entry> entries) {
      Map<String, UserSearch.Entry> byUserId = new LinkedHashMap<>();
      entries.forEach(e -> byUserId.putIfAbsent(e.userId(), e));
      List<UserSearch.Entry> unique = List.copyOf(byUserId.values());
      record Lookup(Response<Map<String, String>> account, Response<String> claim) {}
      List<Lookup> lookups = redis.read(() -> {
        List<Lookup> pending = new ArrayList<>();
        try (AbstractPipeline pipeline = jedis.pipelined()) {
          for (UserSearch.Entry entry : unique) {
            pending.add(new Lookup(pipeline.hgetAll(accountKey(entry.userId())), pipeline.get(nameKey(entry.username()))));
          }
          pipeline.sync();
        }
        return pending;
      });
      Map<String, User> found = new HashMap<>();
      for (int i = 0; i < unique.size(); i++) {
        String userId = unique.get(i).userId();
        Map<String, String> hash = lookups.get(i).account().get();
        if (!hash.isEmpty() && userId.equals(lookups.get(i).claim().get())) {
          found.put(userId, toAccount(userId, hash).user());
        }
      }
      return found;
    }
  }
}
