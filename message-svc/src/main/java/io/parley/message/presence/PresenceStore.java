package io.parley.message.presence;

import java.util.List;
import java.util.Optional;

/**
 * Where users' presence lives: the devices that hold a Subscribe stream open, each as a lease that
 * the replica hosting the stream renews, and when each user was last seen. Presence is a signal,
 * never data of record: the Redis store keeps it in Redis only (losing Redis loses last seen), the
 * memory store in this process.
 *
 * <p>A user is online while they hold at least one device, whether or not its lease has run out:
 * an expired lease counts until a {@link #sweep} removes it, and each removal is made by exactly one
 * sweeper, so that every change (and the one that takes a user offline) is reported exactly once,
 * whichever replica reports it. Every change costs a constant number of store commands, whatever
 * the user's friends or groups.
 *
 * <p>Implementations are thread-safe; their methods may throw an unchecked exception when the store
 * cannot be reached, and a caller that holds a device keeps renewing it ({@link #renew} then
 * answers false and the caller connects it again).
 */
public interface PresenceStore {
  /**
   * Holds {@code lease}'s device until {@link DeviceLease#expiresAtMillis()}; a device held already
   * keeps its online-since time.
   *
   * @return the user's presence after the change; {@link PresenceChange#cameOnline()} if the user
   *     held no device before
   */
  PresenceChange connect(DeviceLease lease);

  /**
   * Extends a held device's lease to {@code expiresAtMillis}, noting {@code nowMillis} as its last
   * sign of life.
   *
   * @return false if the device is not held (it was swept meanwhile): connect it again
   */
  boolean renew(String userId, String device, long nowMillis, long expiresAtMillis);

  /**
   * Lets go of a device. If it was the user's last, the user is last seen at {@code nowMillis}.
   *
   * @return the change, or empty if the device was not held
   */
  Optional<PresenceChange> disconnect(String userId, String device, long nowMillis);

  /**
   * Removes up to {@code max} devices whose lease ran out before {@code nowMillis}; a user who loses
   * their last is last seen at that device's last renewal. Each expired device is removed and
   * reported by one caller only, across replicas.
   */
  List<PresenceChange> sweep(long nowMillis, int max);

  /** A user's presence now (never null; a user never seen holds no device and has no last seen). */
  UserPresence read(String userId);
}
