package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.util.Base64;
import java.util.Collections;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Where a client is in its Subscribe stream, as {@code Event.cursor} tells it: in the event log of
 * {@code epoch}, every event at a position before {@code base} that concerns the client was written
 * to it (or came before its stream began), and so were those at the positions in {@code ahead}
 * (events written out of log order, while an earlier one was held back to keep a conversation's
 * seq order). Resuming from it replays exactly the others.
 *
 * <p>Its text form is opaque to clients: base64url of {@code 1|epoch|base|ahead,ahead,...}.
 */
record StreamCursor(String epoch, LogPosition base, NavigableSet<LogPosition> ahead) {
  /** The longest cursor accepted from a client. */
  static final int MAX_LENGTH = 8_192;

  StreamCursor {
    requireNonNull(epoch, "epoch");
    requireNonNull(base, "base");
    ahead = Collections.unmodifiableNavigableSet(new TreeSet<>(ahead));
  }

  String encode() {
    return encode(epoch, base, ahead);
  }

  /** The text form of a cursor of these parts, without making one (streams write one per event). */
  static String encode(String epoch, LogPosition base, Iterable<LogPosition> ahead) {
    StringBuilder text = new StringBuilder(96).append("1|").append(epoch).append('|').append(base).append('|');
    boolean first = true;
    for (LogPosition position : ahead) {
      if (!first) {
        text.append(',');
      }
      text.append(position);
      first = false;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(UTF_8));
  }

  /**
   * Parses a client's cursor.
   *
   * @throws ParleyException INVALID_CURSOR if this server did not write it
   */
  static StreamCursor decode(String cursor) {
    if (cursor.length() > MAX_LENGTH) {
      throw invalid("the cursor is longer than " + MAX_LENGTH + " characters");
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), UTF_8);
      String[] parts = text.split("\\|", -1);
      if (parts.length != 4 || !parts[0].equals("1") || parts[1].isEmpty()) {
        throw invalid("the cursor is not one this server wrote");
      }
      TreeSet<LogPosition> ahead = new TreeSet<>();
      if (!parts[3].isEmpty()) {
        for (String position : parts[3].split(",", -1)) {
          ahead.add(LogPosition.parse(position));
        }
      }
      return new StreamCursor(parts[1], LogPosition.parse(parts[2]), ahead);
    } catch (IllegalArgumentException e) {
      throw invalid("the cursor is not one this server wrote");
    }
  }

  private static ParleyException invalid(String message) {
    return ParleyException.builder(ErrorReason.INVALID_CURSOR).message(message + ": subscribe without it")
        .violation("cursor", message).build();
  }
}
