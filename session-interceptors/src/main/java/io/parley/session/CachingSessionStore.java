package io.parley.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.parley.session.v1.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>Thread-safe. Loads of one session are coalesced; an eviction racing a load waits for it, and
 * refreshes (a touch, a re-read) only replace the exact entry they started from, so an eviction is
 * never undone by a stale read. A revocation missed despite this (e.g. its event arriving during a
 * store outage) is bounded by the TTL.
 */
public final class CachingSessionStore implements SessionStore {
  private static final Logger logger = LoggerFactory.getLogger(CachingSessionStore.class);

  private final SessionStore delegate;
  private final Clock clock;
  private final Cache<Key, Optional<StoredSession>> cache;
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean trusted = true;
  private volatile boolean eventsSeen;

  private CachingSessionStore(Builder builder) {
    this.delegate = builder.delegate;
    this.clock = builder.clock;
    this.cache = Caffeine.newBuilder()
        .expireAfterWrite(builder.ttl)
        .maximumSize(builder.maximumSize)
        .ticker(builder.ticker)
        .executor(Runnable::run)
        .build();
    delegate.addListener(new Invalidator());
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
    Key key = new Key(userId, sessionId);
    Optional<StoredSession> found = cache.get(key, k -> delegate.find(userId, sessionId));
    if (found.isPresent() && found.get().isExpired(clock.instant())) {
      Optional<StoredSession> fresh = delegate.find(userId, sessionId);
      // Only if nothing replaced or evicted the entry meanwhile: an eviction means news.
      cache.asMap().replace(key, found, fresh);
      found = fresh;
    }
    return found;
  }

  @Override
  public List<String> create(SessionRecord record, TerminalPolicy policy) {
    List<String> kicked = delegate.create(record, policy);
    kicked.forEach(sid -> cache.invalidate(new Key(record.getUserId(), sid)));
    cache.invalidate(new Key(record.getUserId(), record.getSessionId()));
    return kicked;
  }

  @Override
  public Optional<StoredSession> touch(StoredSession session) {
    Optional<StoredSession> touched = delegate.touch(session);
    Key key = new Key(session.userId(), session.sessionId());
    if (trusted && touched.isPresent()) {
      // Only refresh the entry this touch started from: an eviction or reload in between means news.
      cache.asMap().replace(key, Optional.of(session), touched);
    } else {
      cache.invalidate(key);
    }
    return touched;
  }

  @Override
  public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
    boolean updated = delegate.updateAttributes(userId, sessionId, changes);
    cache.invalidate(new Key(userId, sessionId));
    return updated;
  }

  @Override
  public List<StoredSession> listLive(String userId) {
    return delegate.listLive(userId);
  }

  @Override
  public boolean revoke(String userId, String sessionId) {
    boolean revoked = delegate.revoke(userId, sessionId);
    cache.invalidate(new Key(userId, sessionId));
    return revoked;
  }

  @Override
  public List<String> revokeAllExcept(String userId, String keepSessionId) {
    List<String> revoked = delegate.revokeAllExcept(userId, keepSessionId);
    revoked.forEach(sid -> cache.invalidate(new Key(userId, sid)));
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
    cache.invalidateAll();
    delegate.close();
  }

  /** How many sessions are cached now (approximate); for tests and metrics. */
  public long cachedCount() {
    return cache.estimatedSize();
  }

  private record Key(String userId, String sessionId) {}

  private final class Invalidator implements SessionListener {
    @Override
    public void sessionEnded(String userId, String sessionId, SessionState state) {
      cache.invalidate(new Key(userId, sessionId));
      listeners.forEach(l -> l.sessionEnded(userId, sessionId, state));
    }

    @Override
    public void eventsInterrupted() {
      if (trusted && eventsSeen) {
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
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();

    private Builder(SessionStore delegate) {
      this.delegate = requireNonNull(delegate, "delegate");
    }

    /** How long an entry may be served without asking the delegate; 5 seconds by default, at most a minute. */
    public Builder ttl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("ttl must be between 0 and 1 minute: " + ttl);
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
