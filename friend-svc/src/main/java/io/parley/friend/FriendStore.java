package io.parley.friend;

import io.parley.error.ParleyException;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;

/**
 * Friend requests, friendships and blocks, with the rules that must hold atomically.
 *
 * <p>Everything between two users is one record, the pair's: whether they are friends (and since
 * when), each side's remark, each side's block, and their requests. Every write checks and changes
 * that record in one atomic step, so that:
 *
 * <ul>
 *   <li>a friendship is never one-sided: both users are friends of each other, or neither is;
 *   <li>at most one request between the two is PENDING, in either direction;
 *   <li>while either blocks the other, they are not friends and no request between them is
 *       PENDING.
 * </ul>
 *
 * <p>Lists are newest first and paged by {@link ListCursor}; a user's lists agree with the pair
 * records at all times (a friend is listed by both users or by neither).
 *
 * <p>Callers validate the ids (user ids, request ids) and the lengths of messages and remarks; a
 * store takes them as given. Methods that name two users need two different ones. Expected failures
 * are thrown as {@link ParleyException} with the reasons each method names; a store that cannot be
 * reached throws STORE_UNAVAILABLE. Implementations are thread-safe.
 */
interface FriendStore extends AutoCloseable {

  /** The prefix of request ids: {@code Ids.newId("fr")}. */
  String REQUEST_ID_PREFIX = "fr";

  /**
   * Sends a PENDING request from {@code fromUserId} to {@code toUserId}.
   *
   * @throws ParleyException BLOCKED if either blocks the other; ALREADY_FRIENDS; FRIEND_REQUEST_EXISTS
   *     (metadata {@code request_id}) if a request between the two is pending, in either direction
   */
  FriendRequest sendRequest(String fromUserId, String toUserId, String message);

  /**
   * Accepts a request sent to {@code userId}: the two become friends on both sides at once, the
   * request turns ACCEPTED. Returns the new friend as {@code userId} sees them, with {@code remark}
   * (empty for none).
   *
   * @throws ParleyException FRIEND_REQUEST_NOT_FOUND if no such request has {@code userId} as a
   *     party; NOT_REQUEST_ADDRESSEE if {@code userId} sent it; FRIEND_REQUEST_CLOSED (metadata
   *     {@code state}) if it is no longer pending
   */
  Friend acceptRequest(String userId, String requestId, String remark);

  /**
   * Rejects a request sent to {@code userId}; returns it REJECTED.
   *
   * @throws ParleyException as {@link #acceptRequest}
   */
  FriendRequest rejectRequest(String userId, String requestId);

  /**
   * Ends the friendship of the two, on both sides; both remarks are dropped.
   *
   * @throws ParleyException NOT_FRIENDS
   */
  void removeFriend(String userId, String friendId);

  /**
   * Sets {@code userId}'s remark for {@code friendId} (empty clears it); the friend's own remark is
   * unchanged. Returns the friend as {@code userId} sees them.
   *
   * @throws ParleyException NOT_FRIENDS
   */
  Friend setRemark(String userId, String friendId, String remark);

  /**
   * Makes {@code userId} block {@code blockedId}: ends their friendship, if any, and cancels the
   * pending request between them, if any (state CANCELLED). Each side blocks independently.
   *
   * @throws ParleyException ALREADY_BLOCKED if {@code userId} already blocks {@code blockedId}
   */
  BlockedUser block(String userId, String blockedId);

  /**
   * Lifts {@code userId}'s block of {@code blockedId}; a friendship ended by the block stays ended.
   *
   * @throws ParleyException NOT_BLOCKED if {@code userId} does not block {@code blockedId}
   */
  void unblock(String userId, String blockedId);

  /** Whether the two are friends and who blocks whom; all false for one user with themself. */
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

  /** Releases what the store holds of its own (not the Redis client, which the platform owns). */
  @Override
  void close();
}
