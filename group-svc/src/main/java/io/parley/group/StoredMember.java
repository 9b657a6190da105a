package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.Member;
import io.parley.group.v1.UserGroup;

/**
 * A membership as a {@link GroupStore} keeps it. Times are epoch milliseconds. Immutable.
 *
 * @param role MEMBER, ADMIN or OWNER
 * @param joinMs when the user joined; distinct within a group
 * @param muteUntilMs the end of a mute, or 0 for none; a time in the past means no mute
 */
record StoredMember(String userId, GroupRole role, long joinMs, long muteUntilMs) {
  StoredMember {
    requireNonNull(userId, "userId");
    requireNonNull(role, "role");
  }

  StoredMember withRole(GroupRole role) {
    return new StoredMember(userId, role, joinMs, muteUntilMs);
  }

  StoredMember withMuteUntil(long muteUntilMs) {
    return new StoredMember(userId, role, joinMs, muteUntilMs);
  }

  /** The member as clients see it at {@code nowMs}: {@code mute_until} is set only while the mute lasts. */
  Member toMember(long nowMs) {
    Member.Builder member = Member.newBuilder()
        .setUserId(userId)
        .setRole(role)
        .setJoinTime(Timestamps.fromMillis(joinMs));
    if (muteUntilMs > nowMs) {
      member.setMuteUntil(Timestamps.fromMillis(muteUntilMs));
    }
    return member.build();
  }

  /** This membership as an entry of its user's list of groups. */
  UserGroup toUserGroup(String groupId) {
    return UserGroup.newBuilder()
        .setGroupId(groupId)
        .setRole(role)
        .setJoinTime(Timestamps.fromMillis(joinMs))
        .build();
  }
}
