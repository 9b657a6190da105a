package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas' caches in front of one real redis-server: a cached check costs no round trip, and a
 * revocation on one replica is seen by the other within 100 ms.
 */
class CachingSessionStoreTest {
  private static final SessionPolicy POLICY = SessionPolicy.defaults();

  private static RedisServer redis;
  private static MutableClock clock;
  private static CachingSessionStore replicaA;
  private static CachingSessionStore replicaB;

  @BeforeAll
  static void start() throws InterruptedException {
    redis = RedisServer.start();
    clock = MutableClock.startingNow();
    replicaA = cachedReplica();
    replicaB = cachedReplica();
  }

  private static CachingSessionStore cachedReplica() throws InterruptedException {
    RedisSessionStore shared = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    assertThat(shared.awaitEvents(Duration.ofSeconds(5))).isTrue();
    CachingSessionStore cached = CachingSessionStore.builder(shared).clock(clock).build();
    awaitCaching(cached);
    return cached;
  }

  @AfterAll
  static void stop() {
    replicaA.close();
    replicaB.close();
    redis.close();
  }

  @Test
  void cachedLookupMakesNoRedisRoundTrip() {
    SessionRecord record = login(replicaA, Terminal.WEB);
    replicaA.find(record.getUserId(), record.getSessionId());
    long before = redis.totalCommands();

    for (int i = 0; i < 1000; i++) {
      assertThat(replicaA.find(record.getUserId(), record.getSessionId()).orElseThrow().state())
          .isEqualTo(SessionState.ACTIVE);
    }

    assertThat(redis.totalCommands()).isEqualTo(before);
  }

  @Test
  void revocationOnOneReplicaIsSeenByTheOtherWithin100Milliseconds() throws InterruptedException {
    List<SessionRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      SessionRecord record = login(replicaA, Terminal.WEB);
      assertThat(replicaA.find(record.getUserId(), record.getSessionId()).orElseThrow().state())
          .isEqualTo(SessionState.ACTIVE);
      records.add(record);
    }

    for (SessionRecord record : records) {
      replicaB.revoke(record.getUserId(), record.getSessionId());
      long revokedAt = System.nanoTime();
      while (replicaA.find(record.getUserId(), record.getSessionId()).orElseThrow().state() == SessionState.ACTIVE) {
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofMillis(100));
        Thread.sleep(1);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofMillis(100));
    }
  }

  @Test
  void kickOnOneReplicaIsSeenByTheOther() throws InterruptedException {
    SessionRecord first = login(replicaA, Terminal.MOBILE);
    replicaA.find(first.getUserId(), first.getSessionId());

    replicaB.create(record(first.getUserId(), Terminal.MOBILE), TerminalPolicy.PER_TERMINAL);

    long deadline = System.nanoTime() + Duration.ofMillis(100).toNanos();
    while (replicaA.find(first.getUserId(), first.getSessionId()).orElseThrow().state() != SessionState.KICKED) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  @Test
  void entriesExpireAfterTheirTtlEvenWithoutEvents() {
    FakeTicker ticker = new FakeTicker();
    MemorySessionStore memory = new MemorySessionStore(clock, POLICY);
    CachingSessionStore cached = CachingSessionStore.builder(memory).clock(clock).ticker(ticker)
        .ttl(Duration.ofSeconds(4)).build();
    SessionRecord record = record(Ids.newId("u"), Terminal.WEB);
    memory.create(record, TerminalPolicy.PER_TERMINAL);
    StoredSession before = cached.find(record.getUserId(), record.getSessionId()).orElseThrow();

    // Changed behind the cache's back, with no event: served stale until the TTL passes. (Before
    // half the TTL no use reads it again in the background either.)
    memory.updateAttributes(before.userId(), before.sessionId(), Map.of("nickname", "changed"));
    ticker.advance(Duration.ofMillis(1999));
    assertThat(cached.find(record.getUserId(), record.getSessionId()).orElseThrow().record().getAttributesMap())
        .doesNotContainKey("nickname");
    ticker.advance(Duration.ofMillis(2002));
    assertThat(cached.find(record.getUserId(), record.getSessionId()).orElseThrow().record().getAttributesMap())
        .containsEntry("nickname", "changed");
    cached.close();
  }

  @Test
  void aSessionInUseIsReadAgainInTheBackgroundWithoutKeepingTheCallWaiting() throws InterruptedException {
    Gated rig = new Gated();
    FakeTicker ticker = rig.ticker;
    GatedStore gated = rig.store;
    CachingSessionStore cached = rig.cached;
    SessionRecord record = rig.record;
    gated.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "changed"));

    // Past the refresh point (at most 3/4 of the TTL): the call is answered from the cache at once,
    // however slow the store, and the store is read again behind it.
    ticker.advance(Duration.ofMillis(3001));
    gated.hold();
    long started = System.nanoTime();
    assertThat(cached.find(record.getUserId(), record.getSessionId()).orElseThrow().record().getAttributesMap())
        .doesNotContainKey("nickname");
    assertThat(System.nanoTime() - started).isLessThan(Duration.ofMillis(500).toNanos());
    assertThat(gated.awaitHeld()).isTrue();
    gated.release();
    assertThat(gated.awaitReturned()).isTrue();

    awaitAttribute(cached, record, "nickname", "changed");
    assertThat(gated.finds.get()).isEqualTo(2);
    // The reloaded entry lives a new TTL: still served at the old entry's expiry.
    ticker.advance(Duration.ofMillis(1500));
    assertThat(cached.find(record.getUserId(), record.getSessionId())).isPresent();
    assertThat(gated.finds.get()).isEqualTo(2);
    cached.close();
  }

  @Test
  void aBackgroundReadNeverUndoesARevocationThatRacedIt() throws InterruptedException {
    Gated rig = new Gated();
    FakeTicker ticker = rig.ticker;
    GatedStore gated = rig.store;
    CachingSessionStore cached = rig.cached;
    SessionRecord record = rig.record;

    // The background read sees the session ACTIVE, then the revocation lands before it returns.
    ticker.advance(Duration.ofMillis(3001));
    gated.hold();
    cached.find(record.getUserId(), record.getSessionId());
    assertThat(gated.awaitHeld()).isTrue();
    assertThat(cached.revoke(record.getUserId(), record.getSessionId())).isTrue();
    gated.release();
    assertThat(gated.awaitReturned()).isTrue();
    Thread.sleep(100);

    assertThat(cached.find(record.getUserId(), record.getSessionId()).map(StoredSession::state))
        .isNotEqualTo(Optional.of(SessionState.ACTIVE));
    cached.close();
  }

  @Test
  void backgroundReadsGoOnAfterTheStoreThrowsAnything() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    AtomicInteger batches = new AtomicInteger();
    SessionStore failingOnce = new ForwardingSessionStore(new MemorySessionStore(clock, POLICY)) {
      @Override
      public List<Optional<StoredSession>> findAll(List<SessionKey> keys) {
        if (batches.incrementAndGet() == 1) {
          throw new AssertionError("a store bug, or a missing class");
        }
        return super.findAll(keys);
      }
    };
    try (CachingSessionStore cached = fourSecondCache(failingOnce, ticker, Duration.ZERO)) {
      SessionRecord record = loginAndCache(failingOnce, cached);
      failingOnce.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "changed"));

      ticker.advance(Duration.ofMillis(3001));
      cached.find(record.getUserId(), record.getSessionId());
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (batches.get() == 0) {
        assertThat(System.nanoTime()).as("first background read").isLessThan(deadline);
        Thread.sleep(5);
      }

      // The first read failed with an Error; the next use queues the session again, and it is read.
      awaitAttribute(cached, record, "nickname", "changed");
      assertThat(batches.get()).isEqualTo(2);
    }
  }

  @Test
  void aSessionEvictedWhileDueIsNotReadInTheBackground() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    AtomicInteger finds = new AtomicInteger();
    SessionStore counting = new ForwardingSessionStore(new MemorySessionStore(clock, POLICY)) {
      @Override
      public Optional<StoredSession> find(String userId, String sessionId) {
        finds.incrementAndGet();
        return super.find(userId, sessionId);
      }
    };
    try (CachingSessionStore cached = fourSecondCache(counting, ticker, Duration.ofMillis(300))) {
      SessionRecord record = loginAndCache(counting, cached);

      ticker.advance(Duration.ofMillis(3001));
      cached.find(record.getUserId(), record.getSessionId());
      cached.revoke(record.getUserId(), record.getSessionId());
      Thread.sleep(800);

      assertThat(finds.get()).as("only the first load read the store").isEqualTo(1);
    }
  }

  @Test
  void closeLetsABackgroundReadInFlightFinishUninterrupted() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    CountDownLatch reading = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    SessionStore slow = new ForwardingSessionStore(new MemorySessionStore(clock, POLICY)) {
      @Override
      public List<Optional<StoredSession>> findAll(List<SessionKey> keys) {
        reading.countDown();
        // Jedis's cluster pipelines swallow an interrupt mid-read and leave their replies unset.
        long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
        while (System.nanoTime() < until) {
          interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
          Thread.onSpinWait();
        }
        finished.set(true);
        return super.findAll(keys);
      }
    };
    CachingSessionStore cached = fourSecondCache(slow, ticker, Duration.ZERO);
    SessionRecord record = loginAndCache(slow, cached);
    ticker.advance(Duration.ofMillis(3001));
    cached.find(record.getUserId(), record.getSessionId());
    assertThat(reading.await(2, TimeUnit.SECONDS)).isTrue();

    cached.close();

    assertThat(finished.get()).as("the read finished before close returned").isTrue();
    assertThat(interrupted.get()).isFalse();
  }

  private static CachingSessionStore fourSecondCache(SessionStore store, FakeTicker ticker, Duration gather) {
    return CachingSessionStore.builder(store).clock(clock).ticker(ticker).ttl(Duration.ofSeconds(4)).gather(gather)
        .build();
  }

  /** A new session, created in {@code store} and read once through {@code cached}. */
  private static SessionRecord loginAndCache(SessionStore store, CachingSessionStore cached) {
    SessionRecord record = login(store, Terminal.WEB);
    cached.find(record.getUserId(), record.getSessionId()).orElseThrow();
    return record;
  }

  /** A cache with a 4 s TTL on a {@link GatedStore}, holding one session it has read once. */
  private static final class Gated {
    final FakeTicker ticker = new FakeTicker();
    final GatedStore store = new GatedStore(new MemorySessionStore(clock, POLICY));
    final CachingSessionStore cached = CachingSessionStore.builder(store).clock(clock).ticker(ticker)
        .ttl(Duration.ofSeconds(4)).build();
    final SessionRecord record = record(Ids.newId("u"), Terminal.WEB);

    Gated() {
      store.create(record, TerminalPolicy.PER_TERMINAL);
      cached.find(record.getUserId(), record.getSessionId()).orElseThrow();
    }
  }

  private static void awaitAttribute(CachingSessionStore cached, SessionRecord record, String name, String value)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (!value.equals(cached.find(record.getUserId(), record.getSessionId()).orElseThrow().record()
        .getAttributesMap().get(name))) {
      assertThat(System.nanoTime()).as("background read landed").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void cachedSessionThatLooksExpiredIsCheckedAgainstTheStore() {
    SessionRecord record = login(replicaA, Terminal.DESKTOP);
    StoredSession cachedEntry = replicaA.find(record.getUserId(), record.getSessionId()).orElseThrow();
    clock.advance(POLICY.maxInactive().minusMinutes(1));
    replicaB.touch(cachedEntry);
    clock.advance(Duration.ofMinutes(2));

    assertThat(replicaA.find(record.getUserId(), record.getSessionId()).orElseThrow().isLive(clock.instant())).isTrue();
  }

  @Test
  void whileEventsAreInterruptedTheCacheIsBypassedSoAStoppedRedisFailsUnavailable() throws InterruptedException {
    try (RedisServer own = RedisServer.builder().persistent().start()) {
      RedisSessionStore shared = RedisSessionStore.builder(own.url()).clock(clock).policy(POLICY).build();
      assertThat(shared.awaitEvents(Duration.ofSeconds(5))).isTrue();
      try (CachingSessionStore cached = CachingSessionStore.builder(shared).clock(clock).build()) {
        awaitCaching(cached);
        SessionRecord record = login(cached, Terminal.WEB);
        cached.find(record.getUserId(), record.getSessionId());

        own.stop();
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (cached.isCaching()) {
          assertThat(System.nanoTime()).isLessThan(deadline);
          Thread.sleep(5);
        }
        assertThatThrownBy(() -> cached.find(record.getUserId(), record.getSessionId()))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.SESSION_STORE_UNAVAILABLE));

        own.restart();
        awaitCaching(cached);
        assertThat(cached.find(record.getUserId(), record.getSessionId()).orElseThrow().state())
            .isEqualTo(SessionState.ACTIVE);
      }
    }
  }

  private static void awaitCaching(CachingSessionStore cached) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!cached.isCaching()) {
      assertThat(System.nanoTime()).as("events resumed").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static SessionRecord login(SessionStore store, Terminal terminal) {
    SessionRecord record = record(Ids.newId("u"), terminal);
    store.create(record, TerminalPolicy.PER_TERMINAL);
    return record;
  }

  private static SessionRecord record(String userId, Terminal terminal) {
    Instant now = clock.instant();
    return SessionRecord.newBuilder()
        .setUserId(userId)
        .setSessionId(Ids.newSessionId())
        .setTerminal(terminal.getNumber())
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(POLICY.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(POLICY.absoluteLifetime()).toEpochMilli())
        .build();
  }

  /**
   * A store whose next {@code find} after {@link #hold()} reads its answer and then waits to be
   * {@link #release() released} before returning it: a slow store, or a read racing a change.
   * One hold per instance.
   */
  private static final class GatedStore extends ForwardingSessionStore {
    final AtomicInteger finds = new AtomicInteger();
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch reading = new CountDownLatch(1);
    private final CountDownLatch returned = new CountDownLatch(1);

    GatedStore(SessionStore delegate) {
      super(delegate);
    }

    void hold() {
      armed.set(true);
    }

    boolean awaitHeld() throws InterruptedException {
      return reading.await(2, TimeUnit.SECONDS);
    }

    void release() {
      gate.countDown();
    }

    boolean awaitReturned() throws InterruptedException {
      return returned.await(2, TimeUnit.SECONDS);
    }

    @Override
    public Optional<StoredSession> find(String userId, String sessionId) {
      finds.incrementAndGet();
      Optional<StoredSession> answer = delegate.find(userId, sessionId);
      if (armed.compareAndSet(true, false)) {
        reading.countDown();
        try {
          gate.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        returned.countDown();
      }
      return answer;
    }
  }

  private static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }

    @Override
    public long read() {
      return nanos.get();
    }
  }
}
