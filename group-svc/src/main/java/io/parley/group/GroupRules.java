package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.group.GroupStore.GroupTx;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;
import io.parley.group.v1.UserGroup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * group-svc's rules, written once: who may see and change a group, the order in which refusals
 * come, the member limit, ownership, mutes, join policies and join times. They run against a
 * {@link GroupStore}, which only persists.
 *
 * <p><b>Atomicity.</b> Every change checks the actor's role, the target's role, the member limit
 * and the group's existence and writes in one {@link GroupStore#change}, against the group's
 * current state, never against a copy read earlier. So concurrent calls, such as two admins adding
 * and removing at once, serialize per group: the member count always equals the member list and
 * never exceeds {@code max_members}, there is always exactly one owner, and a refusal changes
 * nothing (an invitation is all or nothing).
 *
 * <p><b>Order of checks.</b> Each change refuses with the first failing of: the group exists
 * (GROUP_NOT_FOUND); the actor is a member (NOT_GROUP_MEMBER for an OPEN group, GROUP_NOT_FOUND
 * otherwise); the actor's role suffices (GROUP_ROLE_INSUFFICIENT); the target is a member
 * (MEMBER_NOT_FOUND); the actor outranks the target ({@link #outranks}); the limit holds
 * (GROUP_FULL). Where new members must exist (CreateGroup, InviteMembers), the actor's role is
 * checked first, so that a stranger learns nothing through the user lookup, then user-svc is asked
 * ({@link UserDirectory}), then the change is made (checking everything again).
 *
 * <p><b>Who may see a group:</b> its members, and anyone if it is OPEN. Everyone else is answered
 * GROUP_NOT_FOUND, exactly as for a group that does not exist, which leaks less than
 * NOT_GROUP_MEMBER would (that would confirm that an unguessable group id is real). A stranger to an
 * OPEN group gets NOT_GROUP_MEMBER where membership is needed, since such a group is public anyway.
 * The one exception: JoinGroup answers GROUP_INVITE_ONLY for an INVITE_ONLY group, which tells a
 * stranger that the group exists, and nothing more.
 *
 * <p><b>Join times</b> are distinct and increase in join order within a group: a join in the same
 * millisecond as the previous one is dated one millisecond later. They order the member list and
 * are its paging cursor. A user's groups come most recently joined first.
 *
 * <p>Arguments are validated by the caller (ids well formed); refusals are thrown as {@link
 * io.parley.error.ParleyException}s. Times come from the injected clock. Thread-safe.
 */
final class GroupRules {
  private final GroupStore store;
  private final UserDirectory users;
  private final GroupSettings settings;
  private final Clock clock;

  GroupRules(GroupStore store, UserDirectory users, GroupSettings settings, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.users = requireNonNull(users, "users");
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Creates a group with {@code ownerId} as its owner, joined first, and the other distinct ids of
   * {@code memberIds} as members, joined in list order. GROUP_FULL beyond the settings' limit, then
   * USER_NOT_FOUND (field {@code member_ids}) if a member does not exist.
   *
   * @param fields name, notice, avatar_url and join_policy of the new group; the rest is ignored
   * @return the group, with a new id
   */
  Group create(Group fields, String ownerId, List<String> memberIds) {
    requireNonNull(fields, "fields");
    List<String> others = distinct(memberIds);
    others.remove(ownerId);
    int maxMembers = settings.maxMembers();
    if (1 + others.size() > maxMembers) {
      throw GroupErrors.full(maxMembers);
    }
    users.requireExisting(others, "member_ids");
    long now = clock.millis();
    List<StoredMember> members = new ArrayList<>();
    long join = nextJoin(now, 0);
    members.add(new StoredMember(ownerId, GroupRole.OWNER, join, 0));
    for (String memberId : others) {
      join = nextJoin(now, join);
      members.add(new StoredMember(memberId, GroupRole.MEMBER, join, 0));
    }
    StoredGroup group = new StoredGroup(Ids.newId("g"), fields.getName(), fields.getNotice(), fields.getAvatarUrl(),
        fields.getJoinPolicy(), ownerId, members.size(), maxMembers, now, now, join);
    store.insert(group, members);
    return group.toGroup();
  }

  /** The group, if {@code userId} may see it; else GROUP_NOT_FOUND. */
  Group get(String groupId, String userId) {
    StoredMembership found = find(groupId, userId);
    if (found.member() == null && found.group().policy() != JoinPolicy.OPEN) {
      throw GroupErrors.groupNotFound();
    }
    return found.group().toGroup();
  }

  /**
   * Writes the fields of {@code values} named by {@code paths} (among {@code name}, {@code notice},
   * {@code avatar_url}, {@code join_policy}) and sets update_time. Admins and the owner.
   */
  Group update(String groupId, String actorId, Group values, Set<String> paths) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      requireRole(group, tx.member(actorId), GroupRole.ADMIN);
      String name = group.name();
      String notice = group.notice();
      String avatarUrl = group.avatarUrl();
      JoinPolicy policy = group.policy();
      for (String path : paths) {
        switch (path) {
          case "name" -> name = values.getName();
          case "notice" -> notice = values.getNotice();
          case "avatar_url" -> avatarUrl = values.getAvatarUrl();
          case "join_policy" -> policy = values.getJoinPolicy();
          default -> throw new IllegalArgumentException("not an updatable field: " + path);
        }
      }
      StoredGroup updated = group.withFields(name, notice, avatarUrl, policy, clock.millis());
      tx.updateGroup(updated);
      return updated.toGroup();
    });
  }

  /** Ends the group for everyone. The owner only. */
  void dismiss(String groupId, String actorId) {
    change(groupId, tx -> {
      requireRole(tx.group(), tx.member(actorId), GroupRole.OWNER);
      tx.deleteGroup();
      return Boolean.TRUE;
    });
  }

  /**
   * Adds every id of {@code userIds} that is not yet a member, all or none. Admins and the owner.
   * USER_NOT_FOUND (field {@code user_ids}) if one does not exist; GROUP_FULL if the new members
   * would exceed the limit.
   */
  AddedMembers invite(String groupId, String actorId, List<String> userIds) {
    StoredMembership before = find(groupId, actorId);
    requireRole(before.group(), Optional.ofNullable(before.member()), GroupRole.ADMIN);
    List<String> invited = distinct(userIds);
    users.requireExisting(invited, "user_ids");
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      List<String> asked = new ArrayList<>(invited);
      asked.add(actorId);
      Map<String, StoredMember> found = tx.members(distinct(asked));
      requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      List<String> fresh = new ArrayList<>();
      List<String> already = new ArrayList<>();
      for (String userId : invited) {
        (found.containsKey(userId) ? already : fresh).add(userId);
      }
      if (group.memberCount() + fresh.size() > group.maxMembers()) {
        throw GroupErrors.full(group.maxMembers());
      }
      long now = clock.millis();
      long join = group.lastJoinMs();
      List<StoredMember> added = new ArrayList<>();
      for (String userId : fresh) {
        join = nextJoin(now, join);
        added.add(new StoredMember(userId, GroupRole.MEMBER, join, 0));
      }
      if (!added.isEmpty()) {
        tx.addMembers(added);
        tx.updateGroup(group.withMembers(group.memberCount() + added.size(), join));
      }
      return new AddedMembers(added.stream().map(m -> m.toMember(now)).toList(), already);
    });
  }

  /**
   * Adds {@code userId} to an OPEN group. Refusals in order: GROUP_NOT_FOUND, ALREADY_GROUP_MEMBER,
   * GROUP_INVITE_ONLY (the group is not OPEN), GROUP_FULL.
   */
  Member join(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      if (tx.member(userId).isPresent()) {
        throw GroupErrors.alreadyMember();
      }
      if (group.policy() != JoinPolicy.OPEN) {
        throw GroupErrors.inviteOnly();
      }
      if (group.memberCount() + 1 > group.maxMembers()) {
        throw GroupErrors.full(group.maxMembers());
      }
      long now = clock.millis();
      StoredMember member = new StoredMember(userId, GroupRole.MEMBER, nextJoin(now, group.lastJoinMs()), 0);
      tx.addMembers(List.of(member));
      tx.updateGroup(group.withMembers(group.memberCount() + 1, member.joinMs()));
      return member.toMember(now);
    });
  }

  /** Removes {@code userId} itself; the owner cannot (OWNER_CANNOT_LEAVE). Returns the membership that ended. */
  Member leave(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      StoredMember me = requireRole(group, tx.member(userId), GroupRole.MEMBER);
      if (me.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerCannotLeave();
      }
      return end(tx, group, me);
    });
  }

  /** Removes {@code targetId}: admins remove members, the owner anyone else. Returns the membership that ended. */
  Member remove(String groupId, String actorId, String targetId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      StoredMember actor = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      StoredMember target = requireTarget(found.get(targetId));
      requireOutranks(actor, target);
      return end(tx, group, target);
    });
  }

  /**
   * Sets a member's role to MEMBER or ADMIN. The owner only; the owner's own role changes only by
   * {@link #transferOwnership} (FAILED_PRECONDITION).
   */
  Member setRole(String groupId, String actorId, String targetId, GroupRole role) {
    if (role != GroupRole.MEMBER && role != GroupRole.ADMIN) {
      throw new IllegalArgumentException("role must be MEMBER or ADMIN: " + role);
    }
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.OWNER);
      StoredMember target = requireTarget(found.get(targetId));
      if (target.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      StoredMember changed = target.withRole(role);
      if (!changed.equals(target)) {
        tx.updateMember(changed);
      }
      return changed.toMember(clock.millis());
    });
  }

  /**
   * Makes member {@code newOwnerId} the owner and the old owner an admin; a mute of the new owner
   * ends, since nobody mutes the owner. The owner only.
   */
  Group transferOwnership(String groupId, String actorId, String newOwnerId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, newOwnerId)));
      StoredMember owner = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.OWNER);
      StoredMember target = requireTarget(found.get(newOwnerId));
      if (target.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      tx.updateMember(owner.withRole(GroupRole.ADMIN));
      tx.updateMember(target.withRole(GroupRole.OWNER).withMuteUntil(0));
      StoredGroup transferred = group.withOwner(newOwnerId, clock.millis());
      tx.updateGroup(transferred);
      return transferred.toGroup();
    });
  }

  /**
   * Mutes {@code targetId} until {@code until}, or unmutes it if {@code until} is null or not after
   * now. Admins mute members; the owner mutes admins and members; nobody mutes the owner.
   */
  Member mute(String groupId, String actorId, String targetId, Instant until) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      StoredMember actor = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      StoredMember target = requireTarget(found.get(targetId));
      requireOutranks(actor, target);
      long now = clock.millis();
      long untilMs = until == null || until.toEpochMilli() <= now ? 0 : until.toEpochMilli();
      StoredMember muted = target.withMuteUntil(untilMs);
      tx.updateMember(muted);
      return muted.toMember(now);
    });
  }

  /**
   * Up to {@code limit} members in join order, after {@code cursor} (null for the first page), for
   * member {@code actorId} (refused as a non-member is).
   */
  Page<Member> listMembers(String groupId, String actorId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    StoredMembership found = find(groupId, actorId);
    requireRole(found.group(), Optional.ofNullable(found.member()), GroupRole.MEMBER);
    List<StoredMember> members = store.members(groupId, after, limit + 1).orElseThrow(GroupErrors::groupNotFound);
    long now = clock.millis();
    return page(members, limit, m -> m.toMember(now), m -> Long.toString(m.joinMs()));
  }

  /** Whether the group exists, and {@code userId}'s membership: for internal callers, no access check. */
  CheckMembershipResponse checkMembership(String groupId, String userId) {
    Optional<StoredMembership> found = store.find(groupId, userId);
    CheckMembershipResponse.Builder answer = CheckMembershipResponse.newBuilder().setGroupExists(found.isPresent());
    found.ifPresent(f -> answer.setJoinPolicy(f.group().policy()));
    StoredMember member = found.map(StoredMembership::member).orElse(null);
    if (member != null) {
      answer.setMember(true).setRole(member.role()).setJoinTime(Timestamps.fromMillis(member.joinMs()));
      if (member.muteUntilMs() > clock.millis()) {
        answer.setMuteUntil(Timestamps.fromMillis(member.muteUntilMs()));
      }
    }
    return answer.build();
  }

  /** Up to {@code limit} member ids in join order after {@code cursor}, or empty if the group does not exist. */
  Optional<Page<String>> listMemberIds(String groupId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    return store.members(groupId, after, limit + 1)
        .map(members -> page(members, limit, StoredMember::userId, m -> Long.toString(m.joinMs())));
  }

  /**
   * Up to {@code limit} groups {@code userId} is a member of, most recently joined first, after
   * {@code cursor} (null for the first page). A group dismissed while this reads is left out.
   */
  Page<Group> listGroups(String userId, String cursor, int limit) {
    Page<UserGroup> entries = listUserGroups(userId, cursor, limit);
    Map<String, StoredGroup> groups = store.groups(entries.items().stream().map(UserGroup::getGroupId).toList());
    List<Group> found = new ArrayList<>();
    for (UserGroup entry : entries.items()) {
      StoredGroup group = groups.get(entry.getGroupId());
      if (group != null) {
        found.add(group.toGroup());
      }
    }
    return new Page<>(found, entries.nextCursor());
  }

  /**
   * Up to {@code limit} of {@code userId}'s memberships (group, role, join time), most recently
   * joined first, after {@code cursor} (null for the first page).
   */
  Page<UserGroup> listUserGroups(String userId, String cursor, int limit) {
    Page.IndexPosition after = Page.IndexPosition.parse(cursor);
    return page(store.userGroups(userId, after, limit + 1), limit, Function.identity(),
        g -> new Page.IndexPosition(Timestamps.toMillis(g.getJoinTime()), g.getGroupId()).cursor());
  }

  /**
   * Whether {@code actor} may act on {@code target} in RemoveMember and MuteMember: admins act on
   * members, the owner on admins and members, nobody on the owner or on an equal.
   */
  static boolean outranks(GroupRole actor, GroupRole target) {
    return rank(actor) >= rank(GroupRole.ADMIN) && rank(actor) > rank(target);
  }

  /** 0 for no role, then member, admin, owner. */
  static int rank(GroupRole role) {
    return switch (role) {
      case MEMBER -> 1;
      case ADMIN -> 2;
      case OWNER -> 3;
      default -> 0;
    };
  }

  /** A join time for a new member: now, or one millisecond after the group's last join if that is not earlier. */
  static long nextJoin(long nowMs, long lastJoinMs) {
    return Math.max(nowMs, lastJoinMs + 1);
  }

  private <T> T change(String groupId, Function<GroupTx, T> work) {
    return store.change(groupId, work).orElseThrow(GroupErrors::groupNotFound);
  }

  private StoredMembership find(String groupId, String userId) {
    return store.find(groupId, userId).orElseThrow(GroupErrors::groupNotFound);
  }

  /** Ends membership {@code ended} and returns it as it was. */
  private Member end(GroupTx tx, StoredGroup group, StoredMember ended) {
    tx.removeMember(ended.userId());
    tx.updateGroup(group.withMembers(group.memberCount() - 1, group.lastJoinMs()));
    return ended.toMember(clock.millis());
  }

  /**
   * The actor's membership if its role is at least {@code min}; else, for a non-member,
   * NOT_GROUP_MEMBER (OPEN group) or GROUP_NOT_FOUND, and GROUP_ROLE_INSUFFICIENT for a member.
   */
  private static StoredMember requireRole(StoredGroup group, Optional<StoredMember> actor, GroupRole min) {
    if (actor.isEmpty()) {
      throw GroupErrors.notMember(group.policy());
    }
    if (rank(actor.get().role()) < rank(min)) {
      throw GroupErrors.roleInsufficient();
    }
    return actor.get();
  }

  private static StoredMember requireTarget(StoredMember target) {
    if (target == null) {
      throw GroupErrors.memberNotFound();
    }
    return target;
  }

  private static void requireOutranks(StoredMember actor, StoredMember target) {
    if (!outranks(actor.role(), target.role())) {
      throw GroupErrors.roleInsufficient();
    }
  }

  private static List<String> distinct(List<String> ids) {
    return new ArrayList<>(new LinkedHashSet<>(ids));
  }

  /**
   * The first {@code limit} of {@code rows} (fetched one beyond the page), and the cursor after the
   * last of them if there are more.
   */
  private static <R, T> Page<T> page(List<R> rows, int limit, Function<R, T> item, Function<R, String> cursor) {
    if (rows.size() <= limit) {
      return new Page<>(rows.stream().map(item).toList(), null);
    }
    List<R> shown = rows.subList(0, limit);
    return new Page<>(shown.stream().map(item).toList(), cursor.apply(shown.get(limit - 1)));
  }
}
