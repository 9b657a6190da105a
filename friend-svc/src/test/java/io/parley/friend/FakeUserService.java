package io.parley.friend;

import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.session.Sessions;
import io.parley.user.v1.BatchGetUsersRequest;
import io.parley.user.v1.BatchGetUsersResponse;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user-svc that knows a set of user ids, served behind the real interceptors: it answers only
 * callers with a live session, and records who each call acted for, so tests see that friend-svc
 * propagated its caller's session.
 */
final class FakeUserService extends UserServiceGrpc.UserServiceImplBase {
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final List<String> callers = new CopyOnWriteArrayList<>();

  void add(String userId) {
    known.add(userId);
  }

  /** The user id of the session of every call so far, in order. */
  List<String> callers() {
    return List.copyOf(callers);
  }

  @Override
  public void getUser(GetUserRequest request, StreamObserver<User> response) {
    callers.add(Sessions.current().userId());
    if (!known.contains(request.getUserId())) {
      throw new ParleyException(ErrorReason.USER_NOT_FOUND, "user not found");
    }
    response.onNext(user(request.getUserId()));
    response.onCompleted();
  }

  @Override
  public void batchGetUsers(BatchGetUsersRequest request, StreamObserver<BatchGetUsersResponse> response) {
    callers.add(Sessions.current().userId());
    BatchGetUsersResponse.Builder users = BatchGetUsersResponse.newBuilder();
    request.getUserIdsList().stream().filter(known::contains).map(FakeUserService::user).forEach(users::addUsers);
    response.onNext(users.build());
    response.onCompleted();
  }

  private static User user(String userId) {
    return User.newBuilder().setUserId(userId).setUsername("user_" + userId).setNickname(userId).build();
  }
}
