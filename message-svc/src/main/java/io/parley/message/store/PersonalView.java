package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import io.parley.message.v1.ConversationSettings;

/**
 * One user's own view of one conversation, as {@link MessageStore#views} keeps it.
 *
 * @param settings their settings (pin, mute, archive)
 * @param clearedSeq they cleared the history up to and including this seq; 0 if never
 * @param hiddenCount how many of its messages they deleted for themselves; 0 spares the lookup
 */
public record PersonalView(ConversationSettings settings, long clearedSeq, int hiddenCount) {
  /** The view of a user who never changed anything. */
  public static final PersonalView DEFAULT = new PersonalView(ConversationSettings.getDefaultInstance(), 0, 0);

  public PersonalView {
    requireNonNull(settings, "settings");
  }
}
