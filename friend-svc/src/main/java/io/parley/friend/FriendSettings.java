package io.parley.friend;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How friend-svc behaves where the contract leaves a choice. Immutable.
 *
 * @param userLookupTimeout the longest a call waits for user-svc to confirm that a user exists
 *     (SendFriendRequest, BlockUser); the caller's own deadline applies too if it is shorter. When
 *     it passes, the call fails DEADLINE_EXCEEDED.
 */
public record FriendSettings(Duration userLookupTimeout) {
  public FriendSettings {
    requireNonNull(userLookupTimeout, "userLookupTimeout");
    if (userLookupTimeout.isNegative() || userLookupTimeout.isZero()) {
      throw new IllegalArgumentException("userLookupTimeout must be positive: " + userLookupTimeout);
    }
  }

  /** A 2 s user lookup timeout. */
  public static FriendSettings defaults() {
    return new FriendSettings(Duration.ofSeconds(2));
  }

  public FriendSettings withUserLookupTimeout(Duration timeout) {
    return new FriendSettings(timeout);
  }
}
