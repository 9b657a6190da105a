package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * A conversation in a user's list, with the time of its last activity.
 *
 * <p>Lists are ordered {@link #NEWEST_FIRST}: by activity, newest first, then by id, descending,
 * so that the order is total and a {@code ConversationRef} can serve as a page cursor.
 */
public record ConversationRef(ConversationId conversation, long activityMillis) {
  /** Newest activity first; ties broken by conversation id, descending. */
  public static final Comparator<ConversationRef> NEWEST_FIRST =
      Comparator.comparingLong(ConversationRef::activityMillis).reversed()
          .thenComparing(r -> r.conversation().value(), Comparator.reverseOrder());

  public ConversationRef {
    requireNonNull(conversation, "conversation");
  }

  /** Whether this entry comes strictly after {@code cursor} in {@link #NEWEST_FIRST} order. */
  public boolean isAfter(ConversationRef cursor) {
    return NEWEST_FIRST.compare(this, cursor) > 0;
  }
}
