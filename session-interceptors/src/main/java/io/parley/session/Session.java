package io.parley.session;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session of the current call, as {@link Sessions#current()} returns it: who is calling, from
 * which terminal, and the attributes filled at login (profile, roles) so that handlers need no
 * extra lookup.
 *
 * <p>Attributes may be changed during the call; {@link SessionServerInterceptor} writes them back
 * to the store once, when the call ends, and only if they changed. Thread-safe: a call's callbacks
 * may run on different threads.
 */
public final class Session {
  private final StoredSession stored;
  /** The stored attributes until the first change, then a private copy (copy on write). */
  private volatile Map<String, String> attributes;
  private volatile boolean changed;

  Session(StoredSession stored) {
    this.stored = requireNonNull(stored, "stored");
    this.attributes = stored.record().getAttributesMap();
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
  public String attribute(String name) {
    return attributes.get(requireNonNull(name, "name"));
  }

  /** A read-only view of the attributes. */
  public Map<String, String> attributes() {
    return Collections.unmodifiableMap(attributes);
  }

  /** Sets an attribute; written back when the call ends. A null value removes it. */
  public synchronized void setAttribute(String name, String value) {
    requireNonNull(name, "name");
    if (!changed) {
      attributes = new ConcurrentHashMap<>(attributes);
    }
    String previous = value == null ? attributes.remove(name) : attributes.put(name, value);
    if (previous == null ? value != null : !previous.equals(value)) {
      changed = true;
    } else if (!changed) {
      attributes = stored.record().getAttributesMap();
    }
  }

  /** Whether an attribute changed since the call began. */
  public boolean isChanged() {
    return changed;
  }

  StoredSession stored() {
    return stored;
  }

  @Override
  public String toString() {
    return "Session{user=" + userId() + ", session=" + sessionId() + ", terminal=" + terminal() + "}";
  }
}
