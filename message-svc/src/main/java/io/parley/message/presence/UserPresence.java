package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's presence: the devices online (one per session, however many replicas host its streams)
 * and, while none is, when the user was last seen. Immutable.
 *
 * @param userId the user
 * @param devices the devices online, oldest first
 * @param lastSeenMillis when the user's last device went offline; 0 if never, or while online
 * @param version grows with every change of the user's devices (0 for a user never seen), so that
 *     of two reports of one user's presence, which may arrive out of order from two replicas, the
 *     newer is known
 */
public record UserPresence(String userId, List<Device> devices, long lastSeenMillis, long version) {
  /** One device online: a session, with its terminal, online since its first stream opened. */
  public record Device(String sessionId, Terminal terminal, long onlineSinceMillis) {
    public Device {
      requireNonNull(sessionId, "sessionId");
      requireNonNull(terminal, "terminal");
    }
  }

  public UserPresence {
    requireNonNull(userId, "userId");
    devices = List.copyOf(devices);
  }

  /** Whether any device is online. */
  public boolean online() {
    return !devices.isEmpty();
  }

  /**
   * The presence of a user holding {@code leases} (device name to terminal and online-since time),
   * merging the leases of one session on several replicas into one device.
   */
  static UserPresence of(String userId, Map<String, Device> leases, long lastSeenMillis, long version) {
    Map<String, Device> bySession = new LinkedHashMap<>();
    for (Map.Entry<String, Device> lease : leases.entrySet()) {
      Device device = lease.getValue();
      bySession.merge(device.sessionId(), device,
          (a, b) -> a.onlineSinceMillis() <= b.onlineSinceMillis() ? a : b);
    }
    List<Device> devices = new ArrayList<>(bySession.values());
    devices.sort(Comparator.comparingLong(Device::onlineSinceMillis).thenComparing(Device::sessionId));
    return new UserPresence(userId, devices, devices.isEmpty() ? lastSeenMillis : 0, version);
  }
}
