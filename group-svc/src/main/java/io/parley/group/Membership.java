package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;

/**
 * A group as one user stands in it: the group, and the user's membership if there is one. The
 * access rules that do not depend on another member live here; {@link #outranks} decides the rest.
 *
 * <p>Who may see a group: its members, and anyone if it is OPEN. Everyone else is answered
 * GROUP_NOT_FOUND, exactly as for a group that does not exist, which leaks less than
 * NOT_GROUP_MEMBER would (that would confirm that an unguessable group id is real). A stranger to an
 * OPEN group gets NOT_GROUP_MEMBER where membership is needed, since such a group is public anyway.
 * The one exception the contract requires: JoinGroup answers GROUP_INVITE_ONLY for an INVITE_ONLY
 * group, which tells a stranger that the group exists, and nothing more.
 *
 * @param group the group as stored, never null
 * @param member the user's membership, or null if the user is not a member
 */
record Membership(Group group, Member member) {
  Membership {
    requireNonNull(group, "group");
  }

  boolean isMember() {
    return member != null;
  }

  /** The user's role, or GROUP_ROLE_UNSPECIFIED for a non-member. */
  GroupRole role() {
    return member == null ? GroupRole.GROUP_ROLE_UNSPECIFIED : member.getRole();
  }

  boolean isOpen() {
    return group.getJoinPolicy() == JoinPolicy.OPEN;
  }

  /** Returns this if the user may see the group (a member, or the group is OPEN); else GROUP_NOT_FOUND. */
  Membership requireVisible() {
    if (!isMember() && !isOpen()) {
      throw GroupErrors.groupNotFound();
    }
    return this;
  }

  /** Returns this if the user is a member; else NOT_GROUP_MEMBER (OPEN) or GROUP_NOT_FOUND. */
  Membership requireMember() {
    if (!isMember()) {
      throw GroupErrors.notMember(group.getJoinPolicy());
    }
    return this;
  }

  /** Returns this if the user is a member with at least role {@code min}; else as {@link #requireMember}, or GROUP_ROLE_INSUFFICIENT. */
  Membership requireRole(GroupRole min) {
    requireMember();
    if (rank(role()) < rank(min)) {
      throw GroupErrors.roleInsufficient();
    }
    return this;
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
}
