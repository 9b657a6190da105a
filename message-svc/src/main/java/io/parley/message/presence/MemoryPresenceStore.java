package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@link PresenceStore} in this process's memory, for the embedded default (one process): every
 * user's leases, last seen time and version, and the leases ordered by expiry for {@link #sweep}. A
 * user's devices are forgotten once they hold none, but not their last seen time and version.
 * Thread-safe: one lock.
 */
public final class MemoryPresenceStore implements PresenceStore {
  private record Held(Terminal terminal, long sinceMillis, long renewedMillis, long expiresAtMillis) {}

  private record Expiry(long atMillis, String userId, String device) {}

  private static final Comparator<Expiry> EARLIEST_FIRST = Comparator.comparingLong(Expiry::atMillis)
      .thenComparing(Expiry::userId).thenComparing(Expiry::device);

  private final Map<String, Map<String, Held>> devices = new HashMap<>();
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  private final TreeSet<Expiry> expiries = new TreeSet<>(EARLIEST_FIRST);

  @Override
  public synchronized PresenceChange connect(DeviceLease lease) {
    requireNonNull(lease, "lease");
    Map<String, Held> held = devices.computeIfAbsent(lease.userId(), u -> new LinkedHashMap<>());
    boolean cameOnline = held.isEmpty();
    Held old = held.get(lease.device());
    if (old != null) {
      expiries.remove(new Expiry(old.expiresAtMillis(), lease.userId(), lease.device()));
    }
    long since = old == null ? lease.sinceMillis() : old.sinceMillis();
    held.put(lease.device(), new Held(lease.terminal(), since, lease.sinceMillis(), lease.expiresAtMillis()));
    versions.merge(lease.userId(), 1L, Long::sum);
    expiries.add(new Expiry(lease.expiresAtMillis(), lease.userId(), lease.device()));
    return new PresenceChange(presence(lease.userId()), cameOnline, false);
  }

  @Override
  public synchronized boolean renew(String userId, String device, long nowMillis, long expiresAtMillis) {
    Map<String, Held> held = devices.get(userId);
    Held old = held == null ? null : held.get(device);
    if (old == null) {
      return false;
    }
    expiries.remove(new Expiry(old.expiresAtMillis(), userId, device));
    held.put(device, new Held(old.terminal(), old.sinceMillis(), nowMillis, expiresAtMillis));
    expiries.add(new Expiry(expiresAtMillis, userId, device));
    return true;
  }

  @Override
  public synchronized Optional<PresenceChange> disconnect(String userId, String device, long nowMillis) {
    return remove(userId, device, nowMillis);
  }

  private Optional<PresenceChange> remove(String userId, String device, long seenMillis) {
    Map<String, Held> held = devices.get(userId);
    Held old = held == null ? null : held.remove(device);
    if (old == null) {
      return Optional.empty();
    }
    expiries.remove(new Expiry(old.expiresAtMillis(), userId, device));
    versions.merge(userId, 1L, Long::sum);
    boolean wentOffline = held.isEmpty();
    if (wentOffline) {
      devices.remove(userId);
      lastSeen.put(userId, seenMillis);
    }
    return Optional.of(new PresenceChange(presence(userId), false, wentOffline));
  }

  @Override
  public synchronized List<PresenceChange> sweep(long nowMillis, int max) {
    List<PresenceChange> changes = new ArrayList<>();
    while (changes.size() < max && !expiries.isEmpty() && expiries.first().atMillis() < nowMillis) {
      Expiry expired = expiries.first();
      Held old = devices.get(expired.userId()).get(expired.device());
      remove(expired.userId(), expired.device(), old.renewedMillis()).ifPresent(changes::add);
    }
    return changes;
  }

  @Override
  public synchronized UserPresence read(String userId) {
    return presence(userId);
  }

  private UserPresence presence(String userId) {
    Map<String, UserPresence.Device> leases = new LinkedHashMap<>();
    devices.getOrDefault(userId, Map.of()).forEach((device, held) -> leases.put(device,
        new UserPresence.Device(DeviceLease.sessionOf(device), held.terminal(), held.sinceMillis())));
    return UserPresence.of(userId, leases, lastSeen.getOrDefault(userId, 0L), versions.getOrDefault(userId, 0L));
  }
}
