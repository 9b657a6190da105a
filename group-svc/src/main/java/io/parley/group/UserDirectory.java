package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.user.v1.BatchGetUsersRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Asks user-svc whether users exist, with {@code UserService.BatchGetUsers} over the channel group-svc
 * was given. The call acts for the caller of the current call: the channel's propagating
 * interceptor copies the caller's token, request id and deadline (see {@link
 * io.parley.client.PropagatingClientInterceptor}), and a deadline of its own bounds the wait.
 *
 * <p>A failure of user-svc escapes as its status: a Parley reason it carries reaches group-svc's
 * caller unchanged, an unreachable user-svc becomes UPSTREAM_UNAVAILABLE. Thread-safe.
 */
final class UserDirectory {
  /** The most ids BatchGetUsers takes at once. */
  static final int MAX_BATCH = 100;

  private final UserServiceGrpc.UserServiceBlockingStub users;
  private final Duration timeout;

  UserDirectory(Channel userChannel, Duration timeout) {
    this.users = UserServiceGrpc.newBlockingStub(requireNonNull(userChannel, "userChannel"));
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Returns if every id of {@code userIds} names an existing user.
   *
   * @param field the request field the ids come from, e.g. {@code "user_ids"}, named in the error
   * @throws ParleyException USER_NOT_FOUND naming the unknown ids in its message and in {@code
   *     ErrorInfo.metadata["user_ids"]} (comma-separated, in request order), with {@code
   *     metadata["field"]} the request field
   * @throws IllegalArgumentException for more than {@value #MAX_BATCH} ids
   */
  void requireExisting(List<String> userIds, String field) {
    if (userIds.isEmpty()) {
      return;
    }
    if (userIds.size() > MAX_BATCH) {
      throw new IllegalArgumentException("at most " + MAX_BATCH + " ids at once: " + userIds.size());
    }
    List<User> found = users.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .batchGetUsers(BatchGetUsersRequest.newBuilder().addAllUserIds(userIds).build())
        .getUsersList();
    Set<String> known = new HashSet<>();
    found.forEach(user -> known.add(user.getUserId()));
    List<String> unknown = userIds.stream().filter(id -> !known.contains(id)).toList();
    if (!unknown.isEmpty()) {
      String ids = String.join(",", unknown);
      throw ParleyException.builder(ErrorReason.USER_NOT_FOUND)
          .message(field + ": no such user: " + ids)
          .metadata("user_ids", ids)
          .metadata("field", field)
          .build();
    }
  }
}
