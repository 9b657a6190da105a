package io.parley.session;

import io.parley.session.v1.SessionRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A store that hands every call to another; tests override what they watch or slow down. */
abstract class ForwardingSessionStore implements SessionStore {
  final SessionStore delegate;

  ForwardingSessionStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public List<String> create(SessionRecord record, TerminalPolicy policy) {
    return delegate.create(record, policy);
  }

  @Override
  public Optional<StoredSession> find(String userId, String sessionId) {
    return delegate.find(userId, sessionId);
  }

  @Override
  public Optional<StoredSession> touch(StoredSession session) {
    return delegate.touch(session);
  }

  @Override
  public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
    return delegate.updateAttributes(userId, sessionId, changes);
  }

  @Override
  public List<StoredSession> listLive(String userId) {
    return delegate.listLive(userId);
  }

  @Override
  public boolean revoke(String userId, String sessionId) {
    return delegate.revoke(userId, sessionId);
  }

  @Override
  public List<String> revokeAllExcept(String userId, String keepSessionId) {
    return delegate.revokeAllExcept(userId, keepSessionId);
  }

  @Override
  public void addListener(SessionListener listener) {
    delegate.addListener(listener);
  }

  @Override
  public void removeListener(SessionListener listener) {
    delegate.removeListener(listener);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
