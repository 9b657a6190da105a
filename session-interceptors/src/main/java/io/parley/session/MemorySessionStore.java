package io.parley.session;

import static java.util.Objects.requireNonNull;

import io.parley.session.v1.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionStore} in this process's memory: the embedded default. Sessions are lost when
 * the process exits and are not shared with other processes. Time comes from the injected {@link
 * Clock}, so tests move the clock instead of sleeping. Listeners run on the thread that ended or
 * changed the session. A user's forgotten sessions are pruned whenever the user is looked up.
 * Thread-safe; operations on one user are serialized.
 */
public final class MemorySessionStore implements SessionStore {
  private static final Logger logger = LoggerFactory.getLogger(MemorySessionStore.class);

  private final Clock clock;
  private final SessionPolicy policy;
  private final ConcurrentHashMap<String, Map<String, StoredSession>> users = new ConcurrentHashMap<>();
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();

  public MemorySessionStore(Clock clock, SessionPolicy policy) {
    this.clock = requireNonNull(clock, "clock");
    this.policy = requireNonNull(policy, "policy");
  }

  @Override
  public List<String> create(SessionRecord record, TerminalPolicy terminalPolicy) {
    requireNonNull(record, "record");
    requireNonNull(terminalPolicy, "terminalPolicy");
    Instant now = clock.instant();
    List<String> kicked = new ArrayList<>();
    users.compute(record.getUserId(), (userId, sessions) -> {
      Map<String, StoredSession> map = sessions == null ? new HashMap<>() : sessions;
      prune(map, now);
      List<StoredSession> live = new ArrayList<>();
      for (StoredSession s : map.values()) {
        if (!s.isLive(now)) {
          continue;
        }
        boolean replaced = terminalPolicy == TerminalPolicy.SINGLE
            || (terminalPolicy == TerminalPolicy.PER_TERMINAL && s.record().getTerminal() == record.getTerminal());
        if (replaced) {
          kicked.add(s.sessionId());
        } else {
          live.add(s);
        }
      }
      // Beyond the cap, the least recently active sessions go.
      live.sort(Comparator.comparing(StoredSession::lastAccess));
      for (int i = 0; i <= live.size() - policy.maxSessionsPerUser(); i++) {
        kicked.add(live.get(i).sessionId());
      }
      for (String sid : kicked) {
        map.put(sid, ended(map.get(sid), SessionState.KICKED, now));
      }
      map.put(record.getSessionId(), new StoredSession(record, SessionState.ACTIVE, now, null));
      return map;
    });
    kicked.forEach(sid -> notifyEnded(record.getUserId(), sid, SessionState.KICKED));
    return kicked;
  }

  @Override
  public Optional<StoredSession> find(String userId, String sessionId) {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    Instant now = clock.instant();
    StoredSession[] found = new StoredSession[1];
    users.computeIfPresent(userId, (k, map) -> {
      prune(map, now);
      found[0] = map.get(sessionId);
      return map.isEmpty() ? null : map;
    });
    return Optional.ofNullable(found[0]);
  }

  @Override
  public Optional<StoredSession> touch(StoredSession session) {
    return touch(session, clock.instant(), Duration.ZERO);
  }

  /** Records activity at {@code at}, leaving alone sessions recorded less than the touch interval before. */
  @Override
  public List<Optional<StoredSession>> touchAll(List<StoredSession> sessions, Instant at) {
    List<Optional<StoredSession>> touched = new ArrayList<>(sessions.size());
    for (StoredSession session : sessions) {
      touched.add(touch(session, at, policy.touchInterval()));
    }
    return touched;
  }

  /** Slides the idle expiry from {@code at} if the session was live then and recorded at least {@code step} before. */
  private Optional<StoredSession> touch(StoredSession session, Instant at, Duration step) {
    String sessionId = session.sessionId();
    StoredSession[] result = new StoredSession[1];
    users.computeIfPresent(session.userId(), (k, map) -> {
      StoredSession s = map.get(sessionId);
      if (s != null && s.isLive(at) && s.lastAccess().isBefore(at) && !s.lastAccess().plus(step).isAfter(at)) {
        s = new StoredSession(s.record(), s.state(), at, null);
        map.put(sessionId, s);
      }
      result[0] = s;
      return map;
    });
    return Optional.ofNullable(result[0]);
  }

  @Override
  public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    requireNonNull(changes, "changes");
    Instant now = clock.instant();
    boolean[] updated = new boolean[1];
    users.computeIfPresent(userId, (k, map) -> {
      StoredSession s = map.get(sessionId);
      if (s != null && s.isLive(now)) {
        SessionRecord record = SessionAttributes.apply(s.record(), changes);
        map.put(sessionId, new StoredSession(record, s.state(), s.lastAccess(), null));
        updated[0] = true;
      }
      return map;
    });
    if (updated[0]) {
      for (SessionListener listener : listeners) {
        try {
          listener.sessionChanged(userId, sessionId);
        } catch (RuntimeException e) {
          logger.error("session listener failed on a change of {}", sessionId, e);
        }
      }
    }
    return updated[0];
  }

  @Override
  public List<StoredSession> listLive(String userId) {
    Instant now = clock.instant();
    List<StoredSession> live = new ArrayList<>();
    users.computeIfPresent(userId, (k, map) -> {
      prune(map, now);
      map.values().stream().filter(s -> s.isLive(now)).forEach(live::add);
      return map.isEmpty() ? null : map;
    });
    live.sort(Comparator.comparingLong((StoredSession s) -> s.record().getCreateTimeMs()).reversed());
    return live;
  }

  @Override
  public boolean revoke(String userId, String sessionId) {
    Instant now = clock.instant();
    boolean[] revoked = new boolean[1];
    users.computeIfPresent(userId, (k, map) -> {
      StoredSession s = map.get(sessionId);
      if (s != null && s.isLive(now)) {
        map.put(sessionId, ended(s, SessionState.REVOKED, now));
        revoked[0] = true;
      }
      return map;
    });
    if (revoked[0]) {
      notifyEnded(userId, sessionId, SessionState.REVOKED);
    }
    return revoked[0];
  }

  @Override
  public List<String> revokeAllExcept(String userId, String keepSessionId) {
    Instant now = clock.instant();
    List<String> revoked = new ArrayList<>();
    users.computeIfPresent(userId, (k, map) -> {
      for (StoredSession s : List.copyOf(map.values())) {
        if (s.isLive(now) && !s.sessionId().equals(keepSessionId)) {
          map.put(s.sessionId(), ended(s, SessionState.REVOKED, now));
          revoked.add(s.sessionId());
        }
      }
      return map;
    });
    revoked.forEach(sid -> notifyEnded(userId, sid, SessionState.REVOKED));
    return revoked;
  }

  @Override
  public void addListener(SessionListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    users.clear();
  }

  /** A tombstone: the ids and terminal only, as the Redis store keeps. */
  private static StoredSession ended(StoredSession s, SessionState state, Instant now) {
    SessionRecord stub = SessionRecord.newBuilder()
        .setSessionId(s.sessionId())
        .setUserId(s.userId())
        .setTerminal(s.record().getTerminal())
        .build();
    return new StoredSession(stub, state, now, now);
  }

  /** Forgets ended sessions past their retention and expired ones past theirs. */
  private void prune(Map<String, StoredSession> map, Instant now) {
    map.values().removeIf(s -> {
      Instant since = s.state() == SessionState.ACTIVE ? s.expiresAt() : s.endedAt();
      return !now.isBefore(since.plus(policy.endedRetention()));
    });
  }

  private void notifyEnded(String userId, String sessionId, SessionState state) {
    for (SessionListener listener : listeners) {
      try {
        listener.sessionEnded(userId, sessionId, state);
      } catch (RuntimeException e) {
        logger.error("session listener failed on {} {}", state, sessionId, e);
      }
    }
  }
}
