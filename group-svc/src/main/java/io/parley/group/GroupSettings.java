package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;

/**
 * What an operator may tune in group-svc. Immutable; the {@code with*} methods return changed
 * copies, and every value is checked when a copy is made.
 *
 * @param maxMembers the member limit of a group, owner included, fixed when the group is created
 *     (so lowering it later never evicts anyone); 2-100,000, 2,000 by default. A change that would
 *     exceed it fails GROUP_FULL.
 * @param userLookupTimeout how long a call waits for user-svc to confirm that invited users exist,
 *     and for friend-svc to tell how the caller and each invitee relate; positive, 5 seconds by
 *     default. A shorter deadline of the caller's call wins.
 * @param maxOwnedGroups how many groups one user may own; 1-100,000, 100 by default. CreateGroup
 *     beyond it, and TransferOwnership to a user at it, fail GROUP_OWNED_LIMIT.
 * @param maxInviteesPerCall how many user ids one InviteMembers (or CreateGroup's member_ids) may
 *     name; 1-100 (user-svc's batch), 100 by default. More fail INVALID_ARGUMENT naming the field.
 * @param maxPendingInvitations how many pending invitations, from all groups together, one user may
 *     hold; 1-1,000, 20 by default. An invitation beyond it fails INVITATION_LIMIT, so that
 *     invitations cannot bury a user: the user makes room by accepting or declining.
 * @param maxPendingJoinRequests how many pending join requests one user may have filed, to all
 *     groups together; 1-1,000, 20 by default. More fail JOIN_REQUEST_LIMIT.
 * @param refusalCooldown how long after an invitee declines a group's invitation that group may not
 *     invite the user again (INVITATION_DECLINED), and after admins reject a join request the user
 *     may not ask that group again (JOIN_REQUEST_REJECTED); zero to 365 days, 7 days by default.
 * @param friendsAddDirectly whether an admin adds a friend of theirs at once instead of inviting
 *     them (friend-svc says who is a friend); false by default, so that every membership is an
 *     accepted invitation.
 * @param createGroupLimit CreateGroup calls per user, across replicas, whatever the outcome, named
 *     {@code group.create}; a call over it fails RESOURCE_EXHAUSTED with RATE_LIMITED and a
 *     RetryInfo. 20 an hour with bursts of 10 by default, as friend requests: creating a group puts
 *     invitations in front of up to {@code maxInviteesPerCall} others, so it is limited like
 *     anything else that reaches another user unasked, and nobody creates groups by the dozen.
 */
public record GroupSettings(int maxMembers, Duration userLookupTimeout, int maxOwnedGroups, int maxInviteesPerCall,
    int maxPendingInvitations, int maxPendingJoinRequests, Duration refusalCooldown, boolean friendsAddDirectly,
    RateLimit createGroupLimit) {
  /** The default member limit. */
  public static final int DEFAULT_MAX_MEMBERS = 2_000;

  /** The largest member limit accepted: every read that walks a whole group stays bounded. */
  public static final int MAX_MAX_MEMBERS = 100_000;

  /** The default number of groups a user may own. */
  public static final int DEFAULT_MAX_OWNED_GROUPS = 100;

  /** The most user ids one invitation may name: what user-svc checks in one call. */
  public static final int MAX_INVITEES_PER_CALL = UserDirectory.MAX_BATCH;

  /** The default number of pending invitations a user may hold. */
  public static final int DEFAULT_MAX_PENDING_INVITATIONS = 20;

  /** The default number of pending join requests a user may have filed. */
  public static final int DEFAULT_MAX_PENDING_JOIN_REQUESTS = 20;

  /** The default time before a group may invite again a user who declined, or be asked again by one it rejected. */
  public static final Duration DEFAULT_REFUSAL_COOLDOWN = Duration.ofDays(7);

  /** The name of {@link #createGroupLimit()}. */
  public static final String CREATE_GROUP_LIMIT = "group.create";

  private static final int MAX_PENDING = 1_000;
  private static final Duration MAX_REFUSAL_COOLDOWN = Duration.ofDays(365);

  public GroupSettings {
    if (maxMembers < 2 || maxMembers > MAX_MAX_MEMBERS) {
      throw new IllegalArgumentException("maxMembers must be 2-" + MAX_MAX_MEMBERS + ": " + maxMembers);
    }
    requireNonNull(userLookupTimeout, "userLookupTimeout");
    if (userLookupTimeout.isNegative() || userLookupTimeout.isZero()) {
      throw new IllegalArgumentException("userLookupTimeout must be positive: " + userLookupTimeout);
    }
    requireRange("maxOwnedGroups", maxOwnedGroups, 1, MAX_MAX_MEMBERS);
    requireRange("maxInviteesPerCall", maxInviteesPerCall, 1, MAX_INVITEES_PER_CALL);
    requireRange("maxPendingInvitations", maxPendingInvitations, 1, MAX_PENDING);
    requireRange("maxPendingJoinRequests", maxPendingJoinRequests, 1, MAX_PENDING);
    requireNonNull(refusalCooldown, "refusalCooldown");
    if (refusalCooldown.isNegative() || refusalCooldown.compareTo(MAX_REFUSAL_COOLDOWN) > 0) {
      throw new IllegalArgumentException("refusalCooldown must be 0-365 days: " + refusalCooldown);
    }
    requireNonNull(createGroupLimit, "createGroupLimit");
    if (!createGroupLimit.name().equals(CREATE_GROUP_LIMIT)) {
      throw new IllegalArgumentException(
          "createGroupLimit must be named " + CREATE_GROUP_LIMIT + ": " + createGroupLimit.name());
    }
  }

  /**
   * 2,000 members, a 5-second lookup, 100 owned groups, 100 invitees per call, 20 pending invitations
   * and 20 pending join requests per user, a 7-day refusal cooldown, friends invited like anyone,
   * CreateGroup 20 an hour per user (10 at once).
   */
  public static GroupSettings defaults() {
    return new GroupSettings(DEFAULT_MAX_MEMBERS, Duration.ofSeconds(5), DEFAULT_MAX_OWNED_GROUPS,
        MAX_INVITEES_PER_CALL, DEFAULT_MAX_PENDING_INVITATIONS, DEFAULT_MAX_PENDING_JOIN_REQUESTS,
        DEFAULT_REFUSAL_COOLDOWN, false, RateLimit.parse(CREATE_GROUP_LIMIT, "20/1h,burst=10"));
  }

  /** A copy with another member limit. */
  public GroupSettings withMaxMembers(int maxMembers) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another lookup timeout. */
  public GroupSettings withUserLookupTimeout(Duration userLookupTimeout) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another limit of owned groups per user. */
  public GroupSettings withMaxOwnedGroups(int maxOwnedGroups) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another limit of user ids per invitation. */
  public GroupSettings withMaxInviteesPerCall(int maxInviteesPerCall) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another limit of pending invitations per user. */
  public GroupSettings withMaxPendingInvitations(int maxPendingInvitations) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another limit of pending join requests per user. */
  public GroupSettings withMaxPendingJoinRequests(int maxPendingJoinRequests) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another refusal cooldown. */
  public GroupSettings withRefusalCooldown(Duration refusalCooldown) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy in which friends add each other directly, or not. */
  public GroupSettings withFriendsAddDirectly(boolean friendsAddDirectly) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  /** A copy with another limit of CreateGroup calls per user ({@link RateLimit#unlimited} turns it off). */
  public GroupSettings withCreateGroupLimit(RateLimit createGroupLimit) {
    return new GroupSettings(maxMembers, userLookupTimeout, maxOwnedGroups, maxInviteesPerCall, maxPendingInvitations,
        maxPendingJoinRequests, refusalCooldown, friendsAddDirectly, createGroupLimit);
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be " + min + "-" + max + ": " + value);
    }
  }
}
