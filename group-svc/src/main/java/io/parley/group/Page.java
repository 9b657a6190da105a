package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.data.Ids;
import io.parley.data.PageTokens;
import java.util.List;

/**
 * One page of a listing: the items, and the cursor to pass for the next page, null on the last
 * one. Cursors are store-neutral strings, wrapped by the service into AIP-158 page tokens:
 *
 * <ul>
 *   <li>members of a group: the join time (epoch ms) of the last member returned; join times are
 *       distinct within a group, so the next page starts strictly after it;
 *   <li>groups of a user, invitations and join requests: a {@link Position}, {@code "<time>:<id>"},
 *       of the last item returned, in listing order (time descending, then id descending).
 * </ul>
 *
 * @param items the items of this page, never null
 * @param nextCursor the cursor of the next page, or null if there is none
 */
record Page<T>(List<T> items, String nextCursor) {
  /** The latest time a cursor may name: the end of year 9999, which every store can represent. */
  static final long MAX_CURSOR_MS = 253_402_300_799_999L;

  Page {
    items = List.copyOf(requireNonNull(items, "items"));
  }

  /**
   * The join time in a member cursor, or -1 for the first page (null): join times are epoch
   * milliseconds, never before 1970.
   *
   * @throws io.parley.error.ParleyException INVALID_PAGE_TOKEN if it is not a member cursor
   */
  static long afterJoin(String cursor) {
    return cursor == null ? -1 : millis(cursor);
  }

  private static long millis(String value) {
    try {
      long ms = Long.parseLong(value);
      if (ms < 0 || ms > MAX_CURSOR_MS) {
        throw PageTokens.invalidToken();
      }
      return ms;
    } catch (NumberFormatException e) {
      throw PageTokens.invalidToken();
    }
  }

  /**
   * A position in a listing newest first: a time (epoch ms; a join or creation time) and the id
   * (of a group or a user) that breaks ties.
   */
  record Position(long timeMs, String id) {
    Position {
      requireNonNull(id, "id");
    }

    /** Whether this position comes after {@code other} (time descending, then id descending). */
    boolean isAfter(Position other) {
      return timeMs != other.timeMs ? timeMs < other.timeMs : id.compareTo(other.id) < 0;
    }

    String cursor() {
      return timeMs + ":" + id;
    }

    /**
     * The position in a cursor whose ids have {@code idPrefix} ({@code "g"} for groups, {@code
     * "u"} for users), or null for the first page (null).
     *
     * @throws io.parley.error.ParleyException INVALID_PAGE_TOKEN if it is not such a cursor
     */
    static Position parse(String cursor, String idPrefix) {
      if (cursor == null) {
        return null;
      }
      int colon = cursor.indexOf(':');
      if (colon <= 0 || !Ids.isValid(cursor.substring(colon + 1), idPrefix)) {
        throw PageTokens.invalidToken();
      }
      return new Position(millis(cursor.substring(0, colon)), cursor.substring(colon + 1));
    }
  }
}
