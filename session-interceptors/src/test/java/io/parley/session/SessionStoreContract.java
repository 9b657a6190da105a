package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SessionStore} must have, run against the memory store, a real
 * redis-server and a real Redis Cluster. Each test uses fresh user ids, so one store serves the
 * whole class.
 */
abstract class SessionStoreContract {
  static final SessionPolicy POLICY = SessionPolicy.defaults()
      .withMaxInactive(Duration.ofHours(1))
      .withTouchInterval(Duration.ofMinutes(1))
      .withAbsoluteLifetime(Duration.ofDays(2))
      .withEndedRetention(Duration.ofHours(6))
      .withMaxSessionsPerUser(5);

  /** The store under test, sharing {@link #clock()}. */
  abstract SessionStore store();

  abstract MutableClock clock();

  /** How long an event may take to reach a listener of this store. */
  Duration eventDelay() {
    return Duration.ZERO;
  }

  String newUser() {
    return Ids.newId("u");
  }

  SessionRecord record(String userId, Terminal terminal) {
    Instant now = clock().instant();
    return SessionRecord.newBuilder()
        .setUserId(userId)
        .setSessionId(Ids.newSessionId())
        .setTerminal(terminal.getNumber())
        .setDeviceName("Pixel 8")
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(POLICY.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(POLICY.absoluteLifetime()).toEpochMilli())
        .putAttributes("nickname", "Alice")
        .putAttributes("roles", "user")
        .build();
  }

  SessionRecord login(String userId, Terminal terminal) {
    SessionRecord record = record(userId, terminal);
    store().create(record, TerminalPolicy.PER_TERMINAL);
    return record;
  }

  StoredSession get(SessionRecord record) {
    return store().find(record.getUserId(), record.getSessionId()).orElseThrow();
  }

  @Test
  void createdSessionIsFoundActiveWithItsRecord() {
    SessionRecord record = login(newUser(), Terminal.WEB);

    StoredSession found = get(record);

    assertThat(found.state()).isEqualTo(SessionState.ACTIVE);
    assertThat(found.record()).isEqualTo(record);
    assertThat(found.lastAccess()).isEqualTo(clock().instant());
    assertThat(found.isLive(clock().instant())).isTrue();
  }

  @Test
  void unknownSessionIsEmpty() {
    String user = newUser();
    assertThat(store().find(user, "nope")).isEmpty();
    login(user, Terminal.WEB);
    assertThat(store().find(user, "nope")).isEmpty();
  }

  @Test
  void findAllAnswersForEachKeyInOrderWhatFindWould() {
    String alice = newUser();
    String bob = newUser();
    SessionRecord aliceWeb = login(alice, Terminal.WEB);
    SessionRecord aliceMobile = login(alice, Terminal.MOBILE);
    SessionRecord bobWeb = login(bob, Terminal.WEB);
    store().revoke(alice, aliceMobile.getSessionId());
    List<SessionKey> keys = List.of(
        new SessionKey(bob, bobWeb.getSessionId()),
        new SessionKey(alice, "unknown"),
        new SessionKey(alice, aliceMobile.getSessionId()),
        new SessionKey(newUser(), "nobody"),
        new SessionKey(alice, aliceWeb.getSessionId()));

    List<Optional<StoredSession>> found = store().findAll(keys);

    assertThat(found).hasSize(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      assertThat(found.get(i)).as(keys.get(i).toString())
          .isEqualTo(store().find(keys.get(i).userId(), keys.get(i).sessionId()));
    }
    assertThat(found.get(0).orElseThrow().record()).isEqualTo(bobWeb);
    assertThat(found.get(1)).isEmpty();
    assertThat(found.get(2).orElseThrow().state()).isEqualTo(SessionState.REVOKED);
    assertThat(found.get(3)).isEmpty();
    assertThat(found.get(4).orElseThrow().record()).isEqualTo(aliceWeb);
    assertThat(store().findAll(List.of())).isEmpty();
  }

  @Test
  void secondLoginOnTheSameTerminalKicksTheFirstAndLeavesOtherTerminals() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);
    SessionRecord web2 = record(user, Terminal.WEB);

    List<String> kicked = store().create(web2, TerminalPolicy.PER_TERMINAL);

    assertThat(kicked).containsExactly(web.getSessionId());
    assertThat(get(web).state()).isEqualTo(SessionState.KICKED);
    assertThat(get(web).endedAt()).isEqualTo(clock().instant());
    assertThat(get(mobile).state()).isEqualTo(SessionState.ACTIVE);
    assertThat(get(web2).state()).isEqualTo(SessionState.ACTIVE);
  }

  @Test
  void singleSessionPolicyKicksEveryOtherSession() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);

    List<String> kicked = store().create(record(user, Terminal.DESKTOP), TerminalPolicy.SINGLE);

    assertThat(kicked).containsExactlyInAnyOrder(web.getSessionId(), mobile.getSessionId());
    assertThat(store().listLive(user)).hasSize(1);
  }

  @Test
  void unlimitedPolicyKeepsSessionsUpToTheCapThenKicksTheLeastRecentlyActive() {
    String user = newUser();
    List<SessionRecord> records = new ArrayList<>();
    for (int i = 0; i < POLICY.maxSessionsPerUser(); i++) {
      SessionRecord r = record(user, Terminal.WEB);
      assertThat(store().create(r, TerminalPolicy.UNLIMITED)).isEmpty();
      records.add(r);
      clock().advance(Duration.ofSeconds(1));
    }

    store().touch(get(records.get(0)));

    List<String> kicked = store().create(record(user, Terminal.WEB), TerminalPolicy.UNLIMITED);

    assertThat(kicked).containsExactly(records.get(1).getSessionId());
    assertThat(store().listLive(user)).hasSize(POLICY.maxSessionsPerUser());
  }

  @Test
  void twentyConcurrentLoginsOnOneTerminalLeaveExactlyOneLiveSession() throws Exception {
    String user = newUser();
    int logins = 20;
    ExecutorService pool = Executors.newFixedThreadPool(logins);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<String>>> results = new ArrayList<>();
    List<String> created = new CopyOnWriteArrayList<>();
    try {
      for (int i = 0; i < logins; i++) {
        results.add(pool.submit(() -> {
          SessionRecord r = record(user, Terminal.MOBILE);
          created.add(r.getSessionId());
          go.await();
          return store().create(r, TerminalPolicy.PER_TERMINAL);
        }));
      }
      go.countDown();
      List<String> kicked = new ArrayList<>();
      for (Future<List<String>> result : results) {
        kicked.addAll(result.get(10, TimeUnit.SECONDS));
      }

      List<StoredSession> live = store().listLive(user);
      assertThat(live).hasSize(1);
      assertThat(kicked).hasSize(logins - 1).doesNotHaveDuplicates().doesNotContain(live.get(0).sessionId());
      for (String sid : created) {
        SessionState expected = sid.equals(live.get(0).sessionId()) ? SessionState.ACTIVE : SessionState.KICKED;
        assertThat(store().find(user, sid).orElseThrow().state()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void touchSlidesTheIdleExpiry() {
    SessionRecord record = login(newUser(), Terminal.WEB);
    clock().advance(Duration.ofMinutes(50));

    StoredSession touched = store().touch(get(record)).orElseThrow();

    assertThat(touched.lastAccess()).isEqualTo(clock().instant());
    assertThat(touched.expiresAt()).isEqualTo(clock().instant().plus(POLICY.maxInactive()));
    clock().advance(Duration.ofMinutes(50));
    assertThat(get(record).isLive(clock().instant())).isTrue();
  }

  @Test
  void touchAllRecordsActivityAtTheGivenTimeButNotTwiceWithinATouchInterval() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);
    SessionRecord revoked = login(newUser(), Terminal.WEB);
    store().revoke(revoked.getUserId(), revoked.getSessionId());
    Instant loggedIn = clock().instant();
    clock().advance(Duration.ofMinutes(10));
    Instant at = clock().instant().minusSeconds(30);

    List<Optional<StoredSession>> touched = store().touchAll(List.of(get(web), get(mobile), get(revoked)), at);

    assertThat(touched).hasSize(3);
    assertThat(touched.get(0).orElseThrow().lastAccess()).isEqualTo(at);
    assertThat(touched.get(0).orElseThrow().expiresAt()).isEqualTo(at.plus(POLICY.maxInactive()));
    assertThat(get(web).lastAccess()).isEqualTo(at);
    assertThat(get(mobile).lastAccess()).isEqualTo(at);
    assertThat(touched.get(2).orElseThrow().state()).isEqualTo(SessionState.REVOKED);
    assertThat(loggedIn).isBefore(at);

    // Less than a touch interval after the recorded activity: left alone, and said so.
    clock().advance(POLICY.touchInterval());
    Instant soon = at.plus(POLICY.touchInterval()).minusMillis(1);
    assertThat(store().touchAll(List.of(get(web)), soon).get(0).orElseThrow().lastAccess()).isEqualTo(at);
    assertThat(get(web).lastAccess()).isEqualTo(at);
    // Activity never moves backwards.
    store().touchAll(List.of(get(mobile)), loggedIn);
    assertThat(get(mobile).lastAccess()).isEqualTo(at);
  }

  @Test
  void attributeChangesAreAnnouncedToListeners() throws Exception {
    SessionRecord record = login(newUser(), Terminal.WEB);
    List<String> heard = new CopyOnWriteArrayList<>();
    SessionListener listener = new SessionListener() {
      @Override
      public void sessionEnded(String userId, String sessionId, SessionState state) {}

      @Override
      public void sessionChanged(String userId, String sessionId) {
        if (userId.equals(record.getUserId())) {
          heard.add(sessionId);
        }
      }
    };
    store().addListener(listener);
    try {
      store().updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "Bob"));

      await().atMost(eventDelay().plusMillis(500)).until(() -> !heard.isEmpty());
      assertThat(heard).containsExactly(record.getSessionId());
    } finally {
      store().removeListener(listener);
    }
  }

  @Test
  void idleSessionExpiresAndIsStillReportedAsExpired() {
    SessionRecord record = login(newUser(), Terminal.WEB);

    clock().advance(POLICY.maxInactive().plusSeconds(1));

    StoredSession found = get(record);
    assertThat(found.state()).isEqualTo(SessionState.ACTIVE);
    assertThat(found.isExpired(clock().instant())).isTrue();
    assertThat(store().listLive(record.getUserId())).isEmpty();
    assertThat(store().touch(found).orElseThrow().isExpired(clock().instant())).isTrue();
  }

  @Test
  void absoluteLifetimeEndsASessionInUse() {
    SessionRecord record = login(newUser(), Terminal.WEB);
    for (int i = 0; i < 48; i++) {
      clock().advance(Duration.ofMinutes(59));
      assertThat(store().touch(get(record)).orElseThrow().isLive(clock().instant())).isTrue();
    }
    clock().advance(Duration.ofMinutes(59));
    assertThat(get(record).isExpired(clock().instant())).isTrue();
  }

  @Test
  void revokeEndsOnlyThatSessionOnce() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);

    assertThat(store().revoke(user, web.getSessionId())).isTrue();
    assertThat(store().revoke(user, web.getSessionId())).isFalse();
    assertThat(store().revoke(user, "unknown")).isFalse();

    assertThat(get(web).state()).isEqualTo(SessionState.REVOKED);
    assertThat(get(mobile).state()).isEqualTo(SessionState.ACTIVE);
  }

  @Test
  void revokeAllExceptKeepsOnlyTheGivenSession() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);
    SessionRecord desktop = login(user, Terminal.DESKTOP);

    List<String> revoked = store().revokeAllExcept(user, mobile.getSessionId());

    assertThat(revoked).containsExactlyInAnyOrder(web.getSessionId(), desktop.getSessionId());
    assertThat(store().listLive(user)).extracting(StoredSession::sessionId).containsExactly(mobile.getSessionId());
    assertThat(store().revokeAllExcept(user, null)).containsExactly(mobile.getSessionId());
    assertThat(store().listLive(user)).isEmpty();
  }

  @Test
  void listLiveIsNewestFirstAndOmitsEndedAndExpiredSessions() {
    String user = newUser();
    SessionRecord oldest = login(user, Terminal.WEB);
    clock().advance(Duration.ofMinutes(30));
    SessionRecord middle = login(user, Terminal.MOBILE);
    clock().advance(Duration.ofMinutes(1));
    SessionRecord newest = login(user, Terminal.DESKTOP);
    store().revoke(user, middle.getSessionId());
    clock().advance(Duration.ofMinutes(31));

    assertThat(store().listLive(user)).extracting(StoredSession::sessionId).containsExactly(newest.getSessionId());
    assertThat(get(oldest).isExpired(clock().instant())).isTrue();
  }

  @Test
  void attributeChangesSetAndRemoveKeysAndKeepTheRest() {
    SessionRecord record = login(newUser(), Terminal.WEB);
    Map<String, String> changes = new java.util.HashMap<>();
    changes.put("nickname", "Bob");
    changes.put("roles", null);
    changes.put("theme", "dark");

    assertThat(store().updateAttributes(record.getUserId(), record.getSessionId(), changes)).isTrue();

    assertThat(get(record).record().getAttributesMap()).containsOnly(Map.entry("nickname", "Bob"), Map.entry("theme", "dark"));
    assertThat(get(record).record().getDeviceName()).isEqualTo("Pixel 8");
  }

  @Test
  void concurrentAttributeChangesAreAllKept() throws Exception {
    SessionRecord record = login(newUser(), Terminal.WEB);
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String key = "k" + i;
        results.add(pool.submit(() -> {
          go.await();
          return store().updateAttributes(record.getUserId(), record.getSessionId(), Map.of(key, "v"));
        }));
      }
      go.countDown();
      for (Future<Boolean> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < writers; i++) {
      assertThat(get(record).record().getAttributesMap()).containsEntry("k" + i, "v");
    }
    assertThat(get(record).record().getAttributesMap()).containsEntry("nickname", "Alice");
  }

  @Test
  void staleWritesNeverResurrectAnEndedSession() {
    String user = newUser();
    SessionRecord record = login(user, Terminal.WEB);
    StoredSession stale = get(record);
    clock().advance(Duration.ofMinutes(5));
    store().create(record(user, Terminal.WEB), TerminalPolicy.PER_TERMINAL);

    assertThat(store().touch(stale).orElseThrow().state()).isEqualTo(SessionState.KICKED);
    assertThat(store().updateAttributes(user, record.getSessionId(), Map.of("nickname", "Zombie"))).isFalse();
    assertThat(get(record).state()).isEqualTo(SessionState.KICKED);
  }

  @Test
  void endedAndExpiredSessionsAreForgottenAfterTheRetention() {
    String user = newUser();
    SessionRecord revoked = login(user, Terminal.WEB);
    SessionRecord idle = login(user, Terminal.MOBILE);
    store().revoke(user, revoked.getSessionId());

    clock().advance(POLICY.maxInactive().plus(POLICY.endedRetention()).plusSeconds(1));
    login(user, Terminal.DESKTOP);

    assertThat(store().find(user, revoked.getSessionId())).isEmpty();
    assertThat(store().find(user, idle.getSessionId())).isEmpty();
  }

  @Test
  void listenersHearKicksAndRevocations() throws Exception {
    String user = newUser();
    List<String> heard = new CopyOnWriteArrayList<>();
    store().addListener(new SessionListener() {
      @Override
      public void sessionEnded(String userId, String sessionId, SessionState state) {
        if (userId.equals(user)) {
          heard.add(sessionId + ":" + state);
        }
      }
    });
    SessionRecord first = login(user, Terminal.WEB);
    SessionRecord second = login(user, Terminal.WEB);
    store().revoke(user, second.getSessionId());

    long deadline = System.nanoTime() + eventDelay().plusMillis(500).toNanos();
    while (heard.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(heard).containsExactly(first.getSessionId() + ":KICKED", second.getSessionId() + ":REVOKED");
  }
}
