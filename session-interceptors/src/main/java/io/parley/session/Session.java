package io.parley.session;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.HashMap;
import java.util.Objects;

/**
 * The session of the current call, as {@link Sessions#current()} returns it: who is calling, from
 * which terminal, and the attributes filled at login (profile, roles) so that handlers need no
 * extra lookup.
 *
 * <p>Attributes may be changed during the call; {@link SessionServerInterceptor} writes the changes
 * (not the whole map, so that changes made meanwhile elsewhere survive) back to the store once, when
 * the call ends, and only if there are any. Thread-safe: a call's callbacks may run on different
 * threads.
 */
public final class Session {
  private final StoredSession stored;
  /** Changes made during the call: a null value removes the key. Guarded by {@code this}. */
  private final Map<String, String> changes = new HashMap<>();

  Session(StoredSession stored) {
    this.stored = requireNonNull(stored, "stored");
  }

  /** A session for tests and background work that runs outside a gRPC call. */
  public static Session of(StoredSession stored) {
    return new Session(stored);
  }

  public String userId() {
    return stored.userId();
  }

  public String sessionId() {
    return stored.sessionId();
  }

  public Terminal terminal() {
    return stored.terminal();
  }

  public String deviceName() {
    return stored.record().getDeviceName();
  }

  public Instant createdAt() {
    return Instant.ofEpochMilli(stored.record().getCreateTimeMs());
  }

  /** The last recorded activity; may lag the real last call by up to the touch interval. */
  public Instant lastAccess() {
    return stored.lastAccess();
  }

  /** When the session expires if it stays idle from now on. */
  public Instant expiresAt() {
    return stored.expiresAt();
  }

  /** An attribute's value, or null. */
  public synchronized String attribute(String name) {
    requireNonNull(name, "name");
    return changes.containsKey(name) ? changes.get(name) : stored.record().getAttributesMap().get(name);
  }

  /** A snapshot of the attributes, this call's changes included. */
  public synchronized Map<String, String> attributes() {
    if (changes.isEmpty()) {
      return stored.record().getAttributesMap();
    }
    Map<String, String> all = new HashMap<>(stored.record().getAttributesMap());
    changes.forEach((key, value) -> {
      if (value == null) {
        all.remove(key);
      } else {
        all.put(key, value);
      }
    });
    return Collections.unmodifiableMap(all);
  }

  /** Sets an attribute (a null value removes it); written back when the call ends. */
  public synchronized void setAttribute(String name, String value) {
    requireNonNull(name, "name");
    if (Objects.equals(stored.record().getAttributesMap().get(name), value)) {
      changes.remove(name);
    } else {
      changes.put(name, value);
    }
  }

  /** Whether an attribute changed since the call began. */
  public synchronized boolean isChanged() {
    return !changes.isEmpty();
  }

  /** The changes to write back (a null value removes the key), a copy. */
  synchronized Map<String, String> changes() {
    return new HashMap<>(changes);
  }

  @Override
  public String toString() {
    return "Session{user=" + userId() + ", session=" + sessionId() + ", terminal=" + terminal() + "}";
  }
}
