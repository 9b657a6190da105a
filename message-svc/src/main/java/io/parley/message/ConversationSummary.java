package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.message.store.ConversationId;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;

/**
 * One conversation as one user sees it, for ListConversations.
 *
 * @param lastSeq the conversation's latest seq
 * @param updateTimeMillis the server time of the latest message (0 if none)
 * @param readSeq the user's effective read seq (see {@link ReadState#readSeq()})
 * @param unreadCount visible messages after {@code readSeq} not sent by the user
 * @param lastMessage the latest message if the user may see it (a tombstone if recalled), else
 *     null
 * @param settings the user's settings of the conversation
 */
record ConversationSummary(
    ConversationId conversation, long lastSeq, long updateTimeMillis, long readSeq, long unreadCount,
    Message lastMessage, ConversationSettings settings) {
  ConversationSummary {
    requireNonNull(conversation, "conversation");
    requireNonNull(settings, "settings");
  }

  ConversationSummary withLastMessage(Message lastMessage) {
    return new ConversationSummary(conversation, lastSeq, updateTimeMillis, readSeq, unreadCount, lastMessage,
        settings);
  }

  ConversationSummary withSettings(ConversationSettings settings) {
    return new ConversationSummary(conversation, lastSeq, updateTimeMillis, readSeq, unreadCount, lastMessage,
        settings);
  }

  /** Whether the user may see at least one message of the conversation. */
  boolean hasVisibleMessages() {
    return lastMessage != null;
  }
}
