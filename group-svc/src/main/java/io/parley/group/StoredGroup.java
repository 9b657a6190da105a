package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;

/**
 * A group as a {@link GroupStore} keeps it: its fields, and the bookkeeping the rules maintain in
 * the same change as the members ({@link #memberCount}, {@link #lastJoinMs}). Times are epoch
 * milliseconds. Immutable; the {@code with*} methods return changed copies.
 *
 * @param memberCount the number of members, which {@link GroupRules} keeps equal to the member rows
 * @param lastJoinMs the latest join time handed out in this group, so that the next one is later
 * @param announcement the announcement, or null for none
 */
record StoredGroup(String groupId, String name, String notice, String avatarUrl, JoinPolicy policy, String ownerId,
    int memberCount, int maxMembers, long createdMs, long updatedMs, long lastJoinMs,
    StoredAnnouncement announcement) {
  StoredGroup {
    requireNonNull(groupId, "groupId");
    requireNonNull(name, "name");
    requireNonNull(notice, "notice");
    requireNonNull(avatarUrl, "avatarUrl");
    requireNonNull(policy, "policy");
    requireNonNull(ownerId, "ownerId");
  }

  /** A group without an announcement. */
  StoredGroup(String groupId, String name, String notice, String avatarUrl, JoinPolicy policy, String ownerId,
      int memberCount, int maxMembers, long createdMs, long updatedMs, long lastJoinMs) {
    this(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs, updatedMs, lastJoinMs,
        null);
  }

  StoredGroup withFields(String name, String notice, String avatarUrl, JoinPolicy policy, long updatedMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs, announcement);
  }

  StoredGroup withOwner(String ownerId, long updatedMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs, announcement);
  }

  StoredGroup withMembers(int memberCount, long lastJoinMs) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs, announcement);
  }

  /** A copy with {@code announcement} (null: none). */
  StoredGroup withAnnouncement(StoredAnnouncement announcement) {
    return new StoredGroup(groupId, name, notice, avatarUrl, policy, ownerId, memberCount, maxMembers, createdMs,
        updatedMs, lastJoinMs, announcement);
  }

  /** Whether anyone may see the group and learn that it exists: an OPEN or APPROVAL group. */
  boolean isPublic() {
    return policy == JoinPolicy.OPEN || policy == JoinPolicy.APPROVAL;
  }

  /** The group as clients see it, without the caller's role. */
  Group toGroup() {
    return toGroup(GroupRole.GROUP_ROLE_UNSPECIFIED);
  }

  /** The group as a caller whose role is {@code myRole} (unspecified for a non-member) sees it. */
  Group toGroup(GroupRole myRole) {
    Group.Builder group = Group.newBuilder()
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
        .setMyRole(requireNonNull(myRole, "myRole"));
    if (announcement != null) {
      group.setAnnouncement(announcement.toAnnouncement());
    }
    return group.build();
  }
}
