package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

import io.parley.message.v1.PresenceVisibility;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link PresenceSettings} in this process's memory (lost on exit). Thread-safe. */
public final class MemoryPresenceSettings implements PresenceSettings {
  private final Map<String, PresenceVisibility> settings = new ConcurrentHashMap<>();

  @Override
  public Map<String, PresenceVisibility> visibility(Collection<String> userIds) {
    Map<String, PresenceVisibility> found = new HashMap<>();
    for (String userId : userIds) {
      found.put(userId, settings.getOrDefault(userId, DEFAULT));
    }
    return found;
  }

  @Override
  public void setVisibility(String userId, PresenceVisibility visibility) {
    settings.put(requireNonNull(userId, "userId"), requireNonNull(visibility, "visibility"));
  }
}
