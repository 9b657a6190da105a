package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.CheckMembershipResponse;
import java.time.Clock;

/**
 * Whether a user may put content in front of others in a conversation now: what SendMessage and
 * EditMessage both check. Thread-safe.
 */
final class SendRights {
  private final FriendDirectory friends;
  private final GroupDirectory groups;
  private final boolean allowStrangers;
  private final Clock clock;

  SendRights(FriendDirectory friends, GroupDirectory groups, boolean allowStrangers, Clock clock) {
    this.friends = requireNonNull(friends, "friends");
    this.groups = requireNonNull(groups, "groups");
    this.allowStrangers = allowStrangers;
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Checks that {@code sender} may write to {@code recipient}.
   *
   * @throws ParleyException BLOCKED if either blocks the other, NOT_FRIENDS_CANNOT_MESSAGE if they
   *     are not friends and strangers may not message each other
   */
  void privateChat(String sender, String recipient) {
    FriendDirectory.Relation relation = friends.relation(sender, recipient);
    if (relation.blocked()) {
      throw new ParleyException(ErrorReason.BLOCKED, "you cannot message this user");
    }
    if (!relation.friends() && !allowStrangers) {
      throw new ParleyException(ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE, "you can only message your friends");
    }
  }

  /**
   * Checks that {@code sender} is a member of the group who is not muted, and answers the
   * membership (role, mute).
   *
   * @throws ParleyException GROUP_NOT_FOUND (also to a non-member of a group that anyone may not
   *     see), NOT_GROUP_MEMBER, MEMBER_MUTED
   */
  CheckMembershipResponse groupMember(String groupId, String sender) {
    CheckMembershipResponse membership = groups.membership(groupId, sender);
    // A non-member learns that a group exists only if group-svc says anyone may see it.
    if (!membership.getGroupExists() || (!membership.getMember() && !membership.getPublic())) {
      throw new ParleyException(ErrorReason.GROUP_NOT_FOUND, "group not found");
    }
    if (!membership.getMember()) {
      throw new ParleyException(ErrorReason.NOT_GROUP_MEMBER, "you are not a member of this group");
    }
    if (membership.hasMuteUntil() && Timestamps.toMillis(membership.getMuteUntil()) > clock.millis()) {
      throw ParleyException.builder(ErrorReason.MEMBER_MUTED)
          .message("you are muted in this group")
          .metadata("mute_until", Timestamps.toString(membership.getMuteUntil()))
          .build();
    }
    return membership;
  }
}
