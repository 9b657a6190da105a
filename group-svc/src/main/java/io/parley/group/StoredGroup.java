package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.Group;
import io.parley.group.v1.JoinPolicy;

/**
 * A group as a {@link GroupStore} keeps it: its fields, and the bookkeeping the rules maintain in
 * the same change as the members ({@link #memberCount}, {@link #lastJoinMs}). Times are epoch
 * milliseconds. Immutable; the {@code with*} methods return changed copies.
 *
 * @param memberCount the number of members, which {@link GroupRules} keeps equal to the member rows
 * @param lastJoinMs the latest join time handed out in this group, so that the next one is later
 */
record StoredGroup(String groupId, String name, String notice, String avatarUrl, JoinPolicy policy, String ownerId,
    int memberCount, int maxMembers, long createdMs, long updatedMs, long lastJoinMs) {
  StoredGroup {
    requireNonNull(groupId, "groupId");
    requireNonNull(name, "name");
    requireNonNull(notice, "notice");
    requireNonNull(avatarUrl, "avatarUrl");
    requireNonNull(policy, "policy");
    requireNonNull(ownerId, "ownerId");
  }

  StoredGroup withFields(String name, String notice, String avatarUrl, JoinPolicy policy, long updatedMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs);
  }

  StoredGroup withOwner(String ownerId, long updatedMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs);
  }

  StoredGroup withMembers(int memberCount, long lastJoinMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs);
  }

  /** The group as clients see it. */
  Group toGroup() {
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
}
