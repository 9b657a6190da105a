package io.parley.message.store;

import io.parley.message.v1.Message;

/**
 * What {@link MessageStore#react} did.
 *
 * @param outcome the change, or why there was none
 * @param message the message as stored after the call (its reactions without {@code mine}); null
 *     if {@link Outcome#NO_MESSAGE}
 */
public record Reacted(Outcome outcome, Message message) {
  /** What became of a reaction. */
  public enum Outcome {
    /** The reaction was added. */
    ADDED,
    /** The reaction was removed. */
    REMOVED,
    /** Nothing to do: the user had that reaction already (an add) or did not (a remove). */
    UNCHANGED,
    /** No such message, or it is recalled. */
    NO_MESSAGE,
    /** The message holds the most different emoji it may, and this is a new one. */
    MESSAGE_FULL,
    /** The user put the most different emoji on this message that one user may. */
    USER_FULL
  }
}
