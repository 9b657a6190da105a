package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.parley.user.v1.User;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SearchUsers paging over two ordered indexes, used by both stores so that they answer and page
 * alike. Each store provides the {@link Index} primitives. Thread-safe if the index is.
 *
 * <p>Index entries ("members") are strings compared by code point, which is the byte order of
 * UTF-8 (PostgreSQL's {@code "C"} collation):
 *
 * <ul>
 *   <li>username index: {@code <username>\0<user id>};
 *   <li>nickname index: {@code <folded nickname>\0<username>\0<user id>}.
 * </ul>
 *
 * NUL sorts before every character a username or nickname may hold, so index order is name order,
 * and it cannot occur inside a name. A page lists username matches first, then nickname matches
 * of users whose username does not also match. Every entry is checked against the account before
 * it is returned, and entries that no longer match it (the account changed between the index scan
 * and the lookup) are skipped.
 */
final class UserSearch {
  static final char SEPARATOR = '\0';

  /** Code point order, the order of UTF-8 bytes. */
  static final Comparator<String> MEMBER_ORDER = UserSearch::compareCodePoints;

  private final Index index;
  private final int scanLimit;

  /** @param scanLimit nickname index entries one call may examine */
  UserSearch(Index index, int scanLimit) {
    this.index = requireNonNull(index, "index");
    if (scanLimit < 1) {
      throw new IllegalArgumentException("scanLimit must be positive: " + scanLimit);
    }
    this.scanLimit = scanLimit;
  }

  /** The primitives a store provides for {@link #search}. */
  interface Index {
    /**
     * Up to {@code limit} username index members starting with {@code prefix}, after {@code after}
     * (exclusive; null for the start; else itself a string starting with {@code prefix}), in order.
     */
    List<String> usernameMembers(String prefix, String after, int limit);

    /**
     * Examines nickname index members after {@code after} (exclusive; null for the start), in order,
     * until {@code limit} of them match or {@code budget} have been examined. A member matches if its
     * nickname contains {@code query} and, when {@code excludedUsernamePrefix} is not null, its
     * username does not start with it.
     */
    NicknameScan scanNicknames(String query, String excludedUsernamePrefix, String after, int limit, int budget);

    /** The profiles of registered accounts among {@code entries}, by user id. */
    Map<String, User> registeredUsers(List<Entry> entries);
  }

  /**
   * What a nickname scan found.
   *
   * @param matches matching members, in order
   * @param lastExamined the last member examined, or null if none was
   * @param exhausted whether the scan reached the end of the index
   */
  record NicknameScan(List<String> matches, String lastExamined, boolean exhausted) {}

  /** A parsed index member. */
  record Entry(String member, String username, String userId) {
    static Entry parse(String member) {
      int last = member.lastIndexOf(SEPARATOR);
      int first = member.indexOf(SEPARATOR);
      if (last <= 0) {
        throw new IllegalStateException("malformed search index entry");
      }
      String username = first == last ? member.substring(0, first) : member.substring(first + 1, last);
      return new Entry(member, username, member.substring(last + 1));
    }
  }

  static String usernameMember(User user) {
    return user.getUsername() + SEPARATOR + user.getUserId();
  }

  static String nicknameMember(User user) {
    return UserFields.fold(user.getNickname()) + SEPARATOR + user.getUsername() + SEPARATOR + user.getUserId();
  }

  /** One page; see {@link UserStore#search}. */
  UserStore.SearchPage search(String query, int pageSize, SearchCursor cursor) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
    }
    boolean byUsername = UserFields.isUsernamePrefix(query);
    List<String> members = new ArrayList<>();
    int room = pageSize;
    String after = cursor.after();
    if (cursor.phase() == SearchCursor.Phase.USERNAME) {
      // A cursor is client input: outside the query's range it starts the range, or is past its end.
      String end = query + '\u007f';
      boolean pastEnd = after != null && MEMBER_ORDER.compare(after, end) >= 0;
      if (after != null && MEMBER_ORDER.compare(after, query) < 0) {
        after = null;
      }
      if (byUsername && !pastEnd) {
        List<String> found = index.usernameMembers(query, after, pageSize + 1);
        if (found.size() > pageSize) {
          members.addAll(found.subList(0, pageSize));
          return page(query, members, new SearchCursor(SearchCursor.Phase.USERNAME, found.get(pageSize - 1)));
        }
        members.addAll(found);
        room -= found.size();
      }
      after = null;
      if (room == 0) {
        return page(query, members, new SearchCursor(SearchCursor.Phase.NICKNAME, null));
      }
    }
    NicknameScan scan = index.scanNicknames(query, byUsername ? query : null, after, room + 1, scanLimit);
    SearchCursor next;
    if (scan.matches().size() > room) {
      members.addAll(scan.matches().subList(0, room));
      next = SearchCursor.nicknamesAfter(scan.matches().get(room - 1));
    } else {
      members.addAll(scan.matches());
      next = scan.exhausted() || scan.lastExamined() == null ? null : SearchCursor.nicknamesAfter(scan.lastExamined());
    }
    return page(query, members, next);
  }

  /** The users behind {@code members}, each checked against its account. */
  private UserStore.SearchPage page(String query, List<String> members, SearchCursor next) {
    if (members.isEmpty()) {
      return new UserStore.SearchPage(List.of(), next);
    }
    List<Entry> entries = members.stream().map(Entry::parse).toList();
    Map<String, User> users = index.registeredUsers(entries);
    List<User> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Entry entry : entries) {
      User user = users.get(entry.userId());
      if (user != null && isCurrent(entry.member(), user, query) && seen.add(user.getUserId())) {
        out.add(user);
      }
    }
    return new UserStore.SearchPage(out, next);
  }

  /** Whether {@code member} is one of the entries {@code user} has now, and it still matches. */
  private static boolean isCurrent(String member, User user, String query) {
    if (member.equals(usernameMember(user))) {
      return user.getUsername().startsWith(query);
    }
    return member.equals(nicknameMember(user)) && UserFields.fold(user.getNickname()).contains(query);
  }

  /** Whether a nickname index member matches, as {@link Index#scanNicknames} defines it. */
  static boolean nicknameMatches(String member, String query, String excludedUsernamePrefix) {
    Entry entry = Entry.parse(member);
    String nickname = member.substring(0, member.indexOf(SEPARATOR));
    return nickname.contains(query)
        && (excludedUsernamePrefix == null || !entry.username().startsWith(excludedUsernamePrefix));
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
