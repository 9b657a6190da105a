package io.parley.group;

import io.parley.group.v1.UserGroup;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where groups, their members, invitations and join requests, and each user's list of groups are
 * kept: {@link MemoryGroupStore} in one process, {@link PostgresGroupStore} in PostgreSQL. A store
 * only persists; who may do what, in which order refusals come, the limits, the state machines and
 * the join times are {@link GroupRules}'.
 *
 * <p><b>One change is one transaction.</b> {@link #change} hands the rules the group's current
 * state, locked against every other change of the same group, and applies the writes they ask for
 * only if the work returns normally: a refusal thrown half way changes nothing. Changes to one
 * group serialize; changes to different groups do not wait for each other, except where both lock
 * the same user ({@link GroupTx#lockUsers}). {@link #create} is the same for a new group.
 *
 * <p><b>A user's groups</b> are an index kept by the store in the same transaction as the
 * memberships, so that {@link #userGroups} is exact and costs one read keyed by the user, never a
 * read per group. It holds each membership's join time and role. A user's pending invitations and
 * join requests are likewise read by user.
 *
 * <p><b>Invitations and join requests</b> are kept per group and user, one of each at most: pending,
 * or declined (rejected) and kept as a mark until the rules replace or delete it. Listings return
 * pending ones only, newest first (creation time descending, then id descending), after a {@link
 * Page.Position} (null for the first page).
 *
 * <p>Arguments are trusted (ids well formed, lists without duplicates). Reads outside a change see
 * committed changes only. Implementations are thread-safe.
 */
interface GroupStore extends AutoCloseable {

  /**
   * Stores the new {@code group} and runs {@code work} on it, as {@link #change} does, in one
   * transaction: the group exists only if the work returns normally. The work adds the members.
   *
   * @throws IllegalStateException if a group with this id exists (ids are random: a bug)
   */
  <T> T create(StoredGroup group, Function<GroupTx, T> work);

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

  /** {@code userId}'s invitation to the group, pending or declined, if there is one. */
  Optional<StoredInvitation> invitation(String groupId, String userId);

  /**
   * Up to {@code limit} members in join order with join times after {@code afterJoinMs}, or empty
   * if the group does not exist.
   */
  Optional<List<StoredMember>> members(String groupId, long afterJoinMs, int limit);

  /**
   * Up to {@code limit} of the group's owner and admins: the owner first, then admins in join
   * order. Empty if the group does not exist.
   */
  List<String> staffIds(String groupId, int limit);

  /** Those of {@code groupIds} that exist, by group id. */
  Map<String, StoredGroup> groups(Collection<String> groupIds);

  /**
   * Up to {@code limit} of {@code userId}'s memberships, most recently joined first (join time
   * descending, then group id descending), after {@code after} in that order (null for the first).
   */
  List<UserGroup> userGroups(String userId, Page.Position after, int limit);

  /**
   * Whether {@code userIdA} and {@code userIdB} are both members of at least one group now: one
   * read of {@code userIdA}'s memberships, each probed against {@code userIdB}'s by key.
   */
  boolean sharesGroup(String userIdA, String userIdB);

  /** Up to {@code limit} pending invitations to the group; positions by creation time and invitee id. */
  List<StoredInvitation> groupInvitations(String groupId, Page.Position after, int limit);

  /** Up to {@code limit} pending invitations to {@code userId}; positions by creation time and group id. */
  List<StoredInvitation> userInvitations(String userId, Page.Position after, int limit);

  /** Up to {@code limit} pending join requests to the group; positions by creation time and user id. */
  List<StoredJoinRequest> groupJoinRequests(String groupId, Page.Position after, int limit);

  /** Up to {@code limit} pending join requests of {@code userId}; positions by creation time and group id. */
  List<StoredJoinRequest> userJoinRequests(String userId, Page.Position after, int limit);

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

    /** The group's invitations of {@code userIds}, pending or declined, by invitee id, with this change's writes. */
    Map<String, StoredInvitation> invitations(Collection<String> userIds);

    /** The invitation of {@code userId}, pending or declined, with this change's writes. */
    default Optional<StoredInvitation> invitation(String userId) {
      return Optional.ofNullable(invitations(List.of(userId)).get(userId));
    }

    /** The group's join requests of {@code userIds}, pending or rejected, by user id, with this change's writes. */
    Map<String, StoredJoinRequest> joinRequests(Collection<String> userIds);

    /** The join request of {@code userId}, pending or rejected, with this change's writes. */
    default Optional<StoredJoinRequest> joinRequest(String userId) {
      return Optional.ofNullable(joinRequests(List.of(userId)).get(userId));
    }

    /**
     * Locks {@code userIds} until the change ends, against every other change that locks any of
     * them, and counts what each holds across all groups as committed. A change calls it at most
     * once, before any write; it must lock a user before making the user an owner or giving the
     * user a pending invitation or join request, so that concurrent changes cannot together exceed
     * a per-user limit.
     */
    Map<String, UserTally> lockUsers(Collection<String> userIds);

    /** Writes the group's fields, announcement and bookkeeping (the group id stays). */
    void updateGroup(StoredGroup group);

    /** Adds memberships of users who are not members, and their index entries. */
    void addMembers(List<StoredMember> members);

    /** Writes a member's role and mute, and the role in its index entry. */
    void updateMember(StoredMember member);

    /** Ends a membership and drops its index entry. */
    void removeMember(String userId);

    /** Writes invitations to this group, replacing any of the same invitees. */
    void putInvitations(List<StoredInvitation> invitations);

    /** Deletes the invitations of {@code userIds} that exist. */
    void deleteInvitations(Collection<String> userIds);

    /** Writes a join request to this group, replacing any of the same user. */
    void putJoinRequest(StoredJoinRequest request);

    /** Deletes the join requests of {@code userIds} that exist. */
    void deleteJoinRequests(Collection<String> userIds);

    /**
     * Deletes the group, every membership, index entry, invitation and join request of it. Nothing
     * may follow.
     *
     * @return the ids of the members it had (in this change's view)
     */
    List<String> deleteGroup();
  }
}
