package io.parley.message.store;

import static java.util.Objects.requireNonNull;

/**
 * One conversation to summarize for a user.
 *
 * @param floorSeq the first seq the user may see: 1, or a group member's join seq
 */
public record SummaryQuery(ConversationId conversation, long floorSeq) {
  public SummaryQuery {
    requireNonNull(conversation, "conversation");
    if (floorSeq < 1) {
      throw new IllegalArgumentException("floorSeq must be positive: " + floorSeq);
    }
  }
}
