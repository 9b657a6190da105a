package io.parley.user;

import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where accounts are kept: persistence only. Who may register, log in or change what is decided by
 * {@link UserGrpcService}; a store stores, finds and compares-and-sets. Implementations: {@link
 * MemoryUserStore} (one process, the embedded default) and {@link PostgresUserStore} (the store of
 * record), held to one contract by the same test suite.
 *
 * <p>Every method is thread-safe and each is atomic. Usernames and search queries are passed
 * lower-case (see {@link UserFields#fold}); ids are as {@link io.parley.data.Ids#newId} makes them.
 * A store that cannot be reached throws a {@link io.parley.error.ParleyException} with reason
 * STORE_UNAVAILABLE. No method returns null.
 */
interface UserStore extends AutoCloseable {

  /**
   * Stores a new account and claims its username, together: at most one account holds a username,
   * however many replicas register it at once.
   *
   * @return false, storing nothing, if another account holds the username
   * @throws IllegalStateException if the user id is in use (ids are random: a bug)
   */
  boolean create(Account account);

  Optional<Account> findById(String userId);

  /** The account holding {@code username} (lower-case). */
  Optional<Account> findByUsername(String username);

  /** The profiles of those of {@code userIds} that exist, by id; unknown ids are absent. */
  Map<String, User> findUsers(Collection<String> userIds);

  /**
   * Sets the fields present in {@code change} (nickname, avatar_url, bio; already validated) and
   * keeps the others, atomically for the account; the search index follows.
   *
   * @return the profile after the change, or empty if there is no such user
   */
  Optional<User> updateProfile(String userId, UpdateProfileRequest change);

  /**
   * Replaces the password hash if it still is {@code expectedHash}, so that of two concurrent
   * changes based on the same old password only one wins.
   *
   * @return false if the user is unknown or the hash changed in between
   */
  boolean replacePasswordHash(String userId, String expectedHash, String newHash);

  /**
   * One page of users whose username starts with {@code query} (username order), then of users
   * whose nickname contains it (folded nickname order), each user once; see {@link UserSearch}. A
   * call examines at most {@link UserSettings#searchScanLimit()} nickname index entries, so a page
   * may hold fewer than {@code pageSize} users, even none, and still have a next cursor.
   *
   * @param query the folded query, 1-32 characters
   * @param after where the previous page ended, or {@link SearchCursor#FIRST}
   */
  SearchPage search(String query, int pageSize, SearchCursor after);

  /** Releases what the store holds of its own (not a database that its creator owns). */
  @Override
  void close();

  /**
   * A page of search results.
   *
   * @param users in result order
   * @param next where the next page starts, or null if this is the last page
   */
  record SearchPage(List<User> users, SearchCursor next) {
    public SearchPage {
      users = List.copyOf(users);
    }
  }
}
