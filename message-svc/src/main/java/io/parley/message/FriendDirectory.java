package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.parley.events.EventBus;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What friend-svc says about two users, asked with {@code CheckRelation} (an INTERNAL method,
 * with message-svc's service credential) and reused for a few seconds. An answer is dropped at
 * once when friend-svc announces a change between the two users on {@link #CHANNEL}, and every
 * answer when that channel is interrupted. Thread-safe; concurrent questions about one pair share
 * one call.
 */
final class FriendDirectory {
  private static final Logger logger = LoggerFactory.getLogger(FriendDirectory.class);

  /** friend-svc's channel: {@code "<userIdA> <userIdB>"} after any change between the two. */
  static final String CHANNEL = "parley.friend.relation";

  /** What matters for messaging between two users. */
  record Relation(boolean friends, boolean blocked) {}

  private record Pair(String low, String high) {
    static Pair of(String a, String b) {
      return a.compareTo(b) <= 0 ? new Pair(a, b) : new Pair(b, a);
    }
  }

  private final FriendServiceGrpc.FriendServiceStub stub;
  private final UpstreamCache<Pair, Relation> relations;

  FriendDirectory(Channel channel, CallCredentials credentials, Clock clock, Duration ttl, Duration timeout) {
    this.stub = FriendServiceGrpc.newStub(requireNonNull(channel, "channel")).withCallCredentials(credentials);
    requireNonNull(timeout, "timeout");
    // A pair that keeps talking reloads in the background instead of making its sends wait.
    this.relations = new UpstreamCache<>(clock, ttl, 100_000, true, pair -> UnaryCalls.start(
            stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)::checkRelation,
            CheckRelationRequest.newBuilder().setUserIdA(pair.low()).setUserIdB(pair.high()).build())
        .thenApply(FriendDirectory::relation));
  }

  private static Relation relation(CheckRelationResponse response) {
    return new Relation(response.getFriends(), response.getABlocksB() || response.getBBlocksA());
  }

  /**
   * The relation between two users, from the cache or friend-svc.
   *
   * @throws io.grpc.StatusRuntimeException if friend-svc fails
   */
  Relation relation(String userA, String userB) {
    return relations.await(Pair.of(userA, userB));
  }

  /** The relation between two users, from the cache or friend-svc; the future fails if friend-svc does. */
  CompletableFuture<Relation> relationAsync(String userA, String userB) {
    return relations.get(Pair.of(userA, userB));
  }

  void invalidate(String userA, String userB) {
    relations.invalidate(Pair.of(userA, userB));
  }

  void invalidateAll() {
    relations.invalidateAll();
  }

  /**
   * Listens to friend-svc's change events until the returned subscription is closed; after each one
   * has dropped the pair's answer, it is passed to {@code changed} (on the bus's thread: it must not
   * block).
   */
  EventBus.Subscription listen(EventBus events, BiConsumer<String, String> changed) {
    requireNonNull(changed, "changed");
    return events.subscribe(CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        String[] users = new String(payload, UTF_8).split(" ");
        if (users.length == 2) {
          invalidate(users[0], users[1]);
          changed.accept(users[0], users[1]);
        } else {
          logger.warn("ignoring a malformed event on {}", channel);
        }
      }

      @Override
      public void connected() {
        invalidateAll();
      }

      @Override
      public void disconnected() {
        invalidateAll();
      }
    });
  }
}
