package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;

/**
 * What the caller may do in a conversation they take part in.
 *
 * @param floorSeq the first seq the caller may see: 1 in a private chat, the join seq in a group
 * @param role the caller's role in a group; null in a private chat
 */
record ConversationAccess(ConversationId conversation, long floorSeq, GroupRole role) {
  ConversationAccess {
    requireNonNull(conversation, "conversation");
  }

  /** Whether the caller is a group's admin or owner. */
  boolean managesGroup() {
    return role == GroupRole.ADMIN || role == GroupRole.OWNER;
  }
}
