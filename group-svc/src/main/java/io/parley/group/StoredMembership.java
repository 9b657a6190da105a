package io.parley.group;

import static java.util.Objects.requireNonNull;

/**
 * A group as a {@link GroupStore} keeps it, and one user's membership in it.
 *
 * @param group the group, never null
 * @param member the user's membership, or null if the user is not a member (or none was asked for)
 */
record StoredMembership(StoredGroup group, StoredMember member) {
  StoredMembership {
    requireNonNull(group, "group");
  }
}
