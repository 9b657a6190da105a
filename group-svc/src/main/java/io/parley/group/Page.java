package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.data.PageTokens;
import java.util.List;

/**
 * One page of a listing from a {@link GroupStore}: the items, and the cursor to pass for the next
 * page, null on the last one. Cursors are store-neutral strings, wrapped by the service into AIP-158
 * page tokens:
 *
 * <ul>
 *   <li>members of a group: the join time (epoch ms) of the last member returned; join times are
 *       distinct within a group, so the next page starts strictly after it;
 *   <li>groups of a user: {@code "<score>:<groupId>"} of the last group returned, in the user's
 *       index order (score descending, then group id descending).
 * </ul>
 *
 * @param items the items of this page, never null
 * @param nextCursor the cursor of the next page, or null if there is none
 */
record Page<T>(List<T> items, String nextCursor) {
  Page {
    items = List.copyOf(requireNonNull(items, "items"));
  }

  /**
   * The join time in a member cursor, or {@link Long#MIN_VALUE} for the first page (null).
   *
   * @throws io.parley.error.ParleyException INVALID_PAGE_TOKEN if it is not a member cursor
   */
  static long afterJoin(String cursor) {
    if (cursor == null) {
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw PageTokens.invalidToken();
    }
  }

  /** A position in a user's group index: its score (the join time, negative while pending) and group id. */
  record IndexPosition(long score, String groupId) {
    IndexPosition {
      requireNonNull(groupId, "groupId");
    }

    /** Whether this position comes after {@code other} in index order (score descending, then id descending). */
    boolean isAfter(IndexPosition other) {
      return score != other.score ? score < other.score : groupId.compareTo(other.groupId) < 0;
    }

    String cursor() {
      return score + ":" + groupId;
    }

    /**
     * The position in a group cursor, or null for the first page (null).
     *
     * @throws io.parley.error.ParleyException INVALID_PAGE_TOKEN if it is not a group cursor
     */
    static IndexPosition parse(String cursor) {
      if (cursor == null) {
        return null;
      }
      int colon = cursor.indexOf(':');
      if (colon <= 0 || colon == cursor.length() - 1) {
        throw PageTokens.invalidToken();
      }
      try {
        return new IndexPosition(Long.parseLong(cursor.substring(0, colon)), cursor.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw PageTokens.invalidToken();
      }
    }
  }
}
