package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;

/**
 * What the caller may do in a conversation they take part in.
 *
 * @param visibleFromMillis the caller sees the messages sent at or after this time: a group
 *     member's join time, or the retention cutoff if later; 0 in a private chat without retention
 * @param role the caller's role in a group; null in a private chat
 */
record ConversationAccess(ConversationId conversation, long visibleFromMillis, GroupRole role) {
  ConversationAccess {
    requireNonNull(conversation, "conversation");
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
