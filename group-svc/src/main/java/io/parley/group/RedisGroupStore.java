package io.parley.group;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;

/**
 * A {@link GroupStore} on Redis through jedis, standalone or Cluster alike. Every key starts with
 * {@value #PREFIX}.
 *
 * <p><b>A group</b> lives in four keys sharing the hash tag {@code {<groupId>}}, hence one hash
 * slot: {@code meta} (a hash of its fields), {@code joined} (a sorted set of member ids by join
 * time), {@code roles} and {@code muted} (hashes by member id); {@code prelude.lua} describes them.
 * Every change is one Lua script over these keys that checks the actor's and target's roles, the
 * limit and the group's existence and writes, atomically, so concurrent changes serialize per
 * group on standalone Redis and on a Cluster alike, without locks or retries. Reads are scripts
 * too, so a page or a view is a consistent snapshot.
 *
 * <p><b>A user's groups</b> live in a sorted set under the user's own tag, {@code
 * user:{<userId>}:groups}, group id to join time. It is in another slot than the group, so it
 * cannot change in the group's script; it is kept as an index that may hold extra entries but
 * never misses a membership, and every read checks each entry against its group:
 *
 * <ol>
 *   <li>Before a join (create, invite, join), the group is entered in the index of each user
 *       concerned with a <i>pending</i> score, minus the current time.
 *   <li>The group's script runs. Afterwards, each user who is a member gets the real join time as
 *       score with {@code ZADD GT} (which can only raise it, so an older membership never
 *       overwrites a newer one), and a pending entry of a refused join is dropped if it is still
 *       the one this call wrote ({@code unindex.lua} compares the score).
 *   <li>After a membership ends (leave, remove), its entry is dropped only if its score is that
 *       membership's join time: join times of a group are distinct and increase, so a slow
 *       clean-up never drops the entry of a newer membership of the same user. A dismissed group's
 *       entries are dropped outright, since a group id is never used again.
 *   <li>{@link #listGroups} reads each candidate group with the user's membership, skips entries of
 *       groups the user is not in and drops them (by the same score comparison), except a pending
 *       entry younger than {@link #PENDING_GRACE}, whose call may still be running; and it repairs
 *       the score of a membership left pending by a process that died mid-call.
 * </ol>
 *
 * So a crash or an unreachable Redis between the steps leaves at worst an extra entry, which
 * the next read filters out and drops; a group the user is not in is never shown. Index writes
 * after the group's script are best effort: a failure is logged, not reported, since the change
 * itself is done.
 *
 * <p>An unreachable Redis fails a call with STORE_UNAVAILABLE. If it fails while the group's
 * script runs, the change may or may not have been applied; a retry tells which (e.g.
 * ALREADY_GROUP_MEMBER), since every change is checked against the current state. Thread-safe.
 */
final class RedisGroupStore implements GroupStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisGroupStore.class);

  /** The prefix of every key of group-svc. */
  static final String PREFIX = "parley:group:";

  private static final String PRELUDE = source("prelude.lua");
  private static final RedisScript VIEW = groupScript("view.lua");
  private static final RedisScript CREATE = groupScript("create.lua");
  private static final RedisScript UPDATE = groupScript("update.lua");
  private static final RedisScript DISMISS = groupScript("dismiss.lua");
  private static final RedisScript ADD = groupScript("add.lua");
  private static final RedisScript REMOVE = groupScript("remove.lua");
  private static final RedisScript SET_ROLE = groupScript("set_role.lua");
  private static final RedisScript TRANSFER = groupScript("transfer.lua");
  private static final RedisScript MUTE = groupScript("mute.lua");
  private static final RedisScript MEMBERS = groupScript("members.lua");
  private static final RedisScript UNINDEX = RedisScript.of("unindex.lua", source("unindex.lua"));

  private static final int INDEX_BATCH = 32;
  /** How long a pending index entry is left alone: longer than any call may run. */
  static final Duration PENDING_GRACE = Duration.ofMinutes(5);
  private static final int GROUP_VIEW_SIZE = 9;

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final Clock clock;

  /** A store on {@code jedis}, which it uses but does not close. */
  RedisGroupStore(UnifiedJedis jedis, Clock clock) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = new RedisCalls(jedis, ErrorReason.STORE_UNAVAILABLE, "group store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The keys of a group, in the order the scripts expect: meta, joined, roles, muted. */
  static List<String> groupKeys(String groupId) {
    String base = PREFIX + "{" + groupId + "}:";
    return List.of(base + "meta", base + "joined", base + "roles", base + "muted");
  }

  /** The key of a user's index of groups. */
  static String indexKey(String userId) {
    return PREFIX + "user:{" + userId + "}:groups";
  }

  @Override
  public Group create(String groupId, Group fields, String ownerId, List<String> memberIds, int maxMembers) {
    requireNonNull(fields, "fields");
    if (1 + memberIds.size() > maxMembers) {
      throw GroupErrors.full(maxMembers);
    }
    long now = clock.millis();
    List<String> everyone = new ArrayList<>();
    everyone.add(ownerId);
    everyone.addAll(memberIds);
    markPending(everyone, groupId, now);
    List<String> args = new ArrayList<>(List.of(fields.getName(), fields.getNotice(), fields.getAvatarUrl(),
        Integer.toString(fields.getJoinPolicyValue()), ownerId, Integer.toString(maxMembers), Long.toString(now)));
    args.addAll(memberIds);
    List<String> reply = write(CREATE, groupId, args);
    if (!isOk(reply)) {
      reconcile(groupId, everyone, now);
      if ("RESOURCE_ALREADY_EXISTS".equals(reply.get(0))) {
        throw new IllegalStateException("group id collision: " + groupId);
      }
      throw refusal(reply);
    }
    List<IndexEntry> joined = new ArrayList<>();
    for (int i = 1; i < reply.size(); i += 2) {
      joined.add(new IndexEntry(reply.get(i), millis(reply.get(i + 1))));
    }
    settle(groupId, joined);
    return GroupMessages.group(groupId, fields.getName(), fields.getNotice(), fields.getAvatarUrl(),
        fields.getJoinPolicy(), ownerId, (reply.size() - 1) / 2, maxMembers, now, now);
  }

  @Override
  public Optional<Membership> find(String groupId, String userId) {
    long now = clock.millis();
    List<String> reply = read(VIEW, groupId, List.of(userId == null ? "" : userId, Long.toString(now)));
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    Group group = group(groupId, reply, 0);
    Member member = reply.size() > GROUP_VIEW_SIZE ? member(userId, reply, GROUP_VIEW_SIZE, now) : null;
    return Optional.of(new Membership(group, member));
  }

  @Override
  public Group update(String groupId, String actorId, Group values, Set<String> paths) {
    List<String> args = new ArrayList<>(List.of(actorId, Long.toString(clock.millis())));
    for (String path : paths) {
      switch (path) {
        case "name" -> args.addAll(List.of("name", values.getName()));
        case "notice" -> args.addAll(List.of("notice", values.getNotice()));
        case "avatar_url" -> args.addAll(List.of("avatar", values.getAvatarUrl()));
        case "join_policy" -> args.addAll(List.of("policy", Integer.toString(values.getJoinPolicyValue())));
        default -> throw new IllegalArgumentException("not an updatable field: " + path);
      }
    }
    return group(groupId, checked(write(UPDATE, groupId, args)), 1);
  }

  @Override
  public void dismiss(String groupId, String actorId) {
    List<String> reply = checked(write(DISMISS, groupId, List.of(actorId)));
    byte[] member = bytes(groupId);
    bestEffort(() -> {
      try (AbstractPipeline pipeline = jedis.pipelined()) {
        for (int i = 1; i < reply.size(); i += 2) {
          pipeline.zrem(bytes(indexKey(reply.get(i))), member);
        }
        pipeline.sync();
      }
      return null;
    }, "drop the dismissed group from its members' indexes", groupId);
  }

  @Override
  public AddedMembers invite(String groupId, String actorId, List<String> userIds) {
    long now = clock.millis();
    markPending(userIds, groupId, now);
    List<String> args = new ArrayList<>(List.of("invite", actorId, Long.toString(now)));
    args.addAll(userIds);
    List<String> reply = write(ADD, groupId, args);
    if (!isOk(reply)) {
      reconcile(groupId, userIds, now);
      throw refusal(reply);
    }
    int addedCount = Integer.parseInt(reply.get(1));
    List<Member> added = new ArrayList<>();
    List<String> already = new ArrayList<>();
    List<IndexEntry> joined = new ArrayList<>();
    for (int i = 2, n = 0; i < reply.size(); i += 2, n++) {
      String userId = reply.get(i);
      long joinMs = millis(reply.get(i + 1));
      joined.add(new IndexEntry(userId, joinMs));
      if (n < addedCount) {
        added.add(GroupMessages.member(userId, GroupRole.MEMBER, joinMs, 0, now));
      } else {
        already.add(userId);
      }
    }
    settle(groupId, joined);
    return new AddedMembers(added, already);
  }

  @Override
  public Member join(String groupId, String userId) {
    long now = clock.millis();
    markPending(List.of(userId), groupId, now);
    List<String> reply = write(ADD, groupId, List.of("join", userId, Long.toString(now)));
    if (!isOk(reply)) {
      reconcile(groupId, List.of(userId), now);
      throw refusal(reply);
    }
    long joinMs = millis(reply.get(3));
    settle(groupId, List.of(new IndexEntry(userId, joinMs)));
    return GroupMessages.member(userId, GroupRole.MEMBER, joinMs, 0, now);
  }

  @Override
  public Member leave(String groupId, String userId) {
    return endMembership(groupId, "leave", userId, userId);
  }

  @Override
  public Member remove(String groupId, String actorId, String targetId) {
    return endMembership(groupId, "remove", actorId, targetId);
  }

  private Member endMembership(String groupId, String mode, String actorId, String targetId) {
    long now = clock.millis();
    List<String> reply = checked(write(REMOVE, groupId, List.of(mode, actorId, targetId, Long.toString(now))));
    Member ended = member(targetId, reply, 1, now);
    unindex(targetId, groupId, Timestamps.toMillis(ended.getJoinTime()));
    return ended;
  }

  @Override
  public Member setRole(String groupId, String actorId, String targetId, GroupRole role) {
    if (role != GroupRole.MEMBER && role != GroupRole.ADMIN) {
      throw new IllegalArgumentException("role must be MEMBER or ADMIN: " + role);
    }
    long now = clock.millis();
    List<String> reply = checked(write(SET_ROLE, groupId,
        List.of(actorId, targetId, Integer.toString(role.getNumber()), Long.toString(now))));
    return member(targetId, reply, 1, now);
  }

  @Override
  public Group transferOwnership(String groupId, String actorId, String newOwnerId) {
    return group(groupId, checked(write(TRANSFER, groupId,
        List.of(actorId, newOwnerId, Long.toString(clock.millis())))), 1);
  }

  @Override
  public Member mute(String groupId, String actorId, String targetId, Instant until) {
    long now = clock.millis();
    String untilMs = until == null ? "" : Long.toString(until.toEpochMilli());
    List<String> reply = checked(write(MUTE, groupId, List.of(actorId, targetId, untilMs, Long.toString(now))));
    return member(targetId, reply, 1, now);
  }

  @Override
  public Page<Member> listMembers(String groupId, String actorId, String cursor, int limit) {
    long now = clock.millis();
    List<String> reply = checked(read(MEMBERS, groupId, List.of(actorId == null ? "" : actorId,
        afterArg(cursor), Integer.toString(limit + 1), Long.toString(now), "1")));
    List<Member> members = new ArrayList<>();
    String last = null;
    for (int i = 1; i < reply.size(); i += 4) {
      if (members.size() == limit) {
        return new Page<>(members, last);
      }
      String userId = reply.get(i);
      GroupRole role = GroupRole.forNumber(Integer.parseInt(reply.get(i + 2)));
      String mute = reply.get(i + 3);
      members.add(GroupMessages.member(userId, role, millis(reply.get(i + 1)),
          mute.isEmpty() ? 0 : millis(mute), now));
      last = Long.toString(millis(reply.get(i + 1)));
    }
    return new Page<>(members, null);
  }

  @Override
  public Optional<Page<String>> listMemberIds(String groupId, String cursor, int limit) {
    List<String> reply = read(MEMBERS, groupId,
        List.of("", afterArg(cursor), Integer.toString(limit + 1), Long.toString(clock.millis()), "0"));
    if (!isOk(reply)) {
      if ("GROUP_NOT_FOUND".equals(reply.get(0))) {
        return Optional.empty();
      }
      throw refusal(reply);
    }
    List<String> ids = new ArrayList<>();
    String last = null;
    for (int i = 1; i < reply.size(); i += 2) {
      if (ids.size() == limit) {
        return Optional.of(new Page<>(ids, last));
      }
      ids.add(reply.get(i));
      last = Long.toString(millis(reply.get(i + 1)));
    }
    return Optional.of(new Page<>(ids, null));
  }

  @Override
  public Page<Group> listGroups(String userId, String cursor, int limit) {
    Page.IndexPosition after = Page.IndexPosition.parse(cursor);
    byte[] key = bytes(indexKey(userId));
    List<Group> groups = new ArrayList<>();
    Page.IndexPosition last = null;
    Page.IndexPosition scanned = after;
    while (true) {
      List<Page.IndexPosition> batch = indexBatch(key, scanned);
      if (batch.isEmpty()) {
        return new Page<>(groups, null);
      }
      for (Page.IndexPosition position : batch) {
        scanned = position;
        Optional<Membership> membership = find(position.groupId(), userId);
        if (membership.isEmpty() || !membership.get().isMember()) {
          if (!isInFlight(position)) {
            unindex(userId, position.groupId(), position.score());
          }
          continue;
        }
        long joinMs = Timestamps.toMillis(membership.get().member().getJoinTime());
        if (joinMs != position.score()) {
          settle(position.groupId(), List.of(new IndexEntry(userId, joinMs)));
        }
        if (groups.size() == limit) {
          return new Page<>(groups, last.cursor());
        }
        groups.add(membership.get().group());
        last = position;
      }
    }
  }

  /**
   * Whether a pending entry may belong to a call still running, whose join has not happened yet:
   * dropping it then could lose the membership if that call died before recording its join time.
   */
  private boolean isInFlight(Page.IndexPosition position) {
    return position.score() < 0 && clock.millis() + position.score() < PENDING_GRACE.toMillis();
  }

  /**
   * The next entries of a user's index after {@code after} (null: from the top), in index order:
   * every entry tied with {@code after}'s score and a smaller id, then up to a batch of lower scores.
   */
  private List<Page.IndexPosition> indexBatch(byte[] key, Page.IndexPosition after) {
    List<Page.IndexPosition> batch = new ArrayList<>();
    byte[] top = bytes("+inf");
    if (after != null) {
      byte[] score = bytes(Long.toString(after.score()));
      for (Tuple tie : redis.read(() -> jedis.zrangeWithScores(key, byScore(score, score)))) {
        if (tie.getElement().compareTo(after.groupId()) < 0) {
          batch.add(new Page.IndexPosition((long) tie.getScore(), tie.getElement()));
        }
      }
      batch.sort(Comparator.comparing(Page.IndexPosition::groupId, Comparator.reverseOrder()));
      top = bytes("(" + after.score());
    }
    // ZRANGE key <top> -inf BYSCORE REV LIMIT 0 n: with REV, the first bound is the highest.
    byte[] from = top;
    for (Tuple tuple : redis.read(() -> jedis.zrangeWithScores(key, byScore(from, bytes("-inf")).rev()
        .limit(0, INDEX_BATCH)))) {
      batch.add(new Page.IndexPosition((long) tuple.getScore(), tuple.getElement()));
    }
    return batch;
  }

  private static ZRangeParams byScore(byte[] first, byte[] second) {
    return new ZRangeParams(Protocol.Keyword.BYSCORE, first, second);
  }

  @Override
  public void close() {
    // The client belongs to the platform.
  }

  /** Step 1 of the index protocol: a pending entry, minus {@code nowMs}, for each user; must succeed. */
  private void markPending(List<String> userIds, String groupId, long nowMs) {
    List<IndexEntry> pending = userIds.stream().map(userId -> new IndexEntry(userId, -nowMs)).toList();
    redis.write(() -> zaddEach(groupId, pending, null));
  }

  /** After a refused join: members get their join time, the others lose the pending entry written at {@code nowMs}. */
  private void reconcile(String groupId, List<String> userIds, long nowMs) {
    List<Double> joined;
    try {
      byte[] joinedKey = bytes(groupKeys(groupId).get(1));
      byte[][] members = userIds.stream().map(RedisGroupStore::bytes).toArray(byte[][]::new);
      joined = redis.read(() -> jedis.zmscore(joinedKey, members));
    } catch (RuntimeException e) {
      logger.warn("could not reconcile the indexes of {} users with group {}; reads will repair them",
          userIds.size(), groupId, e);
      return;
    }
    List<IndexEntry> members = new ArrayList<>();
    for (int i = 0; i < userIds.size(); i++) {
      Double joinMs = joined.get(i);
      if (joinMs != null) {
        members.add(new IndexEntry(userIds.get(i), joinMs.longValue()));
      } else {
        unindex(userIds.get(i), groupId, -nowMs);
      }
    }
    settle(groupId, members);
  }

  /** Records memberships' join times in their users' indexes, unless a newer one is already there. */
  private void settle(String groupId, List<IndexEntry> joined) {
    if (!joined.isEmpty()) {
      bestEffort(() -> zaddEach(groupId, joined, ZAddParams.zAddParams().gt()), "record join times in users' indexes",
          groupId);
    }
  }

  /** Drops a group from a user's index if its score is still {@code score}; package-private for the index tests. */
  void unindex(String userId, String groupId, long score) {
    bestEffort(() -> UNINDEX.run(jedis, List.of(bytes(indexKey(userId))),
        List.of(bytes(groupId), bytes(Long.toString(score)))), "drop an ended membership from a user's index", groupId);
  }

  /** {@code ZADD} of {@code groupId} into each entry's user index, in one pipeline (which spans nodes on a Cluster). */
  private Void zaddEach(String groupId, List<IndexEntry> entries, ZAddParams params) {
    byte[] member = bytes(groupId);
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      for (IndexEntry entry : entries) {
        byte[] key = bytes(indexKey(entry.userId()));
        if (params == null) {
          pipeline.zadd(key, entry.score(), member);
        } else {
          pipeline.zadd(key, entry.score(), member, params);
        }
      }
      pipeline.sync();
    }
    return null;
  }

  private void bestEffort(Supplier<?> command, String what, String groupId) {
    try {
      redis.write(command);
    } catch (RuntimeException e) {
      logger.warn("could not {} (group {}); reads will repair it", what, groupId, e);
    }
  }

  /** An entry of a user's index of groups: the user and the score of the group in it. */
  private record IndexEntry(String userId, long score) {}

  private List<String> write(RedisScript script, String groupId, List<String> args) {
    return strings(redis.write(() -> script.run(jedis, keys(groupId), args(args))));
  }

  private List<String> read(RedisScript script, String groupId, List<String> args) {
    return strings(redis.read(() -> script.run(jedis, keys(groupId), args(args))));
  }

  private static List<String> checked(List<String> reply) {
    if (!isOk(reply)) {
      throw refusal(reply);
    }
    return reply;
  }

  private static boolean isOk(List<String> reply) {
    return !reply.isEmpty() && "OK".equals(reply.get(0));
  }

  private static ParleyException refusal(List<String> reply) {
    return GroupErrors.fromScript(reply.get(0), reply.size() > 1 ? reply.get(1) : null);
  }

  /** The group view of a script reply, from index {@code from}: name, notice, avatar, policy, owner, max, created, updated, count. */
  private static Group group(String groupId, List<String> v, int from) {
    return GroupMessages.group(groupId, v.get(from), v.get(from + 1), v.get(from + 2),
        JoinPolicy.forNumber(Integer.parseInt(v.get(from + 3))), v.get(from + 4),
        Integer.parseInt(v.get(from + 8)), Integer.parseInt(v.get(from + 5)),
        millis(v.get(from + 6)), millis(v.get(from + 7)));
  }

  /** The member view of a script reply, from index {@code from}: role, join time, mute until or empty. */
  private static Member member(String userId, List<String> v, int from, long nowMs) {
    String mute = v.get(from + 2);
    return GroupMessages.member(userId, GroupRole.forNumber(Integer.parseInt(v.get(from))), millis(v.get(from + 1)),
        mute.isEmpty() ? 0 : millis(mute), nowMs);
  }

  /** Epoch milliseconds as Redis renders a score or as we stored them. */
  private static long millis(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return (long) Double.parseDouble(value);
    }
  }

  private static String afterArg(String cursor) {
    long after = Page.afterJoin(cursor);
    return after == Long.MIN_VALUE ? "" : Long.toString(after);
  }

  private static List<byte[]> keys(String groupId) {
    return groupKeys(groupId).stream().map(RedisGroupStore::bytes).toList();
  }

  private static List<byte[]> args(List<String> args) {
    return args.stream().map(RedisGroupStore::bytes).toList();
  }

  private static List<String> strings(Object reply) {
    if (!(reply instanceof List<?> list)) {
      throw new IllegalStateException("a group script answered " + reply + " instead of a list");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object item : list) {
      if (item instanceof byte[] b) {
        out.add(new String(b, UTF_8));
      } else if (item instanceof Long l) {
        out.add(Long.toString(l));
      } else {
        out.add(item == null ? "" : item.toString());
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String source(String name) {
    try (InputStream in = RedisGroupStore.class.getResourceAsStream("lua/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource lua/" + name);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + name, e);
    }
  }

  private static RedisScript groupScript(String name) {
    return RedisScript.of(name, PRELUDE + "\n" + source(name));
  }
}
