package io.parley.friend;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One page of a list, newest first.
 *
 * @param items the items of the page, at most the page size
 * @param next where the next page starts, or null if this is the last page
 */
record Page<T>(List<T> items, ListCursor next) {
  Page {
    items = List.copyOf(requireNonNull(items, "items"));
  }

  /**
   * The page of the first {@code limit} of {@code items}, which are the candidates in list order
   * with their positions; there is a next page if there are more candidates than {@code limit}.
   */
  static <T> Page<T> of(List<T> items, List<ListCursor> positions, int limit) {
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    return new Page<>(items.subList(0, limit), positions.get(limit - 1));
  }
}
