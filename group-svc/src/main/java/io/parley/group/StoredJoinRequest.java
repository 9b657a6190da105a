package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.JoinRequest;

/**
 * A join request as a {@link GroupStore} keeps it: pending until admins answer or the user
 * withdraws it, or rejected, when it stays as the mark that keeps the user from asking again too
 * soon (an approved or withdrawn request is deleted). Times are epoch milliseconds. Immutable.
 *
 * @param userId who asks
 * @param message the note to the admins, possibly empty
 * @param createdMs when the request was filed
 * @param rejectedMs when admins rejected it, or 0 while it is pending
 */
record StoredJoinRequest(String groupId, String userId, String message, long createdMs, long rejectedMs) {
  StoredJoinRequest {
    requireNonNull(groupId, "groupId");
    requireNonNull(userId, "userId");
    requireNonNull(message, "message");
  }

  /** A pending request. */
  static StoredJoinRequest pending(String groupId, String userId, String message, long createdMs) {
    return new StoredJoinRequest(groupId, userId, message, createdMs, 0);
  }

  boolean isPending() {
    return rejectedMs == 0;
  }

  StoredJoinRequest rejected(long rejectedMs) {
    return new StoredJoinRequest(groupId, userId, message, createdMs, rejectedMs);
  }

  JoinRequest toJoinRequest() {
    return JoinRequest.newBuilder()
        .setGroupId(groupId)
        .setUserId(userId)
        .setMessage(message)
        .setCreateTime(Timestamps.fromMillis(createdMs))
        .build();
  }
}
