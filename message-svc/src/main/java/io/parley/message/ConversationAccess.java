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
}
