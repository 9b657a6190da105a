package io.parley.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.parley.session.v1.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Caffeine cache in front of a shared {@link SessionStore}, so that a session check costs
 * no round trip in the steady state.
 *
 * <p>Entries live a few seconds (5 by default) and are evicted at once when the delegate
 * announces that a session ended, on this replica or any other. While the delegate's event
 * channel is interrupted the cache is emptied and bypassed, since a revocation could go unheard;
 * it is used again once events resume. A cached session that looks expired is read again from
 * the delegate before anyone is told so, since another replica may have recorded activity.
 *
 * <p>A session in use is read again in the background before its entry expires, at a random
 * point between half and three quarters of the TTL, so that calls never wait for the store on
 * its account and the sessions loaded together (a burst of logins, a replica that just started)
 * do not all come due together. One thread does these reads, taking whatever came due meanwhile in
 * one {@link SessionStore#findAll} round trip. Without this, 1,000 sessions in use cost 1,000 store
 * reads in the call path every TTL, one round trip each, which the auth-overhead benchmark saw as
 * a 10% loss of throughput and a doubled p99. A session not used after its refresh point simply
 * expires. A background read that fails leaves the entry to expire (a call then asks the store
 * itself).
 *
 * <p>Thread-safe. Loads of one session are coalesced; an eviction racing a load waits for it, and
 * refreshes (a touch, a re-read, a background read) only replace the exact entry they started
 * from, so an eviction is never undone by a stale read. A revocation missed despite this (e.g. its
 * event arriving during a store outage) is bounded by the TTL.
 */
public final class CachingSessionStore implements SessionStore {
  private static final Logger logger = LoggerFactory.getLogger(CachingSessionStore.class);
  /** Sessions read again in one round trip at most. */
  private static final int REFRESH_BATCH = 256;
  /** How long background reads wait for more sessions to come due before going to the store. */
  private static final long GATHER_MILLIS = 50;
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long FAILURE_WARNING_INTERVAL_NANOS = 60_000_000_000L;
  /** Put in the queue by {@link #close()} to wake the reader; never a real session's key. */
  private static final SessionKey WAKE_UP = new SessionKey("", "");

  private final SessionStore delegate;
  private final Clock clock;
  private final Ticker ticker;
  private final long ttlNanos;
  private final long maximumSize;
  private final long gatherMillis;
  private final Cache<SessionKey, Entry> cache;
  /** Sessions in use that are due to be read again, with the entry each was due in. */
  private final ConcurrentMap<SessionKey, Entry> due = new ConcurrentHashMap<>();
  private final BlockingQueue<SessionKey> dueOrder = new LinkedBlockingQueue<>();
  private final Thread refresher;
  private volatile boolean closed;
  private final CountDownLatch closing = new CountDownLatch(1);
  /** Background read failures in a row, and when the last was logged at WARN (refresher thread only). */
  private int failures;
  private long lastFailureWarning;
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean trusted = true;
  private volatile boolean eventsSeen;

  private CachingSessionStore(Builder builder) {
    this.delegate = builder.delegate;
    this.clock = builder.clock;
    this.ticker = builder.ticker;
    this.ttlNanos = builder.ttl.toNanos();
    this.maximumSize = builder.maximumSize;
    this.gatherMillis = builder.gatherMillis;
    this.cache = Caffeine.newBuilder()
        .expireAfterWrite(builder.ttl)
        .maximumSize(builder.maximumSize)
        .ticker(builder.ticker)
        .executor(Runnable::run)
        .build();
    delegate.addListener(new Invalidator());
    this.refresher = new Thread(this::refreshLoop, "parley-session-refresh");
    this.refresher.setDaemon(true);
    this.refresher.start();
  }

  public static Builder builder(SessionStore delegate) {
    return new Builder(delegate);
  }

  /** Whether lookups are served from the cache now (false while the delegate's events are interrupted). */
  public boolean isCaching() {
    return trusted;
  }

  @Override
  public Optional<StoredSession> find(String userId, String sessionId) {
    if (!trusted) {
      return delegate.find(userId, sessionId);
    }
    SessionKey key = new SessionKey(userId, sessionId);
    Entry entry = cache.get(key, this::load);
    Optional<StoredSession> found = entry.session();
    if (found.isPresent() && found.get().isExpired(clock.instant())) {
      Entry fresh = load(key);
      // Only if nothing replaced or evicted the entry meanwhile: an eviction means news.
      cache.asMap().replace(key, entry, fresh);
      return fresh.session();
    }
    if (ticker.read() - entry.refreshAt() >= 0) {
      refreshLater(key, entry);
    }
    return found;
  }

  /** Reads a session from the delegate, with the random point after which a use reads it again. */
  private Entry load(SessionKey key) {
    return entry(delegate.find(key.userId(), key.sessionId()));
  }

  private Entry entry(Optional<StoredSession> session) {
    long half = ttlNanos / 2;
    return new Entry(session, ticker.read() + half + ThreadLocalRandom.current().nextLong(half / 2 + 1));
  }

  /**
   * Queues a session to be read again in the background, once, unless it is queued already or the
   * queue is full (the reader is far behind; the entry then simply expires).
   */
  private void refreshLater(SessionKey key, Entry stale) {
    if (due.size() < maximumSize && due.putIfAbsent(key, stale) == null) {
      dueOrder.add(key);
    }
  }

  /**
   * The background reads: whatever came due meanwhile, in one {@link SessionStore#findAll} round
   * trip, each answer replacing the entry it was due in only if that entry is still there. After a
   * failed read the next waits a little longer each time (up to a quarter of the TTL), so that a
   * store that is down is not asked again and again for nothing.
   */
  private void refreshLoop() {
    List<SessionKey> batch = new ArrayList<>(REFRESH_BATCH);
    while (!closed) {
      try {
        if (failures > 0 && pause(backoffMillis())) {
          return;
        }
        batch.add(dueOrder.take());
        dueOrder.drainTo(batch, REFRESH_BATCH - batch.size());
        // Gather for a moment: sessions come due one by one (their refresh points are spread on
        // purpose), and one round trip for many costs far less than one wakeup and one round trip
        // each. The wait is well within the time left before the entries expire. A full batch, as
        // when the reads fall behind, goes at once.
        if (batch.size() < REFRESH_BATCH && pause(gatherMillis)) {
          return;
        }
        dueOrder.drainTo(batch, REFRESH_BATCH - batch.size());
        refresh(batch);
        failures = 0;
      } catch (InterruptedException e) {
        // Not how close() stops this thread (it wakes it without an interrupt, which jedis's
        // cluster pipelines would swallow mid-read): an interrupt from elsewhere is ignored.
        if (closed) {
          return;
        }
      } catch (Throwable e) {
        // Whatever the delegate throws, this thread must go on: without it every session in use
        // would be read in the call path. The entries expire at their TTL; the call after that
        // asks the store itself.
        if (closed) {
          return;
        }
        reportFailure(batch.size(), e);
      } finally {
        batch.forEach(due::remove);
        batch.clear();
      }
    }
  }

  /** Waits, unless the store closes meanwhile; true if it did. */
  private boolean pause(long millis) throws InterruptedException {
    return millis > 0 && closing.await(millis, TimeUnit.MILLISECONDS) || closed;
  }

  /** 100 ms after the first failure in a row, doubling with each, at most a quarter of the TTL. */
  private long backoffMillis() {
    long max = TimeUnit.NANOSECONDS.toMillis(ttlNanos) / 4;
    return Math.min(max, FIRST_BACKOFF_MILLIS << Math.min(failures - 1, 10));
  }

  /** Reads the sessions of {@code batch} whose entries are still the ones they came due in. */
  private void refresh(List<SessionKey> batch) {
    List<SessionKey> keys = new ArrayList<>(batch.size());
    List<Entry> stale = new ArrayList<>(batch.size());
    for (SessionKey key : batch) {
      Entry queued = due.get(key);
      // Evicted (news of a change) or replaced meanwhile: nothing left to refresh.
      if (queued != null && cache.policy().getIfPresentQuietly(key) == queued) {
        keys.add(key);
        stale.add(queued);
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    List<Optional<StoredSession>> found = delegate.findAll(keys);
    for (int i = 0; i < keys.size(); i++) {
      cache.asMap().replace(keys.get(i), stale.get(i), entry(found.get(i)));
    }
  }

  /** Logs failed background reads: the first of a run at WARN, then at most one a minute. */
  private void reportFailure(int sessions, Throwable e) {
    long now = System.nanoTime();
    if (failures++ == 0 || now - lastFailureWarning >= FAILURE_WARNING_INTERVAL_NANOS) {
      lastFailureWarning = now;
      logger.warn("could not read {} session(s) again in the background ({} failure(s) in a row);"
          + " calls read them from the store when their entries expire", sessions, failures, e);
    } else {
      logger.debug("could not read {} session(s) again in the background: {}", sessions, e.toString());
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
    SessionKey key = new SessionKey(session.userId(), session.sessionId());
    Entry current = cache.getIfPresent(key);
    if (trusted && touched.isPresent()) {
      // Only refresh the entry this touch started from: an eviction or reload in between means news.
      if (current != null && current.session().equals(Optional.of(session))) {
        cache.asMap().replace(key, current, new Entry(touched, current.refreshAt()));
      }
    } else {
      cache.invalidate(key);
    }
    return touched;
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
    if (!trusted) {
      listener.eventsInterrupted();
    }
  }

  @Override
  public void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    dueOrder.add(WAKE_UP);
    try {
      // A read in flight must not outlive the delegate's connections. It ends within the store's
      // socket timeout; only a reader stuck past that is interrupted.
      refresher.join(Duration.ofSeconds(5).toMillis());
      if (refresher.isAlive()) {
        refresher.interrupt();
      }
    } catch (InterruptedException e) {
      refresher.interrupt();
      Thread.currentThread().interrupt();
    }
    cache.invalidateAll();
    delegate.close();
  }

  /** How many sessions are cached now (approximate); for tests and metrics. */
  public long cachedCount() {
    return cache.estimatedSize();
  }

  /**
   * A cached answer of the delegate, and the {@link Ticker} time after which a use reads it again
   * in the background. Compared by value; the random refresh point tells a reload of an unchanged
   * session from the entry it replaces.
   */
  private record Entry(Optional<StoredSession> session, long refreshAt) {}

  private final class Invalidator implements SessionListener {
    @Override
    public void sessionEnded(String userId, String sessionId, SessionState state) {
      cache.invalidate(new SessionKey(userId, sessionId));
      listeners.forEach(l -> l.sessionEnded(userId, sessionId, state));
    }

    @Override
    public void eventsInterrupted() {
      if (trusted && eventsSeen && !closed) {
        logger.warn("session events interrupted: bypassing the session cache until they resume");
      }
      trusted = false;
      cache.invalidateAll();
      listeners.forEach(SessionListener::eventsInterrupted);
    }

    @Override
    public void eventsResumed() {
      cache.invalidateAll();
      if (!trusted && eventsSeen) {
        logger.info("session events resumed: session cache in use again");
      }
      eventsSeen = true;
      trusted = true;
      listeners.forEach(SessionListener::eventsResumed);
    }
  }

  /** Builds a {@link CachingSessionStore}. Not thread-safe. */
  public static final class Builder {
    private final SessionStore delegate;
    private Duration ttl = Duration.ofSeconds(5);
    private long maximumSize = 100_000;
    private long gatherMillis = GATHER_MILLIS;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();

    private Builder(SessionStore delegate) {
      this.delegate = requireNonNull(delegate, "delegate");
    }

    /**
     * How long an entry may be served without asking the delegate; 5 seconds by default, between 1
     * second (below that, background reads could not land before entries expire) and 1 minute.
     */
    public Builder ttl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("ttl must be between 1 second and 1 minute: " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be positive: " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** How long background reads wait for more sessions to come due; for tests. */
    Builder gather(Duration gather) {
      this.gatherMillis = requireNonNull(gather, "gather").toMillis();
      return this;
    }

    /** The clock that decides whether a cached session looks expired. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The time source of cache expiry. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    public CachingSessionStore build() {
      return new CachingSessionStore(this);
    }
  }
}
