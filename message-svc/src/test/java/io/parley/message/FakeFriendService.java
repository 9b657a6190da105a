package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.parley.events.EventBus;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.session.Sessions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * friend-svc as message-svc sees it: {@code CheckRelation} over configurable friendships and
 * blocks. Changes are announced on the event bus as friend-svc does, unless made silently (an
 * event lost). Thread-safe.
 */
final class FakeFriendService extends FriendServiceGrpc.FriendServiceImplBase {
  private final EventBus events;
  private final Set<String> friendships = ConcurrentHashMap.newKeySet();
  private final Set<String> blocks = ConcurrentHashMap.newKeySet();
  private final Set<String> callers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger calls = new AtomicInteger();

  FakeFriendService(EventBus events) {
    this.events = requireNonNull(events, "events");
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }

  void befriend(String a, String b) {
    friendships.add(pair(a, b));
    announce(a, b);
  }

  /** Makes two users friends without announcing it, as if the event were lost. */
  void befriendSilently(String a, String b) {
    friendships.add(pair(a, b));
  }

  void unfriend(String a, String b) {
    friendships.remove(pair(a, b));
    announce(a, b);
  }

  /** {@code blocker} blocks {@code blocked}, which ends their friendship. */
  void block(String blocker, String blocked) {
    blocks.add(blocker + ">" + blocked);
    friendships.remove(pair(blocker, blocked));
    announce(blocker, blocked);
  }

  private void announce(String a, String b) {
    events.publish(FriendDirectory.CHANNEL, (a + " " + b).getBytes(UTF_8));
  }

  /** CheckRelation calls served so far. */
  int calls() {
    return calls.get();
  }

  /** The service names that called (from their service credentials). */
  Set<String> callers() {
    return Set.copyOf(callers);
  }

  @Override
  public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
    calls.incrementAndGet();
    callers.add(Sessions.callingService());
    String a = request.getUserIdA();
    String b = request.getUserIdB();
    response.onNext(CheckRelationResponse.newBuilder()
        .setFriends(friendships.contains(pair(a, b)))
        .setABlocksB(blocks.contains(a + ">" + b))
        .setBBlocksA(blocks.contains(b + ">" + a))
        .build());
    response.onCompleted();
  }
}
