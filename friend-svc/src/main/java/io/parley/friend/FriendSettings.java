package io.parley.friend;

import static java.util.Objects.requireNonNull;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;

/**
 * How friend-svc behaves where the contract leaves a choice. Immutable.
 *
 * @param userLookupTimeout the longest a call waits for user-svc to confirm that a user exists
 *     (SendFriendRequest, BlockUser); the caller's own deadline applies too if it is shorter. When
 *     it passes, the call fails DEADLINE_EXCEEDED.
 * @param friendRequestLimit SendFriendRequest calls per user, whatever the outcome, named {@code
 *     friend.request}; a call over it fails RESOURCE_EXHAUSTED with RATE_LIMITED
 */
public record FriendSettings(Duration userLookupTimeout, RateLimit friendRequestLimit) {
  public FriendSettings {
    requireNonNull(userLookupTimeout, "userLookupTimeout");
    if (userLookupTimeout.isNegative() || userLookupTimeout.isZero()) {
      throw new IllegalArgumentException("userLookupTimeout must be positive: " + userLookupTimeout);
    }
    requireNonNull(friendRequestLimit, "friendRequestLimit");
    if (!friendRequestLimit.name().equals("friend.request")) {
      throw new IllegalArgumentException(
          "friendRequestLimit must be named friend.request: " + friendRequestLimit.name());
    }
  }

  /** A 2 s user lookup timeout; 20 friend requests an hour per user, 10 at once. */
  public static FriendSettings defaults() {
    return new FriendSettings(Duration.ofSeconds(2), RateLimit.parse("friend.request", "20/1h,burst=10"));
  }

  public FriendSettings withUserLookupTimeout(Duration timeout) {
    return new FriendSettings(timeout, friendRequestLimit);
  }

  public FriendSettings withFriendRequestLimit(RateLimit limit) {
    return new FriendSettings(userLookupTimeout, limit);
  }
}
