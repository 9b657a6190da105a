package io.parley.group;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What an operator may tune in group-svc.
 *
 * @param maxMembers the member limit of a group, owner included, fixed when the group is created
 *     (so lowering it later never evicts anyone); 2-100,000, 2,000 by default. A change that would
 *     exceed it fails GROUP_FULL.
 * @param userLookupTimeout how long a call waits for user-svc to confirm that invited users exist;
 *     positive, 5 seconds by default. A shorter deadline of the caller's call wins.
 */
public record GroupSettings(int maxMembers, Duration userLookupTimeout) {
  /** The default member limit. */
  public static final int DEFAULT_MAX_MEMBERS = 2_000;

  /** The largest member limit accepted: every read that walks a whole group stays bounded. */
  public static final int MAX_MAX_MEMBERS = 100_000;

  public GroupSettings {
    if (maxMembers < 2 || maxMembers > MAX_MAX_MEMBERS) {
      throw new IllegalArgumentException("maxMembers must be 2-" + MAX_MAX_MEMBERS + ": " + maxMembers);
    }
    requireNonNull(userLookupTimeout, "userLookupTimeout");
    if (userLookupTimeout.isNegative() || userLookupTimeout.isZero()) {
      throw new IllegalArgumentException("userLookupTimeout must be positive: " + userLookupTimeout);
    }
  }

  /** 2,000 members, a 5-second user lookup. */
  public static GroupSettings defaults() {
    return new GroupSettings(DEFAULT_MAX_MEMBERS, Duration.ofSeconds(5));
  }

  /** A copy with another member limit. */
  public GroupSettings withMaxMembers(int maxMembers) {
    return new GroupSettings(maxMembers, userLookupTimeout);
  }

  /** A copy with another user lookup timeout. */
  public GroupSettings withUserLookupTimeout(Duration userLookupTimeout) {
    return new GroupSettings(maxMembers, userLookupTimeout);
  }
}
