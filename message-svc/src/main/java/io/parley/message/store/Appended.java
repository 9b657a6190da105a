package io.parley.message.store;

import static java.util.Objects.requireNonNull;

/**
 * What an append answers: the message's id, seq and server time, and whether it repeats an
 * earlier send with the same {@code client_msg_id} (then nothing was stored or announced again,
 * and the values are the earlier message's).
 */
public record Appended(String messageId, long seq, long serverTimeMillis, boolean duplicate) {
  public Appended {
    requireNonNull(messageId, "messageId");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
  }
}
