package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.GroupRole;
import io.parley.group.v1.UserGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link GroupStore} in this process, for the embedded default and fast tests: data is lost on
 * exit.
 *
 * <p>Each group is guarded by its own monitor. {@link #change} holds it while the work runs, records
 * the work's writes in a buffer that the work's reads see, and applies them to the group only when
 * the work returns; so changes to one group serialize, changes to different groups run in
 * parallel, and a refusal thrown half way changes nothing. A user's groups, pending invitations and
 * pending join requests are kept in indexes per user, changed only under the lock of the group
 * concerned, in the same step as the group's own rows. {@link GroupTx#lockUsers} takes one lock for
 * all users (after the group's monitor, never before), held until the change is applied: in one
 * process, changes that raise a user's holdings are rare enough to share it. Thread-safe.
 */
final class MemoryGroupStore implements GroupStore {
  /** Listing order: time descending, then id descending. */
  private static final Comparator<Page.Position> NEWEST_FIRST =
      Comparator.comparingLong(Page.Position::timeMs).reversed()
          .thenComparing(Page.Position::id, Comparator.reverseOrder());

  private final ConcurrentMap<String, GroupState> groups = new ConcurrentHashMap<>();
  /** User id to its groups. An entry changes only under the lock of its group. */
  private final Index<UserGroup> groupsByUser = new Index<>();
  /** Invitee id to its pending invitations, by creation time and group id. */
  private final Index<StoredInvitation> invitationsByUser = new Index<>();
  /** Requester id to its pending join requests, by creation time and group id. */
  private final Index<StoredJoinRequest> requestsByUser = new Index<>();
  /** Held by a change that locked users, from {@link GroupTx#lockUsers} until the change is applied. */
  private final ReentrantLock usersLock = new ReentrantLock();

  @Override
  public <T> T create(StoredGroup group, Function<GroupTx, T> work) {
    requireNonNull(work, "work");
    GroupState state = new GroupState(requireNonNull(group, "group"));
    synchronized (state) {
      if (groups.containsKey(group.groupId())) {
        throw new IllegalStateException("group id collision: " + group.groupId());
      }
      BufferedTx tx = new BufferedTx(state);
      try {
        T result = requireNonNull(work.apply(tx), "the result of a change");
        if (groups.putIfAbsent(group.groupId(), state) != null) {
          throw new IllegalStateException("group id collision: " + group.groupId());
        }
        tx.apply();
        return result;
      } finally {
        tx.releaseUsers();
      }
    }
  }

  @Override
  public <T> Optional<T> change(String groupId, Function<GroupTx, T> work) {
    requireNonNull(work, "work");
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      if (state.deleted) {
        return Optional.empty();
      }
      BufferedTx tx = new BufferedTx(state);
      try {
        T result = requireNonNull(work.apply(tx), "the result of a change");
        tx.apply();
        return Optional.of(result);
      } finally {
        tx.releaseUsers();
      }
    }
  }

  @Override
  public Optional<StoredMembership> find(String groupId, String userId) {
    return read(groupId, state -> new StoredMembership(state.group, userId == null ? null : state.members.get(userId)));
  }

  @Override
  public Optional<StoredInvitation> invitation(String groupId, String userId) {
    return read(groupId, state -> state.invitations.get(userId));
  }

  @Override
  public Optional<List<StoredMember>> members(String groupId, long afterJoinMs, int limit) {
    return read(groupId, state -> {
      List<StoredMember> page = new ArrayList<>();
      for (String userId : state.byJoin.tailMap(afterJoinMs, false).values()) {
        if (page.size() == limit) {
          break;
        }
        page.add(state.members.get(userId));
      }
      return page;
    });
  }

  @Override
  public List<String> staffIds(String groupId, int limit) {
    return read(groupId, state -> {
      List<String> staff = new ArrayList<>(List.of(state.group.ownerId()));
      for (String userId : state.byJoin.values()) {
        if (staff.size() >= limit) {
          break;
        }
        if (state.members.get(userId).role() == GroupRole.ADMIN) {
          staff.add(userId);
        }
      }
      return staff.subList(0, Math.min(limit, staff.size()));
    }).orElse(List.of());
  }

  @Override
  public Map<String, StoredGroup> groups(Collection<String> groupIds) {
    Map<String, StoredGroup> found = new HashMap<>();
    for (String groupId : groupIds) {
      find(groupId, null).ifPresent(m -> found.put(groupId, m.group()));
    }
    return found;
  }

  @Override
  public List<UserGroup> userGroups(String userId, Page.Position after, int limit) {
    return groupsByUser.page(userId, after, limit);
  }

  @Override
  public boolean sharesGroup(String userIdA, String userIdB) {
    Set<String> groupsOfB = new HashSet<>();
    groupsByUser.all(userIdB).forEach(g -> groupsOfB.add(g.getGroupId()));
    return groupsByUser.all(userIdA).stream().anyMatch(g -> groupsOfB.contains(g.getGroupId()));
  }

  @Override
  public List<StoredInvitation> groupInvitations(String groupId, Page.Position after, int limit) {
    return read(groupId, state -> page(state.pendingInvitations, after, limit)).orElse(List.of());
  }

  @Override
  public List<StoredInvitation> userInvitations(String userId, Page.Position after, int limit) {
    return invitationsByUser.page(userId, after, limit);
  }

  @Override
  public List<StoredJoinRequest> groupJoinRequests(String groupId, Page.Position after, int limit) {
    return read(groupId, state -> page(state.pendingRequests, after, limit)).orElse(List.of());
  }

  @Override
  public List<StoredJoinRequest> userJoinRequests(String userId, Page.Position after, int limit) {
    return requestsByUser.page(userId, after, limit);
  }

  @Override
  public void close() {
    // Nothing to release: the data goes with the process.
  }

  private <R> Optional<R> read(String groupId, Function<GroupState, R> reader) {
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      return state.deleted ? Optional.empty() : Optional.ofNullable(reader.apply(state));
    }
  }

  private static <V> List<V> page(NavigableMap<Page.Position, V> map, Page.Position after, int limit) {
    Map<Page.Position, V> view = after == null ? map : map.tailMap(after, false);
    return view.values().stream().limit(limit).toList();
  }

  /** Per user, entries newest first; an entry changes only under the lock of its group. */
  private static final class Index<V> {
    private final ConcurrentMap<String, ConcurrentSkipListMap<Page.Position, V>> byUser = new ConcurrentHashMap<>();

    void put(String userId, Page.Position position, V value) {
      byUser.compute(userId, (id, index) -> {
        ConcurrentSkipListMap<Page.Position, V> map = index == null ? new ConcurrentSkipListMap<>(NEWEST_FIRST) : index;
        map.put(position, value);
        return map;
      });
    }

    void remove(String userId, Page.Position position) {
      byUser.computeIfPresent(userId, (id, index) -> {
        index.remove(position);
        return index.isEmpty() ? null : index;
      });
    }

    List<V> page(String userId, Page.Position after, int limit) {
      ConcurrentSkipListMap<Page.Position, V> index = byUser.get(userId);
      return index == null ? List.of() : MemoryGroupStore.page(index, after, limit);
    }

    Collection<V> all(String userId) {
      ConcurrentSkipListMap<Page.Position, V> index = byUser.get(userId);
      return index == null ? List.of() : index.values();
    }
  }

  /** A group's state; every field is guarded by this object's monitor. */
  private final class GroupState {
    final Map<String, StoredMember> members = new HashMap<>();
    final TreeMap<Long, String> byJoin = new TreeMap<>();
    /** Invitee id to its invitation, pending or declined. */
    final Map<String, StoredInvitation> invitations = new HashMap<>();
    final TreeMap<Page.Position, StoredInvitation> pendingInvitations = new TreeMap<>(NEWEST_FIRST);
    /** Requester id to its join request, pending or rejected. */
    final Map<String, StoredJoinRequest> requests = new HashMap<>();
    final TreeMap<Page.Position, StoredJoinRequest> pendingRequests = new TreeMap<>(NEWEST_FIRST);
    StoredGroup group;
    boolean deleted;

    GroupState(StoredGroup group) {
      this.group = group;
    }

    String groupId() {
      return group.groupId();
    }

    void putMember(StoredMember member) {
      removeMember(member.userId());
      members.put(member.userId(), member);
      byJoin.put(member.joinMs(), member.userId());
      groupsByUser.put(member.userId(), new Page.Position(member.joinMs(), groupId()), member.toUserGroup(groupId()));
    }

    void removeMember(String userId) {
      StoredMember old = members.remove(userId);
      if (old != null) {
        byJoin.remove(old.joinMs());
        groupsByUser.remove(userId, new Page.Position(old.joinMs(), groupId()));
      }
    }

    void putInvitation(String userId, StoredInvitation invitation) {
      StoredInvitation old = invitation == null ? invitations.remove(userId) : invitations.put(userId, invitation);
      if (old != null && old.isPending()) {
        pendingInvitations.remove(new Page.Position(old.createdMs(), userId));
        invitationsByUser.remove(userId, new Page.Position(old.createdMs(), groupId()));
      }
      if (invitation != null && invitation.isPending()) {
        pendingInvitations.put(new Page.Position(invitation.createdMs(), userId), invitation);
        invitationsByUser.put(userId, new Page.Position(invitation.createdMs(), groupId()), invitation);
      }
    }

    void putRequest(String userId, StoredJoinRequest request) {
      StoredJoinRequest old = request == null ? requests.remove(userId) : requests.put(userId, request);
      if (old != null && old.isPending()) {
        pendingRequests.remove(new Page.Position(old.createdMs(), userId));
        requestsByUser.remove(userId, new Page.Position(old.createdMs(), groupId()));
      }
      if (request != null && request.isPending()) {
        pendingRequests.put(new Page.Position(request.createdMs(), userId), request);
        requestsByUser.put(userId, new Page.Position(request.createdMs(), groupId()), request);
      }
    }

    void delete() {
      deleted = true;
      groups.remove(groupId(), this);
      new ArrayList<>(members.keySet()).forEach(this::removeMember);
      new ArrayList<>(invitations.keySet()).forEach(userId -> putInvitation(userId, null));
      new ArrayList<>(requests.keySet()).forEach(userId -> putRequest(userId, null));
    }
  }

  /**
   * The writes of one change, held back until the work returns; its reads see them. Writes that no
   * rule should ask for (adding a member twice, reusing a join time, changing a non-member, a
   * member count beyond the limit, a new owner, invitation or join request of a user not locked)
   * fail with IllegalStateException at once, as PostgreSQL's constraints make them fail there or
   * as they would break a per-user limit.
   */
  private final class BufferedTx implements GroupTx {
    private final GroupState state;
    /** User id to its membership as written, or null where the membership ended. */
    private final Map<String, StoredMember> written = new LinkedHashMap<>();
    private final Map<String, StoredInvitation> writtenInvitations = new LinkedHashMap<>();
    private final Map<String, StoredJoinRequest> writtenRequests = new LinkedHashMap<>();
    private final Set<Long> joinTimesAdded = new HashSet<>();
    private StoredGroup group;
    private boolean deleted;
    private boolean anyWrite;
    /** The users this change locked, or null if it locked none. */
    private Set<String> lockedUsers;

    BufferedTx(GroupState state) {
      this.state = state;
      this.group = state.group;
    }

    @Override
    public StoredGroup group() {
      requireLive();
      return group;
    }

    @Override
    public Map<String, StoredMember> members(Collection<String> userIds) {
      requireLive();
      return current(userIds, written, state.members);
    }

    @Override
    public Map<String, StoredInvitation> invitations(Collection<String> userIds) {
      requireLive();
      return current(userIds, writtenInvitations, state.invitations);
    }

    @Override
    public Map<String, StoredJoinRequest> joinRequests(Collection<String> userIds) {
      requireLive();
      return current(userIds, writtenRequests, state.requests);
    }

    @Override
    public Map<String, UserTally> lockUsers(Collection<String> userIds) {
      requireLive();
      if (lockedUsers != null || anyWrite) {
        throw new IllegalStateException("lockUsers runs once per change, before any write");
      }
      usersLock.lock();
      lockedUsers = new HashSet<>(userIds);
      Map<String, UserTally> tallies = new HashMap<>();
      for (String userId : userIds) {
        int owned = (int) groupsByUser.all(userId).stream().filter(g -> g.getRole() == GroupRole.OWNER).count();
        tallies.put(userId, new UserTally(owned, invitationsByUser.all(userId).size(),
            requestsByUser.all(userId).size()));
      }
      return tallies;
    }

    @Override
    public void updateGroup(StoredGroup changed) {
      write();
      if (!changed.groupId().equals(group.groupId())) {
        throw new IllegalArgumentException("a change writes its own group only: " + changed.groupId());
      }
      if (changed.memberCount() < 1 || changed.memberCount() > changed.maxMembers()) {
        throw new IllegalStateException("member count out of bounds: " + changed.memberCount());
      }
      group = changed;
    }

    @Override
    public void addMembers(List<StoredMember> members) {
      write();
      for (StoredMember member : members) {
        if (current(member.userId()) != null) {
          throw new IllegalStateException("already a member: " + member.userId());
        }
        if (state.byJoin.containsKey(member.joinMs()) || !joinTimesAdded.add(member.joinMs())) {
          throw new IllegalStateException("join time taken: " + member.joinMs());
        }
        if (member.role() == GroupRole.OWNER) {
          requireLocked(member.userId());
        }
        written.put(member.userId(), member);
      }
    }

    @Override
    public void updateMember(StoredMember member) {
      write();
      StoredMember old = requireMember(member.userId());
      if (old.joinMs() != member.joinMs()) {
        throw new IllegalArgumentException("a join time never changes: " + member.userId());
      }
      if (member.role() == GroupRole.OWNER && old.role() != GroupRole.OWNER) {
        requireLocked(member.userId());
      }
      written.put(member.userId(), member);
    }

    @Override
    public void removeMember(String userId) {
      write();
      requireMember(userId);
      written.put(userId, null);
    }

    @Override
    public void putInvitations(List<StoredInvitation> invitations) {
      write();
      for (StoredInvitation invitation : invitations) {
        requireOwn(invitation.groupId());
        StoredInvitation old = current(List.of(invitation.inviteeId()), writtenInvitations, state.invitations)
            .get(invitation.inviteeId());
        if (invitation.isPending() && (old == null || !old.isPending())) {
          requireLocked(invitation.inviteeId());
        }
        writtenInvitations.put(invitation.inviteeId(), invitation);
      }
    }

    @Override
    public void deleteInvitations(Collection<String> userIds) {
      write();
      userIds.forEach(userId -> writtenInvitations.put(userId, null));
    }

    @Override
    public void putJoinRequest(StoredJoinRequest request) {
      write();
      requireOwn(request.groupId());
      StoredJoinRequest old = current(List.of(request.userId()), writtenRequests, state.requests).get(request.userId());
      if (request.isPending() && (old == null || !old.isPending())) {
        requireLocked(request.userId());
      }
      writtenRequests.put(request.userId(), request);
    }

    @Override
    public void deleteJoinRequests(Collection<String> userIds) {
      write();
      userIds.forEach(userId -> writtenRequests.put(userId, null));
    }

    @Override
    public List<String> deleteGroup() {
      write();
      Set<String> memberIds = new LinkedHashSet<>(state.members.keySet());
      written.forEach((userId, member) -> {
        if (member == null) {
          memberIds.remove(userId);
        } else {
          memberIds.add(userId);
        }
      });
      deleted = true;
      return List.copyOf(memberIds);
    }

    /** Applies the writes; called under the group's lock, once the work has returned. */
    void apply() {
      if (deleted) {
        state.delete();
        return;
      }
      state.group = group;
      written.forEach((userId, member) -> {
        if (member == null) {
          state.removeMember(userId);
        } else {
          state.putMember(member);
        }
      });
      writtenInvitations.forEach(state::putInvitation);
      writtenRequests.forEach(state::putRequest);
    }

    /** Releases the users' lock if this change took it; called whether the work returned or threw. */
    void releaseUsers() {
      if (lockedUsers != null) {
        lockedUsers = null;
        usersLock.unlock();
      }
    }

    private <V> Map<String, V> current(Collection<String> userIds, Map<String, V> writes, Map<String, V> stored) {
      Map<String, V> found = new HashMap<>();
      for (String userId : userIds) {
        V value = writes.containsKey(userId) ? writes.get(userId) : stored.get(userId);
        if (value != null) {
          found.put(userId, value);
        }
      }
      return found;
    }

    private StoredMember current(String userId) {
      return written.containsKey(userId) ? written.get(userId) : state.members.get(userId);
    }

    private StoredMember requireMember(String userId) {
      StoredMember member = current(userId);
      if (member == null) {
        throw new IllegalStateException("not a member: " + userId);
      }
      return member;
    }

    private void requireLocked(String userId) {
      if (lockedUsers == null || !lockedUsers.contains(userId)) {
        throw new IllegalStateException("lock the user before raising what it holds: " + userId);
      }
    }

    private void requireOwn(String groupId) {
      if (!groupId.equals(group.groupId())) {
        throw new IllegalArgumentException("a change writes its own group only: " + groupId);
      }
    }

    private void write() {
      requireLive();
      anyWrite = true;
    }

    private void requireLive() {
      if (deleted) {
        throw new IllegalStateException("the group is deleted in this change");
      }
    }
  }
}
