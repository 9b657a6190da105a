package io.parley.group;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;

/**
 * Builds the {@link Group} and {@link Member} messages both stores answer with, from stored values
 * (times in epoch milliseconds), so that memory and Redis render a group identically.
 */
final class GroupMessages {
  private GroupMessages() {}

  static Group group(String groupId, String name, String notice, String avatarUrl, JoinPolicy policy,
      String ownerId, int memberCount, int maxMembers, long createdMs, long updatedMs) {
    return Group.newBuilder()
        .setGroupId(groupId)
        .setName(name)
        .setNotice(notice)
        .setAvatarUrl(avatarUrl)
        .setJoinPolicy(policy)
        .setOwnerId(ownerId)
        .setMemberCount(memberCount)
        .setMaxMembers(maxMembers)
        .setCreateTime(Timestamps.fromMillis(createdMs))
        .setUpdateTime(Timestamps.fromMillis(updatedMs))
        .build();
  }

  /**
   * A member; {@code mute_until} is set only while the mute lasts, i.e. if {@code muteUntilMs} is
   * after {@code nowMs}.
   */
  static Member member(String userId, GroupRole role, long joinMs, long muteUntilMs, long nowMs) {
    Member.Builder member = Member.newBuilder()
        .setUserId(userId)
        .setRole(role)
        .setJoinTime(Timestamps.fromMillis(joinMs));
    if (muteUntilMs > nowMs) {
      member.setMuteUntil(Timestamps.fromMillis(muteUntilMs));
    }
    return member.build();
  }
}
