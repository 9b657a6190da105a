package io.parley.group;

/**
 * What a user holds across all groups, counted under the user's lock by {@link
 * GroupStore.GroupTx#lockUsers}, for the per-user limits of {@link GroupSettings}.
 *
 * @param ownedGroups the groups the user owns
 * @param pendingInvitations the pending invitations addressed to the user
 * @param pendingJoinRequests the pending join requests the user filed
 */
record UserTally(int ownedGroups, int pendingInvitations, int pendingJoinRequests) {
  static final UserTally NONE = new UserTally(0, 0, 0);
}
