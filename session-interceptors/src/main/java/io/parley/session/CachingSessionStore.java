package io.parley.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.session.v1.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Caffeine cache in front of a shared {@link SessionStore}, so that a session check costs
 * no round trip, however rarely each session is used.
 *
 * <p><b>Exact for as long as it holds an entry.</b> Every change to a session that a check depends
 * on (a kick, a revocation, an attribute change) is announced by the delegate to every replica,
 * and evicts the entry at once. So entries need no expiry: they stay until the cache is full
 * ({@link Builder#maximumSize}, least recently and frequently used first) or until the announcements
 * may have been missed. For that the cache asks the delegate's {@link EventEpochs} (a {@link
 * RedisSessionStore}: one shard per hash slot, see {@link RedisSessionEvents}; any other delegate:
 * one, moved by {@link SessionListener#eventsInterrupted()} and {@link
 * SessionListener#eventsResumed()}). An entry remembers its shard's epoch taken before its read, and
 * is served only while that epoch is still the shard's: a lost event channel makes every entry it
 * could have made stale unusable at once, including one whose read was in flight when the channel
 * dropped; when the channel is back, the entries of the shards that missed no event are served
 * again, and a sweep drops the others. While a shard's events are not heard, lookups of its
 * sessions go to the delegate and are not cached; a store that cannot be reached then fails them.
 *
 * <p>As a safety net against changes made behind Parley's back (a flushed Redis, an edited key),
 * an entry in use is read again in the background once its {@linkplain Builder#refreshAfter
 * refresh interval} has passed (an hour by default), without keeping the call waiting; reads that
 * come due together go to the delegate in one {@link SessionStore#findAll} round trip (Caffeine's
 * {@code refreshAfterWrite}, gathered over {@value #GATHER_MILLIS} ms). An entry unused for twice
 * that interval is read again by the next call. A cached session that looks expired is read again
 * before anyone is told so, since another replica may have recorded activity.
 *
 * <p><b>Activity.</b> {@link #touchLater} gathers notes of activity for a moment (an eighth of the
 * policy's touch interval, at most a second) and writes them with one {@link SessionStore#touchAll},
 * as of the earliest note, then moves the cached copies' last access forward; see {@link
 * SessionServerInterceptor} for when a call notes it. The recorded last access is thus never later
 * than a session's last call, and at most a touch interval and that moment (and the write's round
 * trip) earlier: that is the tolerance within which an idle session expires before its limit.
 *
 * <p><b>Metrics</b>, in the {@linkplain Builder#meterRegistry registry} given: {@code
 * parley.session.cache.lookups} by {@code result} ({@code hit}: served from the cache; {@code miss}:
 * read from the delegate and cached; {@code uncached}: read from the delegate while its events are
 * not heard), {@code parley.session.cache.size} (entries, approximate), {@code
 * parley.session.events.received} by {@code event} ({@code revoked}, {@code kicked}: a session
 * ended; {@code changed}: its attributes changed), and {@code parley.session.events.interruptions}
 * (times the delegate's event channel was lost).
 *
 * <p>Thread-safe. Loads of one session are coalesced, an eviction racing a load waits for it, and
 * a background read is discarded if the entry was evicted or replaced meanwhile (Caffeine), so an
 * eviction is never undone by a stale read.
 */
public final class CachingSessionStore implements SessionStore {
  private static final Logger logger = LoggerFactory.getLogger(CachingSessionStore.class);
  /** Sessions read again, or touched, in one round trip at most. */
  private static final int BATCH = 256;
  /** How long background reads wait for more sessions to come due before going to the store. */
  private static final long GATHER_MILLIS = 50;
  private static final Duration MAX_ACTIVITY_GATHER = Duration.ofSeconds(1);
  private static final long FAILURE_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final SessionStore delegate;
  private final Clock clock;
  private final EventEpochs epochs;
  /** Whether {@link #epochs} are this cache's own, moved by the delegate's listener callbacks. */
  private final boolean ownEpochs;
  private final LoadingCache<SessionKey, Entry> cache;
  private final ScheduledThreadPoolExecutor background;
  private final Batcher<Reload> reloads;
  private final Batcher<SessionKey> touches;
  /** Sessions noted active and not yet written, with the first time noted. */
  private final ConcurrentMap<SessionKey, Due> touchesDue = new ConcurrentHashMap<>();
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private final Counter hits;
  private final Counter misses;
  private final Counter uncached;
  private final Counter revokedEvents;
  private final Counter kickedEvents;
  private final Counter changedEvents;
  private final Counter interruptions;
  /** Background failures in a row, and when the last was logged at WARN (background thread only). */
  private int failures;
  private long lastFailureWarning;
  private volatile boolean everHeard;
  /** Whether an interruption was logged and no resumption since. */
  private volatile boolean interruptionLogged;
  private volatile boolean closed;

  private CachingSessionStore(Builder builder) {
    this.delegate = builder.delegate;
    this.clock = builder.clock;
    if (delegate instanceof RedisSessionStore redis) {
      this.epochs = redis.eventEpochs();
      this.ownEpochs = false;
    } else {
      this.epochs = EventEpochs.single(true);
      this.ownEpochs = true;
    }
    this.background = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "parley-session-cache");
      thread.setDaemon(true);
      return thread;
    });
    this.background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.reloads = new Batcher<>(background, builder.gather, BATCH, this::reload);
    Duration activityGather = builder.activityGather != null ? builder.activityGather
        : min(MAX_ACTIVITY_GATHER, builder.policy.touchInterval().dividedBy(8));
    this.touches = new Batcher<>(background, activityGather, BATCH, this::recordActivity);
    this.cache = Caffeine.newBuilder()
        .maximumSize(builder.maximumSize)
        .refreshAfterWrite(builder.refreshAfter)
        .expireAfterWrite(builder.refreshAfter.multipliedBy(2))
        .ticker(builder.ticker)
        .executor(Runnable::run)
        .build(new Loader());
    MeterRegistry meters = builder.meterRegistry != null ? builder.meterRegistry : new SimpleMeterRegistry();
    this.hits = lookups(meters, "hit");
    this.misses = lookups(meters, "miss");
    this.uncached = lookups(meters, "uncached");
    this.revokedEvents = events(meters, "revoked");
    this.kickedEvents = events(meters, "kicked");
    this.changedEvents = events(meters, "changed");
    this.interruptions = Counter.builder("parley.session.events.interruptions")
        .description("times the session event channel was lost (lookups go uncached until it is back)")
        .register(meters);
    Gauge.builder("parley.session.cache.size", cache, c -> c.estimatedSize())
        .description("sessions in the local cache (approximate)")
        .register(meters);
    this.everHeard = epochs.allHeard();
    delegate.addListener(new Invalidator());
  }

  public static Builder builder(SessionStore delegate) {
    return new Builder(delegate);
  }

  private static Counter lookups(MeterRegistry meters, String result) {
    return Counter.builder("parley.session.cache.lookups")
        .description("session lookups by the session check, by where they were answered")
        .tag("result", result)
        .register(meters);
  }

  private static Counter events(MeterRegistry meters, String event) {
    return Counter.builder("parley.session.events.received")
        .description("session events heard from the store (every replica's revocations, kicks and changes)")
        .tag("event", event)
        .register(meters);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Whether lookups of every session are served from the cache now: false while any of the
   * delegate's events are not heard.
   */
  public boolean isCaching() {
    return epochs.allHeard();
  }

  @Override
  public Optional<StoredSession> find(String userId, String sessionId) {
    SessionKey key = new SessionKey(userId, sessionId);
    long now = clock.millis();
    Entry entry = cache.getIfPresent(key);
    if (entry != null && entry.usable(epochs.epoch(entry.shard()), now)) {
      hits.increment();
      return entry.session();
    }
    // Not cached, read before a change of epoch (events may have been missed since), or looks expired.
    int shard = epochs.shard(userId);
    long epoch = epochs.epoch(shard);
    if (!EventEpochs.isHeard(epoch)) {
      uncached.increment();
      return delegate.find(userId, sessionId);
    }
    misses.increment();
    return cache.asMap().compute(key, (k, current) -> current != null && current.usable(epoch, now)
        ? current : load(k, shard)).session();
  }

  /** Reads a session from the delegate, with the epoch of its shard taken before the read. */
  private Entry load(SessionKey key, int shard) {
    long epoch = epochs.epoch(shard);
    return Entry.read(delegate.find(key.userId(), key.sessionId()), shard, epoch, clock.millis());
  }

  /**
   * The background reads that came due together: one {@link SessionStore#findAll} for those whose
   * entries are still the ones they came due in (an entry evicted or replaced meanwhile needs no
   * read, and Caffeine would discard its answer).
   */
  private void reload(List<Reload> due) {
    List<Reload> batch = new ArrayList<>(due.size());
    List<SessionKey> keys = new ArrayList<>(due.size());
    for (Reload reload : due) {
      if (cache.policy().getIfPresentQuietly(reload.key()) == reload.old()) {
        batch.add(reload);
        keys.add(reload.key());
      } else {
        reload.result().complete(reload.old());
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      List<Optional<StoredSession>> found = delegate.findAll(keys);
      long now = clock.millis();
      for (int i = 0; i < batch.size(); i++) {
        Reload reload = batch.get(i);
        reload.result().complete(Entry.read(found.get(i), reload.old().shard(), reload.epoch(), now));
      }
      failures = 0;
    } catch (Throwable e) {
      // Whatever the delegate throws: the entries stay as they were (as right as before; this read
      // is only a safety net), and a failed reload is not left for Caffeine to log one by one.
      reportFailure("read " + batch.size() + " session(s) again", e);
      batch.forEach(r -> r.result().complete(r.old()));
    }
  }

  @Override
  public List<String> create(SessionRecord record, TerminalPolicy policy) {
    List<String> kicked = delegate.create(record, policy);
    kicked.forEach(sid -> cache.invalidate(new SessionKey(record.getUserId(), sid)));
    cache.invalidate(new SessionKey(record.getUserId(), record.getSessionId()));
    return kicked;
  }

  @Override
  public Optional<StoredSession> touch(StoredSession session) {
    Optional<StoredSession> touched = delegate.touch(session);
    afterTouch(new SessionKey(session.userId(), session.sessionId()), touched);
    return touched;
  }

  @Override
  public List<Optional<StoredSession>> touchAll(List<StoredSession> sessions, Instant at) {
    List<Optional<StoredSession>> touched = delegate.touchAll(sessions, at);
    for (int i = 0; i < sessions.size(); i++) {
      afterTouch(new SessionKey(sessions.get(i).userId(), sessions.get(i).sessionId()), touched.get(i));
    }
    return touched;
  }

  /**
   * Notes the activity, to be written shortly (at most a second) together with whatever else was
   * noted meanwhile; a session already noted and not yet written is not noted again. Never throws: a
   * write that fails is logged and forgotten (the cached last access does not move, so the
   * session's next use notes it again).
   */
  @Override
  public void touchLater(StoredSession session, Instant at) {
    SessionKey key = new SessionKey(session.userId(), session.sessionId());
    if (touchesDue.putIfAbsent(key, new Due(session, at)) == null) {
      touches.add(key);
    }
  }

  /**
   * Writes the activity noted meanwhile, as of the earliest note, so that no session is credited
   * with more than it did.
   */
  private void recordActivity(List<SessionKey> batch) {
    List<SessionKey> keys = new ArrayList<>(batch.size());
    List<StoredSession> sessions = new ArrayList<>(batch.size());
    Instant at = null;
    for (SessionKey key : batch) {
      Due due = touchesDue.get(key);
      if (due != null) {
        keys.add(key);
        sessions.add(due.session());
        at = at == null || due.at().isBefore(at) ? due.at() : at;
      }
    }
    try {
      if (!sessions.isEmpty()) {
        List<Optional<StoredSession>> touched = delegate.touchAll(sessions, at);
        for (int i = 0; i < keys.size(); i++) {
          afterTouch(keys.get(i), touched.get(i));
        }
      }
      failures = 0;
    } catch (Throwable e) {
      reportFailure("record the activity of " + sessions.size() + " session(s)", e);
    } finally {
      keys.forEach(touchesDue::remove);
    }
  }

  /**
   * Moves the cached copy's last access forward to what the store recorded; drops the entry if the
   * store says the session is gone or ended (its event is on the way).
   */
  private void afterTouch(SessionKey key, Optional<StoredSession> stored) {
    cache.asMap().computeIfPresent(key, (k, entry) -> {
      if (stored.isEmpty() || stored.get().state() != SessionState.ACTIVE) {
        return null;
      }
      StoredSession cached = entry.session().orElse(null);
      if (cached == null || cached.state() != SessionState.ACTIVE
          || !cached.lastAccess().isBefore(stored.get().lastAccess())) {
        return entry;
      }
      return Entry.read(Optional.of(new StoredSession(cached.record(), SessionState.ACTIVE, stored.get().lastAccess(),
          null)), entry.shard(), entry.epoch(), clock.millis());
    });
  }

  @Override
  public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
    boolean updated = delegate.updateAttributes(userId, sessionId, changes);
    cache.invalidate(new SessionKey(userId, sessionId));
    return updated;
  }

  @Override
  public List<StoredSession> listLive(String userId) {
    return delegate.listLive(userId);
  }

  @Override
  public boolean revoke(String userId, String sessionId) {
    boolean revoked = delegate.revoke(userId, sessionId);
    cache.invalidate(new SessionKey(userId, sessionId));
    return revoked;
  }

  @Override
  public List<String> revokeAllExcept(String userId, String keepSessionId) {
    List<String> revoked = delegate.revokeAllExcept(userId, keepSessionId);
    revoked.forEach(sid -> cache.invalidate(new SessionKey(userId, sid)));
    return revoked;
  }

  @Override
  public void addListener(SessionListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
    if (!epochs.allHeard()) {
      listener.eventsInterrupted();
    }
  }

  @Override
  public void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  /**
   * Writes the activity noted so far, lets a background read or write in flight finish (it ends
   * within the store's socket timeout; one stuck past five seconds is interrupted), then closes
   * the delegate.
   */
  @Override
  public void close() {
    closed = true;
    background.shutdown();
    touches.drain();
    try {
      if (!background.awaitTermination(5, TimeUnit.SECONDS)) {
        background.shutdownNow();
      }
    } catch (InterruptedException e) {
      background.shutdownNow();
      Thread.currentThread().interrupt();
    }
    cache.invalidateAll();
    delegate.close();
  }

  /** Notes of activity not yet written; for tests and metrics. */
  int pendingActivity() {
    return touchesDue.size();
  }

  /** Whether no background read or write is queued or running (approximate); for tests. */
  boolean isBackgroundIdle() {
    return background.getActiveCount() == 0 && background.getQueue().isEmpty();
  }

  /** How many sessions are cached now (approximate); for tests and metrics. */
  public long cachedCount() {
    return cache.estimatedSize();
  }

  /** Drops the entries that can no longer be served: read under an epoch their shard has left for good. */
  private void sweep() {
    cache.asMap().values().removeIf(entry -> !epochs.mayServe(entry.shard(), entry.epoch()));
  }

  private void sweepSoon() {
    try {
      background.execute(this::sweep);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** Logs a failed background read or write: the first of a run at WARN, then at most one a minute. */
  private void reportFailure(String what, Throwable e) {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (failures++ == 0 || now - lastFailureWarning >= FAILURE_WARNING_INTERVAL_NANOS) {
      lastFailureWarning = now;
      logger.warn("could not {} in the background ({} failure(s) in a row)", what, failures, e);
    } else {
      logger.debug("could not {} in the background: {}", what, e.toString());
    }
  }

  /**
   * A cached answer of the delegate.
   *
   * @param session what the delegate answered
   * @param shard the shard that carries the session's events
   * @param epoch the epoch of that shard taken before the read
   * @param looksExpiredAt when (epoch millis) the session starts to look expired, so that it is read
   *     again then (another replica may have recorded activity); never for a session that had
   *     already expired when read (it stays so: an expired session is never touched), an ended or
   *     an unknown one
   */
  private record Entry(Optional<StoredSession> session, int shard, long epoch, long looksExpiredAt) {
    /** The delegate's answer read at {@code readAt} (epoch millis). */
    static Entry read(Optional<StoredSession> session, int shard, long epoch, long readAt) {
      long expiresAt = session.isPresent() && session.get().state() == SessionState.ACTIVE
          ? session.get().expiresAt().toEpochMilli() : Long.MAX_VALUE;
      return new Entry(session, shard, epoch, expiresAt > readAt ? expiresAt : Long.MAX_VALUE);
    }

    /**
     * Whether this entry may answer, at {@code now} (epoch millis), while its shard's epoch is
     * {@code current}: the shard is heard and has kept the epoch the entry was read under.
     */
    boolean usable(long current, long now) {
      return epoch == current && EventEpochs.isHeard(current) && now < looksExpiredAt;
    }
  }

  /** A background read: the entry it refreshes, the epoch taken before it, and its answer. */
  private record Reload(SessionKey key, Entry old, long epoch, CompletableFuture<Entry> result) {}

  /** A session noted active and not yet written. */
  private record Due(StoredSession session, Instant at) {}

  /** Loads in the call path; background reads (Caffeine's refresh) through {@link #reloads}. */
  private final class Loader implements CacheLoader<SessionKey, Entry> {
    @Override
    public Entry load(SessionKey key) {
      return CachingSessionStore.this.load(key, epochs.shard(key.userId()));
    }

    @Override
    public CompletableFuture<Entry> asyncReload(SessionKey key, Entry old, Executor executor) {
      long epoch = epochs.epoch(old.shard());
      if (old.epoch() != epoch || !EventEpochs.isHeard(epoch)) {
        // Unusable already: the next lookup reads it in the call path.
        return CompletableFuture.completedFuture(old);
      }
      CompletableFuture<Entry> result = new CompletableFuture<>();
      reloads.add(new Reload(key, old, epoch, result));
      return result;
    }
  }

  private final class Invalidator implements SessionListener {
    @Override
    public void sessionEnded(String userId, String sessionId, SessionState state) {
      (state == SessionState.KICKED ? kickedEvents : revokedEvents).increment();
      cache.invalidate(new SessionKey(userId, sessionId));
      listeners.forEach(l -> l.sessionEnded(userId, sessionId, state));
    }

    @Override
    public void sessionChanged(String userId, String sessionId) {
      changedEvents.increment();
      cache.invalidate(new SessionKey(userId, sessionId));
      listeners.forEach(l -> l.sessionChanged(userId, sessionId));
    }

    @Override
    public void eventsInterrupted() {
      if (everHeard && !closed) {
        interruptions.increment();
      }
      if (ownEpochs) {
        epochs.missed(0);
      }
      if (everHeard && !closed && !interruptionLogged) {
        interruptionLogged = true;
        logger.warn("session events interrupted: sessions whose events may be missed are read from the store, "
            + "uncached, until they resume");
      }
      sweepSoon();
      listeners.forEach(SessionListener::eventsInterrupted);
    }

    @Override
    public void eventsResumed() {
      if (ownEpochs) {
        epochs.heard(0);
      }
      if (everHeard && interruptionLogged) {
        logger.info("session events resumed: session cache in use again");
      }
      interruptionLogged = false;
      everHeard = true;
      sweepSoon();
      listeners.forEach(SessionListener::eventsResumed);
    }
  }

  /** Builds a {@link CachingSessionStore}. Not thread-safe. */
  public static final class Builder {
    private final SessionStore delegate;
    private Duration refreshAfter = Duration.ofHours(1);
    private long maximumSize = 250_000;
    private Duration gather = Duration.ofMillis(GATHER_MILLIS);
    private SessionPolicy policy = SessionPolicy.defaults();
    private Duration activityGather;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();
    private MeterRegistry meterRegistry;

    private Builder(SessionStore delegate) {
      this.delegate = requireNonNull(delegate, "delegate");
    }

    /**
     * How long after its read an entry in use is read again in the background, as a safety net
     * against changes not announced by the delegate (events keep entries right without it); an
     * hour by default, between 1 second and 1 day. An entry unused for twice as long is read again
     * in the call path. Each read costs one command: a session used every 30 s on each of two
     * replicas, with an hour, costs 1/60 of a command per check.
     */
    public Builder refreshAfter(Duration refreshAfter) {
      requireNonNull(refreshAfter, "refreshAfter");
      if (refreshAfter.compareTo(Duration.ofSeconds(1)) < 0 || refreshAfter.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("refreshAfter must be between 1 second and 1 day: " + refreshAfter);
      }
      this.refreshAfter = refreshAfter;
      return this;
    }

    /**
     * The refresh interval, under its former name.
     *
     * @deprecated entries no longer expire after a fixed time; use {@link #refreshAfter}
     */
    @Deprecated
    public Builder ttl(Duration ttl) {
      return refreshAfter(ttl);
    }

    /** How many sessions the cache holds at most (250,000 by default); beyond, the least used go. */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be positive: " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** How long background reads wait for more sessions to come due; for tests. */
    Builder gather(Duration gather) {
      this.gather = requireNonNull(gather, "gather");
      return this;
    }

    /**
     * The policy of the sessions cached: notes of activity wait an eighth of its touch interval (at
     * most a second) for more before they are written, so that a session in use never looks idle
     * elsewhere. {@link SessionPolicy#defaults()} if not set.
     */
    public Builder policy(SessionPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** How long notes of activity wait for more before they are written, whatever the policy; for tests. */
    Builder activityGather(Duration activityGather) {
      this.activityGather = requireNonNull(activityGather, "activityGather");
      return this;
    }

    /** The clock that decides whether a cached session looks expired. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The time source of refreshes. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Where the cache's lookups and the events it hears are counted (see the class comment); a
     * private {@link SimpleMeterRegistry} by default.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    public CachingSessionStore build() {
      return new CachingSessionStore(this);
    }
  }
}
