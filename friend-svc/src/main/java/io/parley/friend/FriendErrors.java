package io.parley.friend;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.friend.v1.FriendRequest;

/**
 * The expected failures of friend-svc, with the client-safe messages that {@link FriendRules} and
 * the service use. None of them says which of two users blocks the other, or anything about a
 * request the caller is not party to.
 */
final class FriendErrors {
  private FriendErrors() {}

  static ParleyException blocked() {
    return new ParleyException(ErrorReason.BLOCKED, "you cannot interact with this user");
  }

  static ParleyException alreadyFriends() {
    return new ParleyException(ErrorReason.ALREADY_FRIENDS, "you are already friends");
  }

  /** A pending request between the two exists, in either direction; both parties may know its id. */
  static ParleyException requestExists(String pendingRequestId) {
    return ParleyException.builder(ErrorReason.FRIEND_REQUEST_EXISTS)
        .message("a friend request between you is already pending")
        .metadata("request_id", pendingRequestId)
        .build();
  }

  static ParleyException requestNotFound() {
    return new ParleyException(ErrorReason.FRIEND_REQUEST_NOT_FOUND, "friend request not found");
  }

  static ParleyException notAddressee() {
    return new ParleyException(ErrorReason.NOT_REQUEST_ADDRESSEE,
        "only the user the friend request was sent to can accept or reject it");
  }

  static ParleyException requestClosed(FriendRequest.State state) {
    return ParleyException.builder(ErrorReason.FRIEND_REQUEST_CLOSED)
        .message("the friend request is no longer pending")
        .metadata("state", state.name())
        .build();
  }

  static ParleyException notFriends() {
    return new ParleyException(ErrorReason.NOT_FRIENDS, "you are not friends");
  }

  static ParleyException alreadyBlocked() {
    return new ParleyException(ErrorReason.ALREADY_BLOCKED, "you already block this user");
  }

  static ParleyException notBlocked() {
    return new ParleyException(ErrorReason.NOT_BLOCKED, "you do not block this user");
  }
}
