package io.parley.friend;

import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where friend requests, friendships and blocks are kept: persistence only. The rules (who may do
 * what, in which order refusals come, the request state machine) are {@link FriendRules}', written
 * once against this interface. Implementations: {@link MemoryFriendStore} (the embedded default) and
 * {@link PostgresFriendStore} (the store of record).
 *
 * <p>Everything between two users is their pair's: a {@link PairState} and the requests between
 * them. {@link #inPair} runs a rule's read-check-write on one pair as one atomic change, serialized
 * with every other change to the same pair, so that the rules' invariants hold under concurrency:
 *
 * <ul>
 *   <li>a friendship is never one-sided: both users are friends of each other, or neither is;
 *   <li>at most one request between the two is PENDING, in either direction;
 *   <li>while either blocks the other, they are not friends and no request between them is PENDING.
 * </ul>
 *
 * <p>A user's lists (friends, blocked users, incoming and outgoing requests) always agree with the
 * pairs: a friend is listed by both users or by neither. Lists are newest first, paged by {@link
 * ListCursor}, and cost the same however long the list is.
 *
 * <p>Ids and texts are taken as given (the service validated them); methods that name two users need
 * two different ones. A store that cannot be reached throws {@link io.parley.error.ParleyException}
 * with reason STORE_UNAVAILABLE. Implementations are thread-safe.
 */
interface FriendStore extends AutoCloseable {

  /** The prefix of request ids: {@code Ids.newId("fr")}. */
  String REQUEST_ID_PREFIX = "fr";

  /**
   * Runs {@code work} as one atomic change of {@code pair}: it sees the pair as it is, and no other
   * change to the pair happens between what it reads and what it writes. The writes it records in
   * the {@link PairTx} are applied if, and only if, it returns normally; an exception it throws (a
   * refusal) propagates and changes nothing. {@code work} may run more than once (a database
   * transaction that lost a race is run again), so it must have no effect outside the {@link
   * PairTx}, and it must not call the store.
   *
   * @return what {@code work} returned
   */
  <T> T inPair(UserPair pair, Function<PairTx, T> work);

  /**
   * The request {@code requestId} if {@code userId} sent or received it; empty if there is no such
   * request or it is someone else's.
   */
  Optional<FriendRequest> findRequest(String userId, String requestId);

  /**
   * Whether the two are friends and who blocks whom, from {@code userIdA}'s side: {@code a_blocks_b}
   * is whether {@code userIdA} blocks {@code userIdB}. The hot path of message-svc.
   */
  CheckRelationResponse relation(String userIdA, String userIdB);

  /** {@code userId}'s friends, newest friendship first, after {@code after} (null: from the start). */
  Page<Friend> listFriends(String userId, ListCursor after, int limit);

  /**
   * The requests sent to ({@code INCOMING}) or by ({@code OUTGOING}) {@code userId}, in every
   * state, newest first.
   */
  Page<FriendRequest> listRequests(String userId, Direction direction, ListCursor after, int limit);

  /** The users {@code userId} blocks, newest block first. */
  Page<BlockedUser> listBlocked(String userId, ListCursor after, int limit);

  /** Releases what the store holds of its own (not a database its creator owns). */
  @Override
  void close();

  /**
   * One pair's view inside {@link FriendStore#inPair}: reads see the writes made so far. Valid only
   * during the work it was given to; not thread-safe.
   */
  interface PairTx {
    /** The pair's state. */
    PairState state();

    /** The request {@code requestId} if it is between the pair's two users. */
    Optional<FriendRequest> request(String requestId);

    /** Replaces the pair's state; its pair must be this one. */
    void write(PairState state);

    /**
     * Stores a new request between the two, or the new state and update time of one; its sender,
     * addressee, message and creation time never change.
     */
    void write(FriendRequest request);
  }
}
