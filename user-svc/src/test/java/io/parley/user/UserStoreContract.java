package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link UserStore} owes its callers, run against each implementation. Each
 * test gets a fresh, empty store from {@link #newStore}.
 */
abstract class UserStoreContract {
  private final List<UserStore> stores = new ArrayList<>();

  /**
   * A new, empty store examining at most {@code scanLimit} nickname entries per search call; called
   * once per test.
   */
  abstract UserStore newStore(int scanLimit);

  private UserStore store() {
    return store(5000);
  }

  private UserStore store(int scanLimit) {
    UserStore store = newStore(scanLimit);
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(UserStore::close);
  }

  static Account account(String username, String nickname) {
    User user = User.newBuilder()
        .setUserId(Ids.newId("u"))
        .setUsername(username)
        .setNickname(nickname)
        .setCreateTime(Timestamps.fromMillis(1_700_000_000_123L))
        .build();
    return new Account(user, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + username);
  }

  @Test
  void createdAccountIsFoundByIdAndByUsername() {
    UserStore store = store();
    Account alice = account("alice", "Alice A.");

    assertThat(store.create(alice)).isTrue();
    assertThat(store.findById(alice.userId())).contains(alice);
    assertThat(store.findByUsername("alice")).contains(alice);
    assertThat(store.findById(alice.userId()).orElseThrow().user().getCreateTime())
        .isEqualTo(Timestamps.fromMillis(1_700_000_000_123L));
  }

  @Test
  void unknownIdsAndUsernamesAreNotFound() {
    UserStore store = store();
    store.create(account("alice", "Alice"));

    assertThat(store.findById(Ids.newId("u"))).isEmpty();
    assertThat(store.findByUsername("bob")).isEmpty();
    assertThat(store.findUsers(List.of(Ids.newId("u")))).isEmpty();
  }

  @Test
  void aSecondAccountWithTheSameUsernameIsNotStoredAndLeavesTheFirstIntact() {
    UserStore store = store();
    Account first = account("alice", "First");
    store.create(first);
    Account second = account("alice", "Second");

    assertThat(store.create(second)).isFalse();
    assertThat(store.findByUsername("alice")).contains(first);
    assertThat(store.findById(second.userId())).isEmpty();
    assertThat(store.search("second", 10, SearchCursor.FIRST).users()).isEmpty();
    assertThat(store.search("alice", 10, SearchCursor.FIRST).users()).containsExactly(first.user());
  }

  @Test
  void concurrentRegistrationsOfOneUsernameLetExactlyOneWin() throws Exception {
    UserStore store = store();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Account candidate = account("popular", "Candidate " + i);
        Callable<Boolean> register = () -> {
          start.await();
          return store.create(candidate);
        };
        results.add(pool.submit(register));
      }
      start.countDown();
      int winners = 0;
      for (Future<Boolean> result : results) {
        winners += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      Account holder = store.findByUsername("popular").orElseThrow();
      assertThat(store.search("popular", 10, SearchCursor.FIRST).users()).containsExactly(holder.user());
      assertThat(store.search("candidate", 10, SearchCursor.FIRST).users()).containsExactly(holder.user());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anAccountWithAnIdInUseIsABugAndClaimsNothing() {
    UserStore store = store();
    Account alice = account("alice", "Alice");
    store.create(alice);
    Account sameId = new Account(alice.user().toBuilder().setUsername("bob").build(), alice.passwordHash());

    assertThatThrownBy(() -> store.create(sameId)).isInstanceOf(IllegalStateException.class);
    assertThat(store.findByUsername("bob")).isEmpty();
    assertThat(store.findById(alice.userId())).contains(alice);
  }

  @Test
  void findUsersReturnsTheExistingOnesById() {
    UserStore store = store();
    Account alice = account("alice", "Alice");
    Account bob = account("bob", "Bob");
    store.create(alice);
    store.create(bob);
    String unknown = Ids.newId("u");

    Map<String, User> found = store.findUsers(List.of(bob.userId(), unknown, alice.userId(), bob.userId()));

    assertThat(found).containsOnly(Map.entry(alice.userId(), alice.user()), Map.entry(bob.userId(), bob.user()));
    assertThat(store.findUsers(List.of())).isEmpty();
  }

  @Test
  void updateProfileSetsOnlyThePresentFields() {
    UserStore store = store();
    Account alice = account("alice", "Alice");
    store.create(alice);

    User withBio = store.updateProfile(alice.userId(), UpdateProfileRequest.newBuilder()
        .setBio("hello").setAvatarUrl("https://example.com/a.png").build()).orElseThrow();
    User renamed = store.updateProfile(alice.userId(), UpdateProfileRequest.newBuilder()
        .setNickname("Ally").build()).orElseThrow();
    User cleared = store.updateProfile(alice.userId(), UpdateProfileRequest.newBuilder()
        .setAvatarUrl("").build()).orElseThrow();

    assertThat(withBio.getNickname()).isEqualTo("Alice");
    assertThat(withBio.getBio()).isEqualTo("hello");
    assertThat(renamed.getNickname()).isEqualTo("Ally");
    assertThat(renamed.getAvatarUrl()).isEqualTo("https://example.com/a.png");
    assertThat(cleared.getAvatarUrl()).isEmpty();
    assertThat(cleared.getBio()).isEqualTo("hello");
    assertThat(store.findById(alice.userId()).orElseThrow().user()).isEqualTo(cleared);
    assertThat(store.findById(alice.userId()).orElseThrow().passwordHash()).isEqualTo(alice.passwordHash());
    assertThat(cleared.getUsername()).isEqualTo("alice");
    assertThat(cleared.getCreateTime()).isEqualTo(alice.user().getCreateTime());
  }

  @Test
  void updateProfileOfAnUnknownUserIsEmpty() {
    UserStore store = store();

    assertThat(store.updateProfile(Ids.newId("u"), UpdateProfileRequest.newBuilder().setBio("x").build())).isEmpty();
  }

  @Test
  void replacePasswordHashNeedsTheCurrentHash() {
    UserStore store = store();
    Account alice = account("alice", "Alice");
    store.create(alice);

    assertThat(store.replacePasswordHash(alice.userId(), "not the hash", "new")).isFalse();
    assertThat(store.replacePasswordHash(alice.userId(), alice.passwordHash(), "new")).isTrue();
    assertThat(store.replacePasswordHash(alice.userId(), alice.passwordHash(), "newer")).isFalse();
    assertThat(store.findById(alice.userId()).orElseThrow().passwordHash()).isEqualTo("new");
    assertThat(store.replacePasswordHash(Ids.newId("u"), "new", "x")).isFalse();
  }

  @Test
  void searchListsUsernamePrefixMatchesThenNicknameMatchesEachUserOnce() {
    UserStore store = store();
    Account annie = account("annie", "Annie");
    Account ann = account("ann", "Ann the first");
    Account joanna = account("joe", "Joanna");
    Account hannah = account("h.hannah", "HANNAH");
    Account bob = account("bob", "Bob");
    List.of(annie, ann, joanna, hannah, bob).forEach(store::create);

    UserStore.SearchPage page = store.search("ann", 10, SearchCursor.FIRST);

    // Usernames by prefix in username order, then nicknames by substring in folded nickname order.
    assertThat(page.users()).containsExactly(ann.user(), annie.user(), hannah.user(), joanna.user());
    assertThat(page.next()).isNull();
  }

  @Test
  void searchMatchesNicknamesIgnoringCaseAndBeyondAscii() {
    UserStore store = store();
    Account ming = account("ming", "小明同学");
    Account zoe = account("zoe", "ZOË Smith");
    Account emoji = account("fox", "🦊 Fox");
    List.of(ming, zoe, emoji).forEach(store::create);

    assertThat(store.search("明同", 10, SearchCursor.FIRST).users()).containsExactly(ming.user());
    assertThat(store.search("zoë s", 10, SearchCursor.FIRST).users()).containsExactly(zoe.user());
    assertThat(store.search("🦊", 10, SearchCursor.FIRST).users()).containsExactly(emoji.user());
    assertThat(store.search("fo", 10, SearchCursor.FIRST).users()).containsExactly(emoji.user());
  }

  @Test
  void pagingVisitsEveryMatchOnceInOrder() {
    UserStore store = store();
    List<User> expected = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      Account byName = account(String.format("team%02d", i), "Member " + i);
      store.create(byName);
      expected.add(byName.user());
    }
    List<User> byNickname = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      Account nick = account(String.format("x%02d", i), String.format("Dream Team %02d", i));
      store.create(nick);
      byNickname.add(nick.user());
    }
    expected.addAll(byNickname);
    store.create(account("unrelated", "Nobody"));

    List<User> seen = new ArrayList<>();
    SearchCursor cursor = SearchCursor.FIRST;
    int pages = 0;
    do {
      UserStore.SearchPage page = store.search("team", 4, cursor);
      assertThat(page.users()).hasSizeLessThanOrEqualTo(4);
      seen.addAll(page.users());
      cursor = page.next() == null ? null : SearchCursor.parse(page.next().format());
      pages++;
    } while (cursor != null && pages < 50);

    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void aSmallScanLimitGivesShortPagesButStillEveryMatch() {
    UserStore store = store(3);
    List<User> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Account filler = account(String.format("filler%02d", i), String.format("Filler %02d", i));
      store.create(filler);
      if (i % 4 == 0) {
        Account match = account(String.format("match%02d", i), String.format("Filler %02d needle", i));
        store.create(match);
        expected.add(match.user());
      }
    }

    List<User> seen = new ArrayList<>();
    SearchCursor cursor = SearchCursor.FIRST;
    int pages = 0;
    do {
      UserStore.SearchPage page = store.search("needle", 10, cursor);
      seen.addAll(page.users());
      cursor = page.next();
      pages++;
    } while (cursor != null && pages < 50);

    assertThat(seen).containsExactlyElementsOf(expected);
    // 13 index entries, 3 examined per call.
    assertThat(pages).isGreaterThanOrEqualTo(5);
  }

  @Test
  void searchFollowsNicknameChanges() {
    UserStore store = store();
    Account alice = account("alice", "Wonderland");
    store.create(alice);

    User renamed = store.updateProfile(alice.userId(), UpdateProfileRequest.newBuilder().setNickname("Looking Glass").build())
        .orElseThrow();

    assertThat(store.search("wonder", 10, SearchCursor.FIRST).users()).isEmpty();
    assertThat(store.search("glass", 10, SearchCursor.FIRST).users()).containsExactly(renamed);
  }

  @Test
  void concurrentNicknameUpdatesLeaveOnlyTheLastNicknameSearchable() throws Exception {
    UserStore store = store();
    Account alice = account("alice", "start");
    store.create(alice);
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String nickname = "racer" + i;
        done.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < 5; round++) {
            store.updateProfile(alice.userId(), UpdateProfileRequest.newBuilder().setNickname(nickname + "-" + round).build());
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    User current = store.findById(alice.userId()).orElseThrow().user();

    assertThat(store.search("racer", 100, SearchCursor.FIRST).users()).containsExactly(current);
    assertThat(store.search(current.getNickname(), 100, SearchCursor.FIRST).users()).containsExactly(current);
    assertThat(store.search("start", 100, SearchCursor.FIRST).users()).isEmpty();
  }

  @Test
  void aForgedCursorOnlyMovesWhereTheSearchStarts() {
    UserStore store = store();
    Account alice = account("alice", "Alice");
    Account bob = account("bob", "Bob");
    Account bobby = account("bobby", "Bobby");
    Account zed = account("zed", "Friend of bob");
    List.of(alice, bob, bobby, zed).forEach(store::create);

    assertThat(store.search("bo", 10, new SearchCursor(SearchCursor.Phase.USERNAME, "a")).users())
        .containsExactly(bob.user(), bobby.user(), zed.user());
    assertThat(store.search("bo", 10, new SearchCursor(SearchCursor.Phase.USERNAME, "zzz")).users())
        .containsExactly(zed.user());
    assertThat(store.search("bo", 10, new SearchCursor(SearchCursor.Phase.USERNAME, "bob\u0001")).users())
        .containsExactly(bobby.user(), zed.user());
    assertThat(store.search("bo", 10, new SearchCursor(SearchCursor.Phase.NICKNAME, "\uFFFF")).users()).isEmpty();
  }

  @Test
  void aQueryThatCannotStartAUsernameSearchesNicknamesOnly() {
    UserStore store = store();
    Account smith = account("bobsmith", "Bob Smith");
    Account other = account("bob", "Robert");
    store.create(smith);
    store.create(other);

    assertThat(store.search("bob s", 10, SearchCursor.FIRST).users()).containsExactly(smith.user());
  }
}
