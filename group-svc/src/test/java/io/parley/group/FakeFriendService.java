package io.parley.group;

import io.grpc.stub.StreamObserver;
import io.parley.error.ParleyException;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for friend-svc that knows friendships and blocks: CheckRelation (INTERNAL, so only a
 * service credential reaches it through the real interceptors) answers from them, like the real
 * service, and records the pairs asked. Thread-safe.
 */
final class FakeFriendService extends FriendServiceGrpc.FriendServiceImplBase {
  private final Set<String> friendships = ConcurrentHashMap.newKeySet();
  private final Set<String> blocks = ConcurrentHashMap.newKeySet();
  private final List<String> asked = new CopyOnWriteArrayList<>();

  /** Makes {@code a} and {@code b} friends. */
  void befriend(String a, String b) {
    friendships.add(pair(a, b));
  }

  /** {@code blocker} blocks {@code blocked}. */
  void block(String blocker, String blocked) {
    blocks.add(blocker + ">" + blocked);
  }

  /** The pairs asked about, as {@code "a b"}, in order. */
  List<String> asked() {
    return List.copyOf(asked);
  }

  @Override
  public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
    String a = request.getUserIdA();
    String b = request.getUserIdB();
    if (a.equals(b)) {
      throw ParleyException.invalidField("user_id_b", "must differ from user_id_a");
    }
    asked.add(a + " " + b);
    response.onNext(CheckRelationResponse.newBuilder()
        .setFriends(friendships.contains(pair(a, b)))
        .setABlocksB(blocks.contains(a + ">" + b))
        .setBBlocksA(blocks.contains(b + ">" + a))
        .build());
    response.onCompleted();
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }
}
