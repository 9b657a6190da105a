package io.parley.group;

import io.parley.group.v1.UserGroup;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where groups, their members and each user's list of groups are kept: {@link MemoryGroupStore} in
 * one process, {@link PostgresGroupStore} in PostgreSQL. A store only persists; who may do what,
 * in which order refusals come, the member limit and the join times are {@link GroupRules}'.
 *
 * <p><b>One change is one transaction.</b> {@link #change} hands the rules the group's current
 * state, locked against every other change of the same group, and applies the writes they ask for
 * only if the work returns normally: a refusal thrown half way changes nothing. Changes to one
 * group serialize; changes to different groups do not wait for each other.
 *
 * <p><b>A user's groups</b> are an index kept by the store in the same transaction as the
 * memberships, so that {@link #userGroups} is exact and costs one read keyed by the user, never a
 * read per group. It holds each membership's join time and role.
 *
 * <p>Arguments are trusted (ids well formed, lists without duplicates). Reads outside {@link
 * #change} see committed changes only. Implementations are thread-safe.
 */
interface GroupStore extends AutoCloseable {

  /**
   * Stores a new group and its first members, with their index entries, in one transaction.
   *
   * @throws IllegalStateException if a group with this id exists (ids are random: a bug)
   */
  void insert(StoredGroup group, List<StoredMember> members);

  /**
   * Runs {@code work} on group {@code groupId}, locked, and applies its writes if it returns
   * normally; if it throws, nothing is written and the exception propagates.
   *
   * <p>The work may run more than once (when the database makes a transaction retry), so it must
   * have no effect outside the {@link GroupTx}, and it must not call the store.
   *
   * @param work returns a non-null result
   * @return the work's result, or empty if there is no such group (the work did not run)
   */
  <T> Optional<T> change(String groupId, Function<GroupTx, T> work);

  /**
   * The group and {@code userId}'s membership in it, or empty if the group does not exist.
   *
   * @param userId the user whose membership to include, or null for none
   */
  Optional<StoredMembership> find(String groupId, String userId);

  /**
   * Up to {@code limit} members in join order with join times after {@code afterJoinMs}, or empty
   * if the group does not exist.
   */
  Optional<List<StoredMember>> members(String groupId, long afterJoinMs, int limit);

  /** Those of {@code groupIds} that exist, by group id. */
  Map<String, StoredGroup> groups(Collection<String> groupIds);

  /**
   * Up to {@code limit} of {@code userId}'s memberships, most recently joined first (join time
   * descending, then group id descending), after {@code after} in that order (null for the first).
   */
  List<UserGroup> userGroups(String userId, Page.IndexPosition after, int limit);

  /** Releases what the store holds. */
  @Override
  void close();

  /**
   * One group inside a {@link #change}: its state as locked, with the change's own writes applied,
   * and the writes. Used by one thread, only while the work runs.
   */
  interface GroupTx {
    /** The group, with this change's writes. */
    StoredGroup group();

    /** The members among {@code userIds}, by user id, with this change's writes; non-members are absent. */
    Map<String, StoredMember> members(Collection<String> userIds);

    /** The membership of {@code userId}, with this change's writes. */
    default Optional<StoredMember> member(String userId) {
      return Optional.ofNullable(members(List.of(userId)).get(userId));
    }

    /** Writes the group's fields and bookkeeping (the group id stays). */
    void updateGroup(StoredGroup group);

    /** Adds memberships of users who are not members, and their index entries. */
    void addMembers(List<StoredMember> members);

    /** Writes a member's role and mute, and the role in its index entry. */
    void updateMember(StoredMember member);

    /** Ends a membership and drops its index entry. */
    void removeMember(String userId);

    /** Deletes the group, every membership and every index entry of it. Nothing may follow. */
    void deleteGroup();
  }
}
