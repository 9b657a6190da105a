package io.parley.friend;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How friend-svc behaves where the contract leaves a choice. Immutable.
 *
 * @param userLookupTimeout the longest a call waits for user-svc to confirm that a user exists
 *     (SendFriendRequest, BlockUser); the caller's own deadline applies too if it is shorter. When
 *     it passes, the call fails DEADLINE_EXCEEDED.
 * @param writeAttempts how many times a write on the Redis store (send, accept, block) is tried
 *     while concurrent changes to the same two users keep winning, before it fails ABORTED; at
 *     least 1
 */
public record FriendSettings(Duration userLookupTimeout, int writeAttempts) {
  public FriendSettings {
    requireNonNull(userLookupTimeout, "userLookupTimeout");
    if (userLookupTimeout.isNegative() || userLookupTimeout.isZero()) {
      throw new IllegalArgumentException("userLookupTimeout must be positive: " + userLookupTimeout);
    }
    if (writeAttempts < 1) {
      throw new IllegalArgumentException("writeAttempts must be at least 1: " + writeAttempts);
    }
  }

  /** A 2 s user lookup timeout and 8 write attempts. */
  public static FriendSettings defaults() {
    return new FriendSettings(Duration.ofSeconds(2), 8);
  }

  public FriendSettings withUserLookupTimeout(Duration timeout) {
    return new FriendSettings(timeout, writeAttempts);
  }

  public FriendSettings withWriteAttempts(int attempts) {
    return new FriendSettings(userLookupTimeout, attempts);
  }
}
