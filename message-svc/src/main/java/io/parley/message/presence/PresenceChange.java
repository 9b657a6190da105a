package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

/**
 * A change of a user's devices, as the store made it.
 *
 * @param presence the user's presence after the change
 * @param cameOnline whether the user held no device before
 * @param wentOffline whether the change took the user's last device
 */
public record PresenceChange(UserPresence presence, boolean cameOnline, boolean wentOffline) {
  public PresenceChange {
    requireNonNull(presence, "presence");
  }
}
