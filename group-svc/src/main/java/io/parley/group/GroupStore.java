package io.parley.group;

import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.Member;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where groups, their members and each user's list of groups live: {@link MemoryGroupStore} for one
 * process, {@link RedisGroupStore} for every replica on one Redis (standalone or Cluster).
 *
 * <p><b>Atomicity.</b> Every change checks the actor's role, the target's role, the member limit
 * and the group's existence and applies its writes as one atomic step against the group's current
 * state, never against a copy read earlier. So concurrent calls, such as two admins adding and
 * removing at once, serialize per group: the member count always equals the member list and never
 * exceeds {@code max_members}, there is always exactly one owner, and a refusal changes nothing
 * (an invitation is all or nothing).
 *
 * <p><b>Order of checks.</b> Each change refuses with the first failing of: the group exists
 * (GROUP_NOT_FOUND); the actor is a member (see {@link Membership#requireMember()}: NOT_GROUP_MEMBER
 * for an OPEN group, GROUP_NOT_FOUND otherwise); the actor's role suffices
 * (GROUP_ROLE_INSUFFICIENT); the target is a member (MEMBER_NOT_FOUND); the actor outranks the
 * target ({@link Membership#outranks}); the limit holds (GROUP_FULL).
 *
 * <p><b>Join times</b> are distinct and increase in join order within a group: a join in the same
 * millisecond as the previous one is dated one millisecond later. They order the member list and
 * are its paging cursor.
 *
 * <p><b>A user's groups</b> ({@link #listGroups}) never include a group the user is not a member
 * of at the time of the read, whatever the interleaving of concurrent changes.
 *
 * <p>Arguments are validated by the caller (ids well-formed, lists deduplicated); the store trusts
 * them. Times come from the store's injected clock. Implementations are thread-safe.
 */
interface GroupStore extends AutoCloseable {

  /**
   * Creates group {@code groupId} with {@code ownerId} as its owner, joined first, and {@code
   * memberIds} as members, joined in list order.
   *
   * @param fields name, notice, avatar_url and join_policy of the new group; the rest is ignored
   * @throws io.parley.error.ParleyException GROUP_FULL if the owner and members exceed {@code maxMembers}
   */
  Group create(String groupId, Group fields, String ownerId, List<String> memberIds, int maxMembers);

  /**
   * The group and {@code userId}'s membership in it, or empty if the group does not exist. Does no
   * access check.
   *
   * @param userId the user whose membership to include, or null for none
   */
  Optional<Membership> find(String groupId, String userId);

  /**
   * Writes the fields of {@code values} named by {@code paths} (among {@code name}, {@code notice},
   * {@code avatar_url}, {@code join_policy}) and sets update_time. Admins and the owner.
   */
  Group update(String groupId, String actorId, Group values, Set<String> paths);

  /** Ends the group for everyone. The owner only. */
  void dismiss(String groupId, String actorId);

  /**
   * Adds every id of {@code userIds} that is not yet a member, all or none. Admins and the owner.
   *
   * @throws io.parley.error.ParleyException GROUP_FULL if the new members would exceed the limit;
   *     nothing is added then
   */
  AddedMembers invite(String groupId, String actorId, List<String> userIds);

  /**
   * Adds {@code userId} to an OPEN group. Refusals in order: GROUP_NOT_FOUND, ALREADY_GROUP_MEMBER,
   * GROUP_INVITE_ONLY (the group is not OPEN), GROUP_FULL.
   */
  Member join(String groupId, String userId);

  /** Removes {@code userId} itself; the owner cannot (OWNER_CANNOT_LEAVE). Returns the membership that ended. */
  Member leave(String groupId, String userId);

  /** Removes {@code targetId}: admins remove members, the owner anyone else. Returns the membership that ended. */
  Member remove(String groupId, String actorId, String targetId);

  /**
   * Sets a member's role to MEMBER or ADMIN. The owner only; the owner's own role is changed only by
   * {@link #transferOwnership} (FAILED_PRECONDITION).
   */
  Member setRole(String groupId, String actorId, String targetId, GroupRole role);

  /**
   * Makes member {@code newOwnerId} the owner and the old owner an admin; a mute of the new owner
   * ends, since nobody mutes the owner. The owner only.
   */
  Group transferOwnership(String groupId, String actorId, String newOwnerId);

  /**
   * Mutes {@code targetId} until {@code until}, or unmutes it if {@code until} is null or not after
   * now. Admins mute members; the owner mutes admins and members; nobody mutes the owner.
   */
  Member mute(String groupId, String actorId, String targetId, Instant until);

  /**
   * Up to {@code limit} members in join order, after {@code cursor} (null for the first page).
   *
   * @param actorId the member asking (refused as {@link Membership#requireMember()} if it is not
   *     one), or null for an internal caller
   * @throws io.parley.error.ParleyException GROUP_NOT_FOUND if the group does not exist
   */
  Page<Member> listMembers(String groupId, String actorId, String cursor, int limit);

  /** Up to {@code limit} member ids in join order after {@code cursor}, or empty if the group does not exist. */
  Optional<Page<String>> listMemberIds(String groupId, String cursor, int limit);

  /**
   * Up to {@code limit} groups {@code userId} is a member of, most recently joined first, after
   * {@code cursor} (null for the first page).
   */
  Page<Group> listGroups(String userId, String cursor, int limit);

  /** Releases what the store holds; a store never closes a client it was given. */
  @Override
  void close();
}
