package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import io.parley.message.v1.Message;
import java.util.List;

/**
 * Messages of one conversation read by seq.
 *
 * @param messages ascending for a forward read, descending for a backward one
 * @param hasMore whether more visible messages lie beyond the last one returned
 * @param lastSeq the conversation's latest seq when read (0 if it has none)
 */
public record MessageSlice(List<Message> messages, boolean hasMore, long lastSeq) {
  public MessageSlice {
    messages = List.copyOf(requireNonNull(messages, "messages"));
  }
}
