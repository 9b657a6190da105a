package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Asks friend-svc how the caller relates to other users, with its INTERNAL {@code
 * FriendService.CheckRelation} and group-svc's service credential, one call per pair, all in
 * parallel. The calls carry the current call's request id, and its deadline if shorter than the
 * timeout (see {@link io.parley.client.PropagatingClientInterceptor}).
 *
 * <p>Nothing is cached: the answer decides whether someone may be put in front of a user, so it is
 * asked when needed. A failure of friend-svc escapes as its status (an unreachable friend-svc
 * becomes UPSTREAM_UNAVAILABLE for group-svc's caller). Thread-safe.
 */
final class FriendDirectory {
  /** What matters for groups between two users. */
  record Relation(boolean friends, boolean blocked) {}

  private final FriendServiceGrpc.FriendServiceFutureStub stub;
  private final Duration timeout;

  FriendDirectory(Channel friendChannel, CallCredentials credentials, Duration timeout) {
    this.stub = FriendServiceGrpc.newFutureStub(requireNonNull(friendChannel, "friendChannel"))
        .withCallCredentials(requireNonNull(credentials, "credentials"));
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * How {@code userId} relates to each of {@code others} (none of which is {@code userId}): whether
   * they are friends, and whether either blocks the other.
   *
   * @return by id of {@code others}, in their order
   * @throws StatusRuntimeException if friend-svc fails
   */
  Map<String, Relation> relations(String userId, List<String> others) {
    Map<String, Future<CheckRelationResponse>> calls = new LinkedHashMap<>();
    FriendServiceGrpc.FriendServiceFutureStub bounded = stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    for (String other : others) {
      calls.put(other, bounded.checkRelation(CheckRelationRequest.newBuilder()
          .setUserIdA(userId).setUserIdB(other).build()));
    }
    Map<String, Relation> relations = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Future<CheckRelationResponse>> call : calls.entrySet()) {
        CheckRelationResponse answer = call.getValue().get();
        relations.put(call.getKey(), new Relation(answer.getFriends(), answer.getABlocksB() || answer.getBBlocksA()));
      }
      return relations;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        throw status;
      }
      throw new IllegalStateException("CheckRelation failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted while asking friend-svc").asRuntimeException();
    } finally {
      calls.values().forEach(call -> call.cancel(false));
    }
  }

  /** How two users relate. */
  Relation relation(String userId, String other) {
    return relations(userId, List.of(other)).get(other);
  }
}
