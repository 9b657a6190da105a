package io.parley.message;

/**
 * A user's read state in one conversation after a MarkRead.
 *
 * @param readSeq the effective read seq: the stored one, but never below the first message the
 *     user may see (a group's join seq, the oldest retained), and never above the last seq
 * @param lastSeq the conversation's latest seq
 * @param unreadCount visible messages after {@code readSeq} not sent by the user
 * @param advanced whether the stored read seq moved forward
 */
record ReadState(long readSeq, long lastSeq, long unreadCount, boolean advanced) {}
