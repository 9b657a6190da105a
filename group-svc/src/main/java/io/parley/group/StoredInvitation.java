package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.Invitation;

/**
 * An invitation as a {@link GroupStore} keeps it: pending until the invitee answers, or declined,
 * when it stays as the mark that keeps the group from inviting the user again too soon (an accepted
 * or cancelled invitation is deleted). Times are epoch milliseconds. Immutable.
 *
 * @param createdMs when the invitation was made
 * @param declinedMs when the invitee declined, or 0 while it is pending
 */
record StoredInvitation(String groupId, String inviteeId, String inviterId, long createdMs, long declinedMs) {
  StoredInvitation {
    requireNonNull(groupId, "groupId");
    requireNonNull(inviteeId, "inviteeId");
    requireNonNull(inviterId, "inviterId");
  }

  /** A pending invitation. */
  static StoredInvitation pending(String groupId, String inviteeId, String inviterId, long createdMs) {
    return new StoredInvitation(groupId, inviteeId, inviterId, createdMs, 0);
  }

  boolean isPending() {
    return declinedMs == 0;
  }

  StoredInvitation declined(long declinedMs) {
    return new StoredInvitation(groupId, inviteeId, inviterId, createdMs, declinedMs);
  }

  Invitation toInvitation() {
    return Invitation.newBuilder()
        .setGroupId(groupId)
        .setInviteeId(inviteeId)
        .setInviterId(inviterId)
        .setCreateTime(Timestamps.fromMillis(createdMs))
        .build();
  }
}
