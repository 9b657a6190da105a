package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.parley.group.v1.Member;
import java.util.List;

/**
 * What an invitation did.
 *
 * @param added the members this call added, in join order
 * @param alreadyMembers the invited ids that already were members, left unchanged, in request order
 */
record AddedMembers(List<Member> added, List<String> alreadyMembers) {
  AddedMembers {
    added = List.copyOf(requireNonNull(added, "added"));
    alreadyMembers = List.copyOf(requireNonNull(alreadyMembers, "alreadyMembers"));
  }
}
