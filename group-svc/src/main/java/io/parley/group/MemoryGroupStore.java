package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A {@link GroupStore} in this process, for the embedded default: data is lost on exit.
 *
 * <p>Each group is guarded by its own monitor: a change takes it, checks and writes, and releases
 * it, so changes to one group serialize and changes to different groups run in parallel. A user's
 * index of groups is changed only under the lock of the group concerned, in the same step as the
 * membership, so it is exact; {@link #listGroups} still checks each group it returns, since the
 * group may change between reading the index and reading the group. Thread-safe.
 */
final class MemoryGroupStore implements GroupStore {
  private final Clock clock;
  private final ConcurrentMap<String, GroupState> groups = new ConcurrentHashMap<>();
  /** User id to (group id to join time). Entries change only under the lock of their group. */
  private final ConcurrentMap<String, ConcurrentMap<String, Long>> groupsByUser = new ConcurrentHashMap<>();

  MemoryGroupStore(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Group create(String groupId, Group fields, String ownerId, List<String> memberIds, int maxMembers) {
    requireNonNull(fields, "fields");
    if (1 + memberIds.size() > maxMembers) {
      throw GroupErrors.full(maxMembers);
    }
    long now = clock.millis();
    GroupState state = new GroupState(groupId, fields, ownerId, maxMembers, now);
    synchronized (state) {
      if (groups.putIfAbsent(groupId, state) != null) {
        throw new IllegalStateException("group id collision: " + groupId);
      }
      state.add(ownerId, GroupRole.OWNER, now);
      for (String memberId : memberIds) {
        if (!state.members.containsKey(memberId)) {
          state.add(memberId, GroupRole.MEMBER, now);
        }
      }
      return state.toGroup();
    }
  }

  @Override
  public Optional<Membership> find(String groupId, String userId) {
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      if (state.dismissed) {
        return Optional.empty();
      }
      MemberState member = userId == null ? null : state.members.get(userId);
      return Optional.of(new Membership(state.toGroup(), member == null ? null : member.toMember(clock.millis())));
    }
  }

  @Override
  public Group update(String groupId, String actorId, Group values, Set<String> paths) {
    return withGroup(groupId, state -> {
      state.requireRole(actorId, GroupRole.ADMIN);
      for (String path : paths) {
        switch (path) {
          case "name" -> state.name = values.getName();
          case "notice" -> state.notice = values.getNotice();
          case "avatar_url" -> state.avatarUrl = values.getAvatarUrl();
          case "join_policy" -> state.policy = values.getJoinPolicy();
          default -> throw new IllegalArgumentException("not an updatable field: " + path);
        }
      }
      state.updatedMs = clock.millis();
      return state.toGroup();
    });
  }

  @Override
  public void dismiss(String groupId, String actorId) {
    withGroup(groupId, state -> {
      state.requireRole(actorId, GroupRole.OWNER);
      state.dismissed = true;
      groups.remove(groupId, state);
      state.members.keySet().forEach(userId -> unindex(userId, groupId));
      return null;
    });
  }

  @Override
  public AddedMembers invite(String groupId, String actorId, List<String> userIds) {
    return withGroup(groupId, state -> {
      state.requireRole(actorId, GroupRole.ADMIN);
      List<String> fresh = new ArrayList<>();
      List<String> already = new ArrayList<>();
      for (String userId : new LinkedHashSet<>(userIds)) {
        if (state.members.containsKey(userId)) {
          already.add(userId);
        } else {
          fresh.add(userId);
        }
      }
      if (state.members.size() + fresh.size() > state.maxMembers) {
        throw GroupErrors.full(state.maxMembers);
      }
      long now = clock.millis();
      List<Member> added = new ArrayList<>();
      for (String userId : fresh) {
        added.add(state.add(userId, GroupRole.MEMBER, now).toMember(now));
      }
      return new AddedMembers(added, already);
    });
  }

  @Override
  public Member join(String groupId, String userId) {
    return withGroup(groupId, state -> {
      if (state.members.containsKey(userId)) {
        throw GroupErrors.alreadyMember();
      }
      if (state.policy != JoinPolicy.OPEN) {
        throw GroupErrors.inviteOnly();
      }
      if (state.members.size() + 1 > state.maxMembers) {
        throw GroupErrors.full(state.maxMembers);
      }
      long now = clock.millis();
      return state.add(userId, GroupRole.MEMBER, now).toMember(now);
    });
  }

  @Override
  public Member leave(String groupId, String userId) {
    return withGroup(groupId, state -> {
      if (state.requireMember(userId).role == GroupRole.OWNER) {
        throw GroupErrors.ownerCannotLeave();
      }
      return state.remove(userId).toMember(clock.millis());
    });
  }

  @Override
  public Member remove(String groupId, String actorId, String targetId) {
    return withGroup(groupId, state -> {
      GroupRole actor = state.requireRole(actorId, GroupRole.ADMIN).role;
      MemberState target = state.requireTarget(targetId);
      if (!Membership.outranks(actor, target.role)) {
        throw GroupErrors.roleInsufficient();
      }
      return state.remove(targetId).toMember(clock.millis());
    });
  }

  @Override
  public Member setRole(String groupId, String actorId, String targetId, GroupRole role) {
    if (role != GroupRole.MEMBER && role != GroupRole.ADMIN) {
      throw new IllegalArgumentException("role must be MEMBER or ADMIN: " + role);
    }
    return withGroup(groupId, state -> {
      state.requireRole(actorId, GroupRole.OWNER);
      MemberState target = state.requireTarget(targetId);
      if (target.role == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      target.role = role;
      return target.toMember(clock.millis());
    });
  }

  @Override
  public Group transferOwnership(String groupId, String actorId, String newOwnerId) {
    return withGroup(groupId, state -> {
      MemberState owner = state.requireRole(actorId, GroupRole.OWNER);
      MemberState target = state.requireTarget(newOwnerId);
      if (target.role == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      owner.role = GroupRole.ADMIN;
      target.role = GroupRole.OWNER;
      target.muteUntilMs = 0;
      state.ownerId = newOwnerId;
      state.updatedMs = clock.millis();
      return state.toGroup();
    });
  }

  @Override
  public Member mute(String groupId, String actorId, String targetId, Instant until) {
    return withGroup(groupId, state -> {
      GroupRole actor = state.requireRole(actorId, GroupRole.ADMIN).role;
      MemberState target = state.requireTarget(targetId);
      if (!Membership.outranks(actor, target.role)) {
        throw GroupErrors.roleInsufficient();
      }
      long now = clock.millis();
      target.muteUntilMs = until == null || until.toEpochMilli() <= now ? 0 : until.toEpochMilli();
      return target.toMember(now);
    });
  }

  @Override
  public Page<Member> listMembers(String groupId, String actorId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    return withGroup(groupId, state -> {
      if (actorId != null) {
        state.requireMember(actorId);
      }
      long now = clock.millis();
      List<Member> members = new ArrayList<>();
      long lastJoin = 0;
      for (Map.Entry<Long, String> entry : state.byJoin.tailMap(after, false).entrySet()) {
        if (members.size() == limit) {
          return new Page<>(members, Long.toString(lastJoin));
        }
        members.add(state.members.get(entry.getValue()).toMember(now));
        lastJoin = entry.getKey();
      }
      return new Page<>(members, null);
    });
  }

  @Override
  public Optional<Page<String>> listMemberIds(String groupId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      if (state.dismissed) {
        return Optional.empty();
      }
      List<String> ids = new ArrayList<>();
      long lastJoin = 0;
      for (Map.Entry<Long, String> entry : state.byJoin.tailMap(after, false).entrySet()) {
        if (ids.size() == limit) {
          return Optional.of(new Page<>(ids, Long.toString(lastJoin)));
        }
        ids.add(entry.getValue());
        lastJoin = entry.getKey();
      }
      return Optional.of(new Page<>(ids, null));
    }
  }

  @Override
  public Page<Group> listGroups(String userId, String cursor, int limit) {
    Page.IndexPosition after = Page.IndexPosition.parse(cursor);
    List<Page.IndexPosition> positions = new ArrayList<>();
    groupsByUser.getOrDefault(userId, new ConcurrentHashMap<>())
        .forEach((groupId, joinMs) -> positions.add(new Page.IndexPosition(joinMs, groupId)));
    positions.sort(Comparator.comparingLong(Page.IndexPosition::score).reversed()
        .thenComparing(Page.IndexPosition::groupId, Comparator.reverseOrder()));
    List<Group> groupsOfUser = new ArrayList<>();
    Page.IndexPosition last = null;
    for (Page.IndexPosition position : positions) {
      if (after != null && !position.isAfter(after)) {
        continue;
      }
      Optional<Membership> membership = find(position.groupId(), userId);
      if (membership.isEmpty() || !membership.get().isMember()) {
        continue;
      }
      if (groupsOfUser.size() == limit) {
        return new Page<>(groupsOfUser, last.cursor());
      }
      groupsOfUser.add(membership.get().group());
      last = position;
    }
    return new Page<>(groupsOfUser, null);
  }

  @Override
  public void close() {
    // Nothing to release: the data goes with the process.
  }

  /** Runs {@code body} holding the group's lock; GROUP_NOT_FOUND if there is no such group. */
  private <T> T withGroup(String groupId, Function<GroupState, T> body) {
    GroupState state = groups.get(groupId);
    if (state == null) {
      throw GroupErrors.groupNotFound();
    }
    synchronized (state) {
      if (state.dismissed) {
        throw GroupErrors.groupNotFound();
      }
      return body.apply(state);
    }
  }

  private void index(String userId, String groupId, long joinMs) {
    groupsByUser.compute(userId, (id, groups) -> {
      ConcurrentMap<String, Long> map = groups == null ? new ConcurrentHashMap<>() : groups;
      map.put(groupId, joinMs);
      return map;
    });
  }

  private void unindex(String userId, String groupId) {
    groupsByUser.computeIfPresent(userId, (id, groups) -> {
      groups.remove(groupId);
      return groups.isEmpty() ? null : groups;
    });
  }

  /** A member's state; guarded by its group's monitor. */
  private static final class MemberState {
    final String userId;
    final long joinMs;
    GroupRole role;
    long muteUntilMs;

    MemberState(String userId, GroupRole role, long joinMs) {
      this.userId = userId;
      this.role = role;
      this.joinMs = joinMs;
    }

    Member toMember(long nowMs) {
      return GroupMessages.member(userId, role, joinMs, muteUntilMs, nowMs);
    }
  }

  /** A group's state; every field is guarded by this object's monitor. */
  private final class GroupState {
    final String groupId;
    final int maxMembers;
    final long createdMs;
    final Map<String, MemberState> members = new HashMap<>();
    final TreeMap<Long, String> byJoin = new TreeMap<>();
    String name;
    String notice;
    String avatarUrl;
    JoinPolicy policy;
    String ownerId;
    long updatedMs;
    long lastJoinMs;
    boolean dismissed;

    GroupState(String groupId, Group fields, String ownerId, int maxMembers, long nowMs) {
      this.groupId = groupId;
      this.name = fields.getName();
      this.notice = fields.getNotice();
      this.avatarUrl = fields.getAvatarUrl();
      this.policy = fields.getJoinPolicy();
      this.ownerId = ownerId;
      this.maxMembers = maxMembers;
      this.createdMs = nowMs;
      this.updatedMs = nowMs;
    }

    MemberState add(String userId, GroupRole role, long nowMs) {
      long joinMs = Math.max(nowMs, lastJoinMs + 1);
      lastJoinMs = joinMs;
      MemberState member = new MemberState(userId, role, joinMs);
      members.put(userId, member);
      byJoin.put(joinMs, userId);
      index(userId, groupId, joinMs);
      return member;
    }

    MemberState remove(String userId) {
      MemberState member = members.remove(userId);
      byJoin.remove(member.joinMs);
      unindex(userId, groupId);
      return member;
    }

    MemberState requireMember(String userId) {
      MemberState member = members.get(userId);
      if (member == null) {
        throw GroupErrors.notMember(policy);
      }
      return member;
    }

    MemberState requireRole(String userId, GroupRole min) {
      MemberState member = requireMember(userId);
      if (Membership.rank(member.role) < Membership.rank(min)) {
        throw GroupErrors.roleInsufficient();
      }
      return member;
    }

    MemberState requireTarget(String userId) {
      MemberState member = members.get(userId);
      if (member == null) {
        throw GroupErrors.memberNotFound();
      }
      return member;
    }

    Group toGroup() {
      return GroupMessages.group(groupId, name, notice, avatarUrl, policy, ownerId, members.size(), maxMembers,
          createdMs, updatedMs);
    }
  }
}
