package io.parley.user;

import static java.util.Objects.requireNonNull;

/**
 * Where a SearchUsers page ends: in which of the two indexes, and after which entry. Carried in
 * the page token (see {@link io.parley.data.PageTokens}); a forged cursor can only move the start
 * of a scan, never widen what a query returns.
 *
 * @param phase the index the next page continues in
 * @param after the last entry of that index already covered, or null to start at its beginning
 */
record SearchCursor(Phase phase, String after) {
  /** The first page. */
  static final SearchCursor FIRST = new SearchCursor(Phase.USERNAME, null);

  /** The two parts of a search, in the order they are paged. */
  enum Phase {
    /** Users whose username starts with the query. */
    USERNAME('u'),
    /** Users whose nickname contains the query. */
    NICKNAME('n');

    private final char code;

    Phase(char code) {
      this.code = code;
    }
  }

  SearchCursor {
    requireNonNull(phase, "phase");
    if (after != null && after.isEmpty()) {
      throw new IllegalArgumentException("after must be null or non-empty");
    }
  }

  static SearchCursor nicknamesAfter(String member) {
    return new SearchCursor(Phase.NICKNAME, member);
  }

  /** The cursor as text: the phase's letter, ':', and the entry (empty for the beginning). */
  String format() {
    return phase.code + ":" + (after == null ? "" : after);
  }

  /**
   * Parses {@link #format()}.
   *
   * @throws IllegalArgumentException if {@code text} is not a cursor
   */
  static SearchCursor parse(String text) {
    if (text == null || text.length() < 2 || text.charAt(1) != ':') {
      throw new IllegalArgumentException("not a search cursor");
    }
    String after = text.length() == 2 ? null : text.substring(2);
    for (Phase phase : Phase.values()) {
      if (phase.code == text.charAt(0)) {
        return new SearchCursor(phase, after);
      }
    }
    throw new IllegalArgumentException("not a search cursor");
  }
}
