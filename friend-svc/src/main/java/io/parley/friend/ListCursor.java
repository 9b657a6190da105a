package io.parley.friend;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A position in one of a user's lists (friends, blocked users, incoming or outgoing requests),
 * which are ordered newest first: by time descending, then by key descending to break ties within
 * one millisecond. The natural order of cursors is that list order.
 *
 * <p>A page token carries the cursor of the last item of its page; the next page holds the items
 * strictly after it. A cursor is only a position: it grants nothing, since a list is always the
 * caller's own.
 *
 * @param time epoch milliseconds of the item (when the friendship, block or request began)
 * @param key the other user's id (friends, blocked users) or the request id (requests)
 */
record ListCursor(long time, String key) implements Comparable<ListCursor> {
  private static final Pattern KEY = Pattern.compile("[0-9a-z]{1,64}");

  ListCursor {
    requireNonNull(key, "key");
    if (time < 0) {
      throw new IllegalArgumentException("time must not be negative: " + time);
    }
  }

  /** The cursor encoded by {@link #encode()}, or null if {@code encoded} is not one. */
  static ListCursor parseOrNull(String encoded) {
    int colon = encoded.indexOf(':');
    if (colon <= 0 || colon > 19) {
      return null;
    }
    String key = encoded.substring(colon + 1);
    if (!KEY.matcher(key).matches()) {
      return null;
    }
    try {
      long time = Long.parseLong(encoded.substring(0, colon));
      return time < 0 ? null : new ListCursor(time, key);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code "<time>:<key>"}. */
  String encode() {
    return time + ":" + key;
  }

  /** Newest first: a greater time sorts first, then a greater key. */
  @Override
  public int compareTo(ListCursor other) {
    int byTime = Long.compare(other.time, time);
    return byTime != 0 ? byTime : other.key.compareTo(key);
  }
}
