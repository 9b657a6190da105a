package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * A {@link UserStore} in this process's memory: the embedded default. Accounts are lost when the
 * process exits and are not shared with other processes.
 *
 * <p>Thread-safe: writes are serialized on one lock, so an account and its index entries change
 * together; reads take no lock.
 */
final class MemoryUserStore implements UserStore {
  private final Object lock = new Object();
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final Map<String, String> idsByUsername = new ConcurrentHashMap<>();
  private final NavigableSet<String> usernameIndex = new ConcurrentSkipListSet<>(UserSearch.MEMBER_ORDER);
  private final NavigableSet<String> nicknameIndex = new ConcurrentSkipListSet<>(UserSearch.MEMBER_ORDER);
  private final UserSearch search;

  /** @param scanLimit nickname index entries one search call may examine */
  MemoryUserStore(int scanLimit) {
    this.search = new UserSearch(new Index(), scanLimit);
  }

  @Override
  public boolean create(Account account) {
    requireNonNull(account, "account");
    synchronized (lock) {
      if (idsByUsername.containsKey(account.username())) {
        return false;
      }
      if (accounts.containsKey(account.userId())) {
        throw new IllegalStateException("user id " + account.userId() + " is already in use");
      }
      accounts.put(account.userId(), account);
      idsByUsername.put(account.username(), account.userId());
      usernameIndex.add(UserSearch.usernameMember(account.user()));
      nicknameIndex.add(UserSearch.nicknameMember(account.user()));
      return true;
    }
  }

  @Override
  public Optional<Account> findById(String userId) {
    return Optional.ofNullable(accounts.get(userId));
  }

  @Override
  public Optional<Account> findByUsername(String username) {
    String userId = idsByUsername.get(username);
    return userId == null ? Optional.empty() : findById(userId);
  }

  @Override
  public Map<String, User> findUsers(Collection<String> userIds) {
    Map<String, User> found = new LinkedHashMap<>();
    for (String userId : userIds) {
      Account account = accounts.get(userId);
      if (account != null) {
        found.put(userId, account.user());
      }
    }
    return found;
  }

  @Override
  public Optional<User> updateProfile(String userId, UpdateProfileRequest change) {
    requireNonNull(change, "change");
    synchronized (lock) {
      Account account = accounts.get(userId);
      if (account == null) {
        return Optional.empty();
      }
      User.Builder user = account.user().toBuilder();
      if (change.hasNickname()) {
        user.setNickname(change.getNickname());
      }
      if (change.hasAvatarUrl()) {
        user.setAvatarUrl(change.getAvatarUrl());
      }
      if (change.hasBio()) {
        user.setBio(change.getBio());
      }
      User updated = user.build();
      accounts.put(userId, new Account(updated, account.passwordHash()));
      nicknameIndex.remove(UserSearch.nicknameMember(account.user()));
      nicknameIndex.add(UserSearch.nicknameMember(updated));
      return Optional.of(updated);
    }
  }

  @Override
  public boolean replacePasswordHash(String userId, String expectedHash, String newHash) {
    requireNonNull(expectedHash, "expectedHash");
    requireNonNull(newHash, "newHash");
    synchronized (lock) {
      Account account = accounts.get(userId);
      if (account == null || !account.passwordHash().equals(expectedHash)) {
        return false;
      }
      accounts.put(userId, new Account(account.user(), newHash));
      return true;
    }
  }

  @Override
  public SearchPage search(String query, int pageSize, SearchCursor after) {
    return search.search(query, pageSize, after);
  }

  @Override
  public void close() {
    synchronized (lock) {
      accounts.clear();
      idsByUsername.clear();
      usernameIndex.clear();
      nicknameIndex.clear();
    }
  }

  private final class Index implements UserSearch.Index {
    @Override
    public List<String> usernameMembers(String prefix, String after, int limit) {
      NavigableSet<String> range = usernameIndex.subSet(prefix, true, prefix + '\u007f', false);
      if (after != null) {
        range = range.tailSet(after, false);
      }
      return range.stream().limit(limit).toList();
    }

    @Override
    public UserSearch.NicknameScan scanNicknames(
        String query, String excludedUsernamePrefix, String after, int limit, int budget) {
      NavigableSet<String> rest = after == null ? nicknameIndex : nicknameIndex.tailSet(after, false);
      List<String> matches = new ArrayList<>();
      String last = null;
      int examined = 0;
      for (String member : rest) {
        examined++;
        last = member;
        if (UserSearch.nicknameMatches(member, query, excludedUsernamePrefix)) {
          matches.add(member);
          if (matches.size() == limit) {
            return new UserSearch.NicknameScan(matches, last, false);
          }
        }
        if (examined == budget) {
          // As in PostgresUserStore: a spent budget ends the call, even where the index ends too.
          return new UserSearch.NicknameScan(matches, last, false);
        }
      }
      return new UserSearch.NicknameScan(matches, last, true);
    }

    @Override
    public Map<String, User> registeredUsers(List<UserSearch.Entry> entries) {
      return findUsers(entries.stream().map(UserSearch.Entry::userId).toList());
    }
  }
}
