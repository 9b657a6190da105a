package io.parley.message.store;

import io.parley.message.v1.Message;

/**
 * A conversation as it stands, seen from a visibility time.
 *
 * @param lastSeq the latest seq; 0 if the conversation has no message
 * @param lastTimeMillis the server time of the latest message; 0 if none
 * @param firstVisibleSeq the seq of the first message at or after the visibility time, or {@code
 *     lastSeq + 1} if there is none
 * @param lastMessage the message at {@code lastSeq} (a tombstone if recalled) if it is visible, else
 *     null
 */
public record ConversationState(long lastSeq, long lastTimeMillis, long firstVisibleSeq, Message lastMessage) {
  /** A conversation without messages. */
  public static final ConversationState EMPTY = new ConversationState(0, 0, 1, null);

  public ConversationState {
    if (lastSeq < 0 || firstVisibleSeq < 1 || firstVisibleSeq > lastSeq + 1) {
      throw new IllegalArgumentException("inconsistent state: last " + lastSeq + ", first visible " + firstVisibleSeq);
    }
  }
}
