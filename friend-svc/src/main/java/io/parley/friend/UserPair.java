package io.parley.friend;

import static java.util.Objects.requireNonNull;

/**
 * Two different users in canonical order, the smaller id (by {@link String#compareTo}) first, so
 * that {@code of(a, b)} and {@code of(b, a)} are the same pair. Everything friend-svc knows about
 * two users is keyed by their pair: the friendship, both remarks, both blocks and their requests.
 *
 * @param low the smaller user id
 * @param high the larger user id
 */
record UserPair(String low, String high) {
  UserPair {
    requireNonNull(low, "low");
    requireNonNull(high, "high");
    if (low.compareTo(high) >= 0) {
      throw new IllegalArgumentException("a pair needs two different ids in order: " + low + ", " + high);
    }
  }

  /**
   * The pair of {@code a} and {@code b}, in either order.
   *
   * @throws IllegalArgumentException if {@code a} and {@code b} are the same user
   */
  static UserPair of(String a, String b) {
    requireNonNull(a, "a");
    requireNonNull(b, "b");
    return a.compareTo(b) < 0 ? new UserPair(a, b) : new UserPair(b, a);
  }

  /** The user of the pair who is not {@code userId}. */
  String other(String userId) {
    if (userId.equals(low)) {
      return high;
    }
    if (userId.equals(high)) {
      return low;
    }
    throw new IllegalArgumentException(userId + " is not one of " + this);
  }

  /** {@code "<low>_<high>"}: user ids contain no {@code _}, so this names the pair unambiguously. */
  String tag() {
    return low + "_" + high;
  }

  @Override
  public String toString() {
    return tag();
  }
}
