package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.redis.SlotTags;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

/**
 * Two replicas' caches in front of one real redis-server: a cached check costs no round trip for as
 * long as the entry lives (hours), changes on one replica reach the other within 100 ms, and a
 * change whose event was missed (the event channel really dropped) is never served from the cache.
 * The finer points (background reads, races, activity) run on a memory store whose announcements
 * the test makes itself.
 */
class CachingSessionStoreTest {
  private static final SessionPolicy POLICY = SessionPolicy.defaults();
  private static final Duration REFRESH = Duration.ofHours(1);

  private static RedisServer redis;
  private static MutableClock clock;
  private static RedisSessionStore sharedA;
  private static CachingSessionStore replicaA;
  private static CachingSessionStore replicaB;

  @BeforeAll
  static void start() throws InterruptedException {
    redis = RedisServer.start();
    clock = MutableClock.startingNow();
    sharedA = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    replicaA = cachedReplica(sharedA);
    replicaB = cachedReplica(RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build());
  }

  private static CachingSessionStore cachedReplica(RedisSessionStore shared) throws InterruptedException {
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
  void lookupsAreCountedByWhereTheyWereAnsweredAndEventsHeardByKind() throws InterruptedException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RedisSessionStore shared = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    assertThat(shared.awaitEvents(Duration.ofSeconds(5))).isTrue();
    try (CachingSessionStore cached = CachingSessionStore.builder(shared).clock(clock).meterRegistry(meters).build()) {
      awaitCaching(cached);
      SessionRecord record = login(cached, Terminal.WEB);

      for (int i = 0; i < 3; i++) {
        cached.find(record.getUserId(), record.getSessionId());
      }

      assertThat(meters.get("parley.session.cache.lookups").tag("result", "miss").counter().count()).isEqualTo(1);
      assertThat(meters.get("parley.session.cache.lookups").tag("result", "hit").counter().count()).isEqualTo(2);
      assertThat(meters.get("parley.session.cache.lookups").tag("result", "uncached").counter().count()).isZero();
      assertThat(meters.get("parley.session.cache.size").gauge().value()).isEqualTo(1);

      replicaB.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nick", "n"));
      SessionRecord mobile = login(cached, Terminal.MOBILE);
      replicaB.create(record(mobile.getUserId(), Terminal.MOBILE), TerminalPolicy.PER_TERMINAL);
      replicaB.revoke(record.getUserId(), record.getSessionId());

      for (String event : List.of("changed", "kicked", "revoked")) {
        soon().untilAsserted(() -> assertThat(meters.get("parley.session.events.received").tag("event", event)
            .counter().count()).as(event).isGreaterThanOrEqualTo(1));
      }
      assertThat(meters.get("parley.session.events.interruptions").counter().count()).isZero();
    }
  }

  @Test
  void anEntryLivesUntilItIsEvictedNotForAFixedTime() {
    try (Rig rig = new Rig()) {
      SessionRecord record = rig.loginAndCache();

      rig.ticker.advance(REFRESH.minusSeconds(1));
      clock.advance(Duration.ofMinutes(59));

      assertThat(rig.cached.find(record.getUserId(), record.getSessionId()).orElseThrow().isLive(clock.instant()))
          .isTrue();
      assertThat(rig.store.finds.get()).as("reads of the store").isEqualTo(1);
      assertThat(rig.store.findAlls.get()).isZero();
    }
  }

  @Test
  void revocationOnOneReplicaIsSeenByTheOtherWithin100Milliseconds() {
    List<SessionRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      SessionRecord record = login(replicaA, Terminal.WEB);
      assertThat(state(replicaA, record)).isEqualTo(SessionState.ACTIVE);
      records.add(record);
    }

    for (SessionRecord record : records) {
      replicaB.revoke(record.getUserId(), record.getSessionId());
      await().atMost(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(1))
          .until(() -> state(replicaA, record) == SessionState.REVOKED);
    }
  }

  @Test
  void kickOnOneReplicaIsSeenByTheOther() {
    SessionRecord first = login(replicaA, Terminal.MOBILE);
    replicaA.find(first.getUserId(), first.getSessionId());

    replicaB.create(record(first.getUserId(), Terminal.MOBILE), TerminalPolicy.PER_TERMINAL);

    await().atMost(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(1))
        .until(() -> state(replicaA, first) == SessionState.KICKED);
  }

  @Test
  void attributeChangeOnOneReplicaIsSeenByTheOther() {
    SessionRecord record = login(replicaA, Terminal.DESKTOP);
    replicaA.find(record.getUserId(), record.getSessionId());

    replicaB.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "Renamed"));

    await().atMost(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(1))
        .until(() -> "Renamed".equals(attribute(replicaA, record, "nickname")));
  }

  @Test
  void aRevocationMissedWhileTheEventChannelWasDownIsNeverServedAndOnlyItsSlotIsReadAgain() throws Exception {
    SessionRecord revoked = login(replicaA, Terminal.WEB);
    SessionRecord untouched = login(replicaA, Terminal.WEB);
    EventEpochs epochs = sharedA.eventEpochs();
    int slot = epochs.shard(revoked.getUserId());
    assertThat(epochs.shard(untouched.getUserId())).isNotEqualTo(slot);
    assertThat(state(replicaA, revoked)).isEqualTo(SessionState.ACTIVE);
    assertThat(state(replicaA, untouched)).isEqualTo(SessionState.ACTIVE);
    List<String> heard = new CopyOnWriteArrayList<>();
    replicaA.addListener((userId, sessionId, state) -> heard.add(sessionId));
    long epoch = epochs.epoch(slot);

    // One transaction: every replica's event connection is killed, then the session is revoked
    // with the store's own script (announce.lua and revoke.lua; keys and arguments as listed
    // there), whose event is published to no one.
    try (Jedis jedis = redis.connect();
        InputStream announce = RedisSessionStore.class.getResourceAsStream("announce.lua");
        InputStream revoke = RedisSessionStore.class.getResourceAsStream("revoke.lua")) {
      Transaction multi = jedis.multi();
      multi.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "pubsub");
      Response<Object> result = multi.eval(new String(announce.readAllBytes(), StandardCharsets.UTF_8) + "\n"
              + new String(revoke.readAllBytes(), StandardCharsets.UTF_8),
          List.of("parley:sess:{" + revoked.getUserId() + "}", "parley:sess:changes{" + SlotTags.of(slot) + "}"),
          List.of("one", revoked.getSessionId(), Long.toString(clock.millis()),
              Long.toString(POLICY.endedRetention().toMillis()), "parley:sess:events", revoked.getUserId(),
              Integer.toString(RedisSessionStore.MAX_CHUNKS), "PUBLISH"));
      multi.exec();
      assertThat((List<?>) result.get()).hasSize(1);
    }

    // From the moment replica A knows its channel dropped, through its reconnection and after, the
    // revoked session is never served as active, though A never heard of the revocation.
    soon().until(() -> epochs.epoch(slot) != epoch);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
        .untilAsserted(() -> {
          assertThat(state(replicaA, revoked)).isEqualTo(SessionState.REVOKED);
          assertThat(replicaA.isCaching()).isTrue();
        });
    awaitCaching(replicaB);
    assertThat(heard).doesNotContain(revoked.getSessionId());
    assertThat(state(replicaA, revoked)).isEqualTo(SessionState.REVOKED);
    long reads = redis.commandCount("hmget");
    assertThat(state(replicaA, revoked)).isEqualTo(SessionState.REVOKED);
    assertThat(redis.commandCount("hmget")).as("served from the cache again").isEqualTo(reads);
    // The slot that saw no change kept its entries through the reconnection: no read.
    assertThat(state(replicaA, untouched)).isEqualTo(SessionState.ACTIVE);
    assertThat(redis.commandCount("hmget")).as("a session of another slot, kept").isEqualTo(reads);
  }

  @Test
  void aReadInFlightWhenTheEventChannelDroppedIsNeverServedAfterItComesBack() throws Exception {
    try (Rig rig = new Rig()) {
      SessionRecord record = rig.login();
      rig.store.hold();
      CompletableFuture<Optional<StoredSession>> inFlight =
          CompletableFuture.supplyAsync(() -> rig.cached.find(record.getUserId(), record.getSessionId()));
      assertThat(rig.store.awaitHeld()).isTrue();

      // The read saw the session active; then the channel drops, the session is revoked unheard,
      // and the channel comes back, all before the read's answer reaches the cache.
      rig.store.interrupt();
      rig.memory.revoke(record.getUserId(), record.getSessionId());
      rig.store.resume();
      rig.store.release();

      assertThat(inFlight.get(2, TimeUnit.SECONDS).orElseThrow().state()).isEqualTo(SessionState.ACTIVE);
      assertThat(rig.cached.find(record.getUserId(), record.getSessionId()).orElseThrow().state())
          .isEqualTo(SessionState.REVOKED);
    }
  }

  @Test
  void anEntryInUseIsReadAgainInTheBackgroundAfterTheRefreshIntervalWithoutKeepingTheCallWaiting()
      throws InterruptedException {
    try (Rig rig = new Rig()) {
      SessionRecord record = rig.loginAndCache();
      // Changed behind the cache's back: nothing announces it.
      rig.memory.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "changed"));

      rig.ticker.advance(REFRESH.plusMillis(1));
      rig.store.hold();
      long started = System.nanoTime();
      assertThat(attribute(rig.cached, record, "nickname")).isNotEqualTo("changed");
      assertThat(System.nanoTime() - started).isLessThan(Duration.ofMillis(500).toNanos());
      assertThat(rig.store.awaitHeld()).isTrue();
      rig.store.release();

      soon().until(() -> "changed".equals(attribute(rig.cached, record, "nickname")));
      assertThat(rig.store.finds.get()).as("reads in the call path").isEqualTo(1);
      assertThat(rig.store.findAlls.get()).isEqualTo(1);
    }
  }

  @Test
  void aBackgroundReadNeverUndoesARevocationThatRacedIt() throws InterruptedException {
    try (Rig rig = new Rig()) {
      SessionRecord record = rig.loginAndCache();

      // The background read sees the session active, then the revocation lands before it returns.
      rig.ticker.advance(REFRESH.plusMillis(1));
      rig.store.hold();
      rig.cached.find(record.getUserId(), record.getSessionId());
      assertThat(rig.store.awaitHeld()).isTrue();
      assertThat(rig.cached.revoke(record.getUserId(), record.getSessionId())).isTrue();
      rig.store.release();
      assertThat(rig.store.awaitReturned()).isTrue();

      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1))
          .until(() -> state(rig.cached, record) == SessionState.REVOKED);
    }
  }

  @Test
  void backgroundReadsGoOnAfterTheStoreThrowsAnything() {
    try (Rig rig = new Rig()) {
      SessionRecord record = rig.loginAndCache();
      rig.memory.updateAttributes(record.getUserId(), record.getSessionId(), Map.of("nickname", "changed"));
      rig.store.failNextFindAll(new AssertionError("a store bug, or a missing class"));

      rig.ticker.advance(REFRESH.plusMillis(1));
      rig.cached.find(record.getUserId(), record.getSessionId());
      soon().until(() -> rig.store.findAlls.get() == 1 && rig.cached.isBackgroundIdle());
      assertThat(attribute(rig.cached, record, "nickname")).isNotEqualTo("changed");

      // The failed read left the entry as it was, to be read again in the background an interval later.
      rig.ticker.advance(REFRESH.plusMillis(1));
      rig.cached.find(record.getUserId(), record.getSessionId());
      soon().until(() -> "changed".equals(attribute(rig.cached, record, "nickname")));
      assertThat(rig.store.findAlls.get()).isEqualTo(2);
      assertThat(rig.store.finds.get()).as("reads in the call path").isEqualTo(1);
    }
  }

  @Test
  void aSessionEvictedWhileDueIsNotReadInTheBackground() {
    try (Rig rig = new Rig(Duration.ofMillis(300))) {
      SessionRecord record = rig.loginAndCache();

      rig.ticker.advance(REFRESH.plusMillis(1));
      rig.cached.find(record.getUserId(), record.getSessionId());
      rig.cached.revoke(record.getUserId(), record.getSessionId());

      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(1)).until(() -> rig.store.findAlls.get() == 0);
      assertThat(rig.store.finds.get()).as("only the first load read the store").isEqualTo(1);
    }
  }

  @Test
  void closeLetsABackgroundReadInFlightFinishUninterrupted() throws InterruptedException {
    Rig rig = new Rig();
    SessionRecord record = rig.loginAndCache();
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    rig.store.duringFindAll(() -> {
      // Jedis's cluster pipelines swallow an interrupt mid-read and leave their replies unset.
      long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
      while (System.nanoTime() < until) {
        interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
        Thread.onSpinWait();
      }
      finished.set(true);
    });
    rig.ticker.advance(REFRESH.plusMillis(1));
    rig.cached.find(record.getUserId(), record.getSessionId());
    soon().until(() -> rig.store.findAlls.get() == 1);

    rig.close();

    assertThat(finished.get()).as("the read finished before close returned").isTrue();
    assertThat(interrupted.get()).isFalse();
  }

  @Test
  void notesOfActivityAreWrittenTogetherAsOfTheEarliestAndMoveTheCachedCopies() {
    try (Rig rig = new Rig(Duration.ZERO, Duration.ofSeconds(1))) {
      List<SessionRecord> records = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        records.add(rig.loginAndCache());
      }
      clock.advance(Duration.ofHours(11));
      Instant first = clock.instant();
      for (SessionRecord record : records) {
        StoredSession cached = rig.cached.find(record.getUserId(), record.getSessionId()).orElseThrow();
        rig.cached.touchLater(cached, clock.instant());
        rig.cached.touchLater(cached, clock.instant());
        clock.advance(Duration.ofMillis(10));
      }

      await().atMost(Duration.ofSeconds(3)).until(() -> rig.cached.pendingActivity() == 0);
      assertThat(rig.store.touchAlls).hasSize(1);
      assertThat(rig.store.touchAlls.get(0)).hasSize(50);
      for (SessionRecord record : records) {
        assertThat(rig.memory.find(record.getUserId(), record.getSessionId()).orElseThrow().lastAccess())
            .isEqualTo(first);
        assertThat(rig.cached.find(record.getUserId(), record.getSessionId()).orElseThrow().lastAccess())
            .isEqualTo(first);
      }
      assertThat(rig.store.finds.get()).as("the cached copies moved without a read").isEqualTo(50);
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
        await().atMost(Duration.ofSeconds(1)).until(() -> !cached.isCaching());
        assertThatThrownBy(() -> cached.find(record.getUserId(), record.getSessionId()))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.SESSION_STORE_UNAVAILABLE));

        own.restart();
        awaitCaching(cached);
        assertThat(state(cached, record)).isEqualTo(SessionState.ACTIVE);
      }
    }
  }

  private static void awaitCaching(CachingSessionStore cached) {
    await().atMost(Duration.ofSeconds(5)).until(cached::isCaching);
  }

  private static SessionState state(SessionStore store, SessionRecord record) {
    return store.find(record.getUserId(), record.getSessionId()).orElseThrow().state();
  }

  private static String attribute(SessionStore store, SessionRecord record, String name) {
    return store.find(record.getUserId(), record.getSessionId()).orElseThrow().record().getAttributesMap().get(name);
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


  /** Awaitility, polling often: what is awaited here takes milliseconds. */
  private static ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
  }

  /** A cache on a {@link ScriptedStore} over a memory store, with a ticker the test moves. */
  private static final class Rig implements AutoCloseable {
    final FakeTicker ticker = new FakeTicker();
    final MemorySessionStore memory = new MemorySessionStore(clock, POLICY);
    final ScriptedStore store = new ScriptedStore(memory);
    final CachingSessionStore cached;

    Rig() {
      this(Duration.ZERO);
    }

    Rig(Duration gather) {
      this(gather, Duration.ofMillis(200));
    }

    Rig(Duration gather, Duration activityGather) {
      cached = CachingSessionStore.builder(store).clock(clock).ticker(ticker).refreshAfter(REFRESH).gather(gather)
          .activityGather(activityGather).build();
    }

    SessionRecord login() {
      return CachingSessionStoreTest.login(memory, Terminal.WEB);
    }

    /** A new session, read once through the cache. */
    SessionRecord loginAndCache() {
      SessionRecord record = login();
      cached.find(record.getUserId(), record.getSessionId()).orElseThrow();
      return record;
    }

    @Override
    public void close() {
      cached.close();
    }
  }

  /**
   * A store that announces nothing by itself (the test does, through {@link #interrupt()} and
   * {@link #resume()}), counts its reads and writes, and can hold its next read after it has read
   * its answer (a slow store, or a read racing a change), fail it, or run something during it.
   * One hold per instance.
   */
  private static final class ScriptedStore extends ForwardingSessionStore {
    final AtomicInteger finds = new AtomicInteger();
    final AtomicInteger findAlls = new AtomicInteger();
    final List<List<StoredSession>> touchAlls = new CopyOnWriteArrayList<>();
    private volatile SessionListener listener;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch reading = new CountDownLatch(1);
    private final CountDownLatch returned = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile Runnable during = () -> {};

    ScriptedStore(SessionStore delegate) {
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

    void failNextFindAll(Throwable e) {
      failure = e;
    }

    void duringFindAll(Runnable action) {
      during = action;
    }

    void interrupt() {
      listener.eventsInterrupted();
    }

    void resume() {
      listener.eventsResumed();
    }

    @Override
    public void addListener(SessionListener listener) {
      this.listener = listener;
    }

    @Override
    public Optional<StoredSession> find(String userId, String sessionId) {
      finds.incrementAndGet();
      return gated(delegate.find(userId, sessionId));
    }

    @Override
    public List<Optional<StoredSession>> findAll(List<SessionKey> keys) {
      findAlls.incrementAndGet();
      Throwable e = failure;
      if (e != null) {
        failure = null;
        if (e instanceof Error error) {
          throw error;
        }
        throw (RuntimeException) e;
      }
      during.run();
      return gated(delegate.findAll(keys));
    }

    @Override
    public List<Optional<StoredSession>> touchAll(List<StoredSession> sessions, Instant at) {
      touchAlls.add(List.copyOf(sessions));
      return delegate.touchAll(sessions, at);
    }

    private <T> T gated(T answer) {
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
