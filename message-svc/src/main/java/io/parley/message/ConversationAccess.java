package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;
import io.parley.message.store.PersonalView;
import io.parley.message.v1.Message;

/**
 * What the caller may do in a conversation they take part in.
 *
 * @param userId the caller
 * @param visibleFromMillis the caller sees the messages sent at or after this time: a group
 *     member's join time, or the retention cutoff if later; 0 in a private chat without retention
 * @param role the caller's role in a group; null in a private chat
 * @param view the caller's own view of the conversation: settings, what they cleared or deleted
 */
record ConversationAccess(ConversationId conversation, String userId, long visibleFromMillis, GroupRole role,
    PersonalView view) {
  ConversationAccess {
    requireNonNull(conversation, "conversation");
    requireNonNull(userId, "userId");
    requireNonNull(view, "view");
  }

  /** The caller cleared the history up to and including this seq; 0 if never. */
  long clearedSeq() {
    return view.clearedSeq();
  }

  /** Whether the caller deleted some messages of the conversation for themselves. */
  boolean hidesSome() {
    return view.hiddenCount() > 0;
  }

  /**
   * Whether the caller sees {@code message} by its time and seq: sent from their visibility time
   * on, after what they cleared. (Messages they deleted for themselves: {@link #hidesSome}.)
   */
  boolean sees(Message message) {
    return Timestamps.toMillis(message.getServerTime()) >= visibleFromMillis && message.getSeq() > clearedSeq();
  }

  /** Whether the caller is a group's admin or owner. */
  boolean managesGroup() {
    return role == GroupRole.ADMIN || role == GroupRole.OWNER;
  }

  /**
   * Whether the caller's role outranks {@code target} in a group, as group-svc's rules rank them
   * (where an admin may remove or mute a member, but not another admin nor the owner): the caller
   * manages the group and ranks strictly higher, owner over admin over member over no role (a
   * former member, whom group-svc no longer lists).
   */
  boolean outranks(GroupRole target) {
    return managesGroup() && rank(role) > rank(target);
  }

  private static int rank(GroupRole role) {
    return switch (role) {
      case MEMBER -> 1;
      case ADMIN -> 2;
      case OWNER -> 3;
      default -> 0;
    };
  }
}
