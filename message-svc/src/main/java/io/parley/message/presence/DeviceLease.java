package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;

/**
 * One device's hold on a user's presence, as one replica takes it: a session's Subscribe streams on
 * that replica. A session with streams on two replicas holds two leases, and shows as one device.
 *
 * @param userId the user
 * @param sessionId the session (the device)
 * @param replicaId the replica that hosts the streams and renews the lease
 * @param terminal the session's terminal
 * @param sinceMillis when the device came online
 * @param expiresAtMillis until when the lease holds unless renewed
 */
public record DeviceLease(String userId, String sessionId, String replicaId, Terminal terminal, long sinceMillis,
    long expiresAtMillis) {
  public DeviceLease {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    requireNonNull(replicaId, "replicaId");
    requireNonNull(terminal, "terminal");
    if (sessionId.contains("/") || replicaId.contains("/")) {
      throw new IllegalArgumentException("session and replica ids must not contain '/'");
    }
  }

  /** The store's name of this lease's device: {@code <sessionId>/<replicaId>}. */
  public String device() {
    return device(sessionId, replicaId);
  }

  /** The store's name of a session's device on a replica. */
  public static String device(String sessionId, String replicaId) {
    return sessionId + "/" + replicaId;
  }

  /** The session of a store's device name. */
  static String sessionOf(String device) {
    int slash = device.indexOf('/');
    return slash < 0 ? device : device.substring(0, slash);
  }
}
