package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.Member;
import java.util.List;

/**
 * What an invitation (InviteMembers, or CreateGroup's member_ids) did.
 *
 * @param added the members added at once (friends where friends add each other directly, users who
 *     had asked to join), in join order
 * @param alreadyMembers the named ids that already were members, left unchanged, in request order
 * @param invited the pending invitations made, in request order
 * @param alreadyInvited the named ids that already held a pending invitation, left unchanged
 */
record InviteOutcome(List<Member> added, List<String> alreadyMembers, List<StoredInvitation> invited,
    List<String> alreadyInvited) {
  InviteOutcome {
    added = List.copyOf(requireNonNull(added, "added"));
    alreadyMembers = List.copyOf(requireNonNull(alreadyMembers, "alreadyMembers"));
    invited = List.copyOf(requireNonNull(invited, "invited"));
    alreadyInvited = List.copyOf(requireNonNull(alreadyInvited, "alreadyInvited"));
  }
}
