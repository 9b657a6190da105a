package io.parley.message.store;

import io.parley.message.v1.Message;
import io.parley.message.v1.Reaction;
import java.util.List;

/** The reaction counts a stored message carries, as both stores keep them. */
final class Reactions {
  private Reactions() {}

  /**
   * {@code message} with one more ({@code delta} 1) or one fewer ({@code delta} -1) reaction with
   * {@code emoji}: a new emoji goes last, one whose count falls to zero is dropped.
   */
  static Message counted(Message message, String emoji, int delta) {
    List<Reaction> reactions = message.getReactionsList();
    Message.Builder out = message.toBuilder().clearReactions();
    boolean found = false;
    for (Reaction reaction : reactions) {
      if (reaction.getEmoji().equals(emoji)) {
        found = true;
        int count = reaction.getCount() + delta;
        if (count > 0) {
          out.addReactions(reaction.toBuilder().setCount(count));
        }
      } else {
        out.addReactions(reaction);
      }
    }
    if (!found && delta > 0) {
      out.addReactions(Reaction.newBuilder().setEmoji(emoji).setCount(delta));
    }
    return out.build();
  }

  /** Whether {@code message} has a reaction with {@code emoji}. */
  static boolean has(Message message, String emoji) {
    for (Reaction reaction : message.getReactionsList()) {
      if (reaction.getEmoji().equals(emoji)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The outcome of adding {@code emoji} by a user who has {@code mine} on the message, or null if
   * it may be added.
   */
  static Reacted.Outcome refusal(Message message, String emoji, int mine, int maxEmojiPerMessage,
      int maxEmojiPerUser) {
    if (!has(message, emoji) && message.getReactionsCount() >= maxEmojiPerMessage) {
      return Reacted.Outcome.MESSAGE_FULL;
    }
    if (mine >= maxEmojiPerUser) {
      return Reacted.Outcome.USER_FULL;
    }
    return null;
  }
}
