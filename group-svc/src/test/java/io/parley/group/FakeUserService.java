package io.parley.group;

import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
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
 * A stand-in for user-svc that knows a set of user ids: GetUser and BatchGetUsers answer from it,
 * like the real service, and record who called (the session the interceptor resolved), so that
 * tests can check that group-svc acts for its caller. Thread-safe.
 */
final class FakeUserService extends UserServiceGrpc.UserServiceImplBase {
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final List<String> callers = new CopyOnWriteArrayList<>();

  /** A new user id that this service knows. */
  String register() {
    String userId = Ids.newId("u");
    known.add(userId);
    return userId;
  }

  /** The user ids of the sessions that called, in order. */
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
    if (request.getUserIdsCount() > 100) {
      throw ParleyException.invalidField("user_ids", "at most 100 ids");
    }
    BatchGetUsersResponse.Builder answer = BatchGetUsersResponse.newBuilder();
    request.getUserIdsList().stream().filter(known::contains).map(FakeUserService::user).forEach(answer::addUsers);
    response.onNext(answer.build());
    response.onCompleted();
  }

  private static User user(String userId) {
    return User.newBuilder().setUserId(userId).setUsername("user" + userId.substring(1, 7)).setNickname(userId).build();
  }
}
