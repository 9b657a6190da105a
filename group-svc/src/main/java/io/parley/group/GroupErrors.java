package io.parley.group;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.JoinPolicy;

/**
 * The errors group-svc reports, one factory per reason, so that the rules and the service word
 * them alike. Every message is safe for clients: it names no other user and nothing of a group the
 * caller may not see.
 */
final class GroupErrors {
  private GroupErrors() {}

  /** No such group, it was dismissed, or the caller may not learn that it exists. */
  static ParleyException groupNotFound() {
    return new ParleyException(ErrorReason.GROUP_NOT_FOUND, "group not found");
  }

  /** The caller is not a member of a group whose existence it may know (an OPEN group). */
  static ParleyException notMember() {
    return new ParleyException(ErrorReason.NOT_GROUP_MEMBER, "not a member of this group");
  }

  /**
   * The refusal for a caller who is not a member: NOT_GROUP_MEMBER for an OPEN group, which anyone
   * may see, and GROUP_NOT_FOUND otherwise, so that strangers cannot tell an INVITE_ONLY group from
   * one that does not exist.
   */
  static ParleyException notMember(JoinPolicy policy) {
    return policy == JoinPolicy.OPEN ? notMember() : groupNotFound();
  }

  static ParleyException roleInsufficient() {
    return new ParleyException(ErrorReason.GROUP_ROLE_INSUFFICIENT, "your role in this group does not allow this");
  }

  static ParleyException full(int maxMembers) {
    return ParleyException.builder(ErrorReason.GROUP_FULL)
        .message("the group would exceed its limit of " + maxMembers + " members")
        .metadata("max_members", Integer.toString(maxMembers))
        .build();
  }

  static ParleyException alreadyMember() {
    return new ParleyException(ErrorReason.ALREADY_GROUP_MEMBER, "already a member of this group");
  }

  static ParleyException inviteOnly() {
    return new ParleyException(ErrorReason.GROUP_INVITE_ONLY, "this group is joined by invitation only");
  }

  static ParleyException ownerCannotLeave() {
    return new ParleyException(ErrorReason.OWNER_CANNOT_LEAVE, "the owner must transfer ownership before leaving");
  }

  static ParleyException memberNotFound() {
    return new ParleyException(ErrorReason.MEMBER_NOT_FOUND, "the user is not a member of this group");
  }

  /** SetMemberRole or TransferOwnership aimed at the owner: ownership moves only by transfer. */
  static ParleyException ownerRoleFixed() {
    return new ParleyException(ErrorReason.FAILED_PRECONDITION,
        "the owner's role changes only by TransferOwnership to another member");
  }
}
