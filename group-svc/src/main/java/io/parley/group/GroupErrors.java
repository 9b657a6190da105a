package io.parley.group;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.JoinPolicy;
import java.time.Instant;
import java.util.List;

/**
 * The errors group-svc reports, one factory per reason, so that the rules and the service word
 * them alike. Every message is safe for clients: it names nothing of a group the caller may not
 * see, and other users only by the ids the caller itself named (never who blocks whom).
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
   * The refusal for a caller who is not a member: NOT_GROUP_MEMBER for an OPEN or APPROVAL group,
   * which anyone may see, and GROUP_NOT_FOUND otherwise, so that strangers cannot tell an
   * INVITE_ONLY group from one that does not exist.
   */
  static ParleyException notMember(JoinPolicy policy) {
    return policy == JoinPolicy.OPEN || policy == JoinPolicy.APPROVAL ? notMember() : groupNotFound();
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

  /** CreateGroup by a user who owns {@code max} groups, or TransferOwnership to one. */
  static ParleyException ownedLimit(int max, boolean self) {
    return ParleyException.builder(ErrorReason.GROUP_OWNED_LIMIT)
        .message((self ? "you own " : "the new owner owns ") + "as many groups as a user may: " + max)
        .metadata("max_owned_groups", Integer.toString(max))
        .build();
  }

  /** The caller could not put {@code userIds} in a group: one of the caller and each blocks the other. */
  static ParleyException blocked(List<String> userIds) {
    String ids = String.join(",", userIds);
    return ParleyException.builder(ErrorReason.BLOCKED)
        .message("you cannot invite " + ids + ": one of you blocks the other")
        .metadata("user_ids", ids)
        .build();
  }

  /** A join request to a group whose owner and the caller: one blocks the other. */
  static ParleyException blockedByOwner() {
    return new ParleyException(ErrorReason.BLOCKED,
        "you cannot ask to join this group: you or its owner blocks the other");
  }

  /** No pending invitation of the caller (or of the named invitee) to a group the caller may see. */
  static ParleyException invitationNotFound() {
    return new ParleyException(ErrorReason.INVITATION_NOT_FOUND, "no pending invitation to this group");
  }

  static ParleyException invitationLimit(List<String> userIds, int max) {
    String ids = String.join(",", userIds);
    return ParleyException.builder(ErrorReason.INVITATION_LIMIT)
        .message(ids + " already holds as many pending group invitations as a user may (" + max
            + "): each must answer some first")
        .metadata("user_ids", ids)
        .metadata("max_pending_invitations", Integer.toString(max))
        .build();
  }

  /** Invitees who declined the group's invitation until {@code retryMs}. */
  static ParleyException invitationDeclined(List<String> userIds, long retryMs) {
    String ids = String.join(",", userIds);
    String retry = Instant.ofEpochMilli(retryMs).toString();
    return ParleyException.builder(ErrorReason.INVITATION_DECLINED)
        .message(ids + " declined this group's invitation recently; it may invite again after " + retry)
        .metadata("user_ids", ids)
        .metadata("retry_time", retry)
        .build();
  }

  static ParleyException joinRequestNotFound() {
    return new ParleyException(ErrorReason.JOIN_REQUEST_NOT_FOUND, "no pending join request of this user");
  }

  static ParleyException joinRequestExists() {
    return new ParleyException(ErrorReason.JOIN_REQUEST_EXISTS, "you already asked to join this group");
  }

  static ParleyException joinRequestLimit(int max) {
    return ParleyException.builder(ErrorReason.JOIN_REQUEST_LIMIT)
        .message("you have as many pending join requests as a user may (" + max + "): cancel one first")
        .metadata("max_pending_join_requests", Integer.toString(max))
        .build();
  }

  /** A join request to a group that rejected the caller's until {@code retryMs}. */
  static ParleyException joinRequestRejected(long retryMs) {
    String retry = Instant.ofEpochMilli(retryMs).toString();
    return ParleyException.builder(ErrorReason.JOIN_REQUEST_REJECTED)
        .message("this group rejected your join request recently; you may ask again after " + retry)
        .metadata("retry_time", retry)
        .build();
  }

  /** The group changed between the checks made before a change and the change: retry. */
  static ParleyException changedMeanwhile() {
    return new ParleyException(ErrorReason.ABORTED, "the group changed meanwhile; retry");
  }
}
