package io.parley.group;

import io.parley.group.v1.JoinGroupResponse;
import io.parley.group.v1.Member;

/**
 * What JoinGroup, AcceptInvitation or ApproveJoinRequest did: the user became a member, or filed
 * a join request. Exactly one of {@code member} and {@code request} is set.
 *
 * @param member the new membership, or null if a request was filed
 * @param request the join request filed, or null if the user became a member
 * @param invitation the invitation the user accepted to become a member, or null
 */
record JoinOutcome(Member member, StoredJoinRequest request, StoredInvitation invitation) {
  JoinOutcome {
    if ((member == null) == (request == null)) {
      throw new IllegalArgumentException("either a member or a request");
    }
  }

  static JoinOutcome joined(Member member, StoredInvitation invitation) {
    return new JoinOutcome(member, null, invitation);
  }

  static JoinOutcome requested(StoredJoinRequest request) {
    return new JoinOutcome(null, request, null);
  }

  /** JoinGroup's answer: the membership's fields, or the request. */
  JoinGroupResponse toResponse() {
    if (member == null) {
      return JoinGroupResponse.newBuilder().setJoinRequest(request.toJoinRequest()).build();
    }
    JoinGroupResponse.Builder response = JoinGroupResponse.newBuilder()
        .setUserId(member.getUserId())
        .setRole(member.getRole())
        .setJoinTime(member.getJoinTime());
    if (member.hasMuteUntil()) {
      response.setMuteUntil(member.getMuteUntil());
    }
    return response.build();
  }
}
