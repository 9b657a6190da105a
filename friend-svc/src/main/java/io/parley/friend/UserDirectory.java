package io.parley.friend;

import static java.util.Objects.requireNonNull;

import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks user-svc whether users exist, over gRPC, acting for the current caller: the channel's
 * {@link io.parley.client.PropagatingClientInterceptor} sends the caller's token, request id and
 * deadline along. Thread-safe.
 */
final class UserDirectory {
  private final UserServiceGrpc.UserServiceBlockingStub users;
  private final Duration timeout;

  UserDirectory(UserServiceGrpc.UserServiceBlockingStub users, Duration timeout) {
    this.users = requireNonNull(users, "users");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Returns if {@code userId} exists. Otherwise user-svc's error escapes as it came (NOT_FOUND with
   * USER_NOT_FOUND for an unknown user), and reaches the client with its Parley reason; a user-svc
   * that cannot be reached fails UNAVAILABLE (UPSTREAM_UNAVAILABLE).
   */
  void requireExists(String userId) {
    users.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .getUser(GetUserRequest.newBuilder().setUserId(userId).build());
  }
}
