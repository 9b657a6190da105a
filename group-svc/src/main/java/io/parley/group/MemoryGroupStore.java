package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.UserGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * A {@link GroupStore} in this process, for the embedded default and fast tests: data is lost on
 * exit.
 *
 * <p>Each group is guarded by its own monitor. {@link #change} holds it while the work runs, records
 * the work's writes in a buffer that the work's reads see, and applies them to the group only when
 * the work returns; so changes to one group serialize, changes to different groups run in
 * parallel, and a refusal thrown half way changes nothing. A user's groups are kept in an index per
 * user, changed only under the lock of the group concerned, in the same step as the membership.
 * Thread-safe.
 */
final class MemoryGroupStore implements GroupStore {
  /** A user's groups in listing order: join time descending, then group id descending. */
  private static final Comparator<Page.IndexPosition> NEWEST_FIRST =
      Comparator.comparingLong(Page.IndexPosition::joinMs).reversed()
          .thenComparing(Page.IndexPosition::groupId, Comparator.reverseOrder());

  private final ConcurrentMap<String, GroupState> groups = new ConcurrentHashMap<>();
  /** User id to its groups. An entry changes only under the lock of its group. */
  private final ConcurrentMap<String, ConcurrentSkipListMap<Page.IndexPosition, UserGroup>> groupsByUser =
      new ConcurrentHashMap<>();

  @Override
  public void insert(StoredGroup group, List<StoredMember> members) {
    GroupState state = new GroupState(requireNonNull(group, "group"));
    synchronized (state) {
      if (groups.putIfAbsent(group.groupId(), state) != null) {
        throw new IllegalStateException("group id collision: " + group.groupId());
      }
      for (StoredMember member : members) {
        state.put(member);
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
      T result = requireNonNull(work.apply(tx), "the result of a change");
      tx.apply();
      return Optional.of(result);
    }
  }

  @Override
  public Optional<StoredMembership> find(String groupId, String userId) {
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      if (state.deleted) {
        return Optional.empty();
      }
      return Optional.of(new StoredMembership(state.group, userId == null ? null : state.members.get(userId)));
    }
  }

  @Override
  public Optional<List<StoredMember>> members(String groupId, long afterJoinMs, int limit) {
    GroupState state = groups.get(groupId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      if (state.deleted) {
        return Optional.empty();
      }
      List<StoredMember> page = new ArrayList<>();
      for (String userId : state.byJoin.tailMap(afterJoinMs, false).values()) {
        if (page.size() == limit) {
          break;
        }
        page.add(state.members.get(userId));
      }
      return Optional.of(page);
    }
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
  public List<UserGroup> userGroups(String userId, Page.IndexPosition after, int limit) {
    ConcurrentSkipListMap<Page.IndexPosition, UserGroup> index = groupsByUser.get(userId);
    if (index == null) {
      return List.of();
    }
    Map<Page.IndexPosition, UserGroup> view = after == null ? index : index.tailMap(after, false);
    return view.values().stream().limit(limit).toList();
  }

  @Override
  public void close() {
    // Nothing to release: the data goes with the process.
  }

  private void index(String groupId, StoredMember member) {
    groupsByUser.compute(member.userId(), (userId, index) -> {
      ConcurrentSkipListMap<Page.IndexPosition, UserGroup> map =
          index == null ? new ConcurrentSkipListMap<>(NEWEST_FIRST) : index;
      map.put(new Page.IndexPosition(member.joinMs(), groupId), member.toUserGroup(groupId));
      return map;
    });
  }

  private void unindex(String groupId, StoredMember member) {
    groupsByUser.computeIfPresent(member.userId(), (userId, index) -> {
      index.remove(new Page.IndexPosition(member.joinMs(), groupId));
      return index.isEmpty() ? null : index;
    });
  }

  /** A group's state; every field is guarded by this object's monitor. */
  private final class GroupState {
    final Map<String, StoredMember> members = new HashMap<>();
    final TreeMap<Long, String> byJoin = new TreeMap<>();
    StoredGroup group;
    boolean deleted;

    GroupState(StoredGroup group) {
      this.group = group;
    }

    void put(StoredMember member) {
      StoredMember old = members.put(member.userId(), member);
      if (old != null) {
        byJoin.remove(old.joinMs());
        unindex(group.groupId(), old);
      }
      byJoin.put(member.joinMs(), member.userId());
      index(group.groupId(), member);
    }

    void remove(String userId) {
      StoredMember old = members.remove(userId);
      byJoin.remove(old.joinMs());
      unindex(group.groupId(), old);
    }
  }

  /**
   * The writes of one change, held back until the work returns; its reads see them. Writes that no
   * rule should ask for (adding a member twice, reusing a join time, changing a non-member, a
   * member count beyond the limit) fail with IllegalStateException at once, as PostgreSQL's
   * constraints make them fail there.
   */
  private final class BufferedTx implements GroupTx {
    private final GroupState state;
    /** User id to its membership as written, or null where the membership ended. */
    private final Map<String, StoredMember> written = new LinkedHashMap<>();
    private final Set<Long> joinTimesAdded = new HashSet<>();
    private StoredGroup group;
    private boolean deleted;

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
      Map<String, StoredMember> found = new HashMap<>();
      for (String userId : userIds) {
        StoredMember member = current(userId);
        if (member != null) {
          found.put(userId, member);
        }
      }
      return found;
    }

    @Override
    public void updateGroup(StoredGroup changed) {
      requireLive();
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
      requireLive();
      for (StoredMember member : members) {
        if (current(member.userId()) != null) {
          throw new IllegalStateException("already a member: " + member.userId());
        }
        if (state.byJoin.containsKey(member.joinMs()) || !joinTimesAdded.add(member.joinMs())) {
          throw new IllegalStateException("join time taken: " + member.joinMs());
        }
        written.put(member.userId(), member);
      }
    }

    @Override
    public void updateMember(StoredMember member) {
      StoredMember old = requireMember(member.userId());
      if (old.joinMs() != member.joinMs()) {
        throw new IllegalArgumentException("a join time never changes: " + member.userId());
      }
      written.put(member.userId(), member);
    }

    @Override
    public void removeMember(String userId) {
      requireMember(userId);
      written.put(userId, null);
    }

    @Override
    public void deleteGroup() {
      requireLive();
      deleted = true;
    }

    /** Applies the writes; called under the group's lock, once the work has returned. */
    void apply() {
      if (deleted) {
        state.deleted = true;
        groups.remove(state.group.groupId(), state);
        state.members.values().forEach(member -> unindex(state.group.groupId(), member));
        return;
      }
      state.group = group;
      written.forEach((userId, member) -> {
        if (member == null) {
          state.remove(userId);
        } else {
          state.put(member);
        }
      });
    }

    private StoredMember current(String userId) {
      return written.containsKey(userId) ? written.get(userId) : state.members.get(userId);
    }

    private StoredMember requireMember(String userId) {
      requireLive();
      StoredMember member = current(userId);
      if (member == null) {
        throw new IllegalStateException("not a member: " + userId);
      }
      return member;
    }

    private void requireLive() {
      if (deleted) {
        throw new IllegalStateException("the group is deleted in this change");
      }
    }
  }
}
