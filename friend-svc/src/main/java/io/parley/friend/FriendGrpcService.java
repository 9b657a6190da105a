package io.parley.friend;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
import io.parley.data.UserText;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.events.EventBus;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.BlockUserRequest;
import io.parley.friend.v1.BlockedUser;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.ListBlockedUsersRequest;
import io.parley.friend.v1.ListBlockedUsersResponse;
import io.parley.friend.v1.ListFriendRequestsRequest.Direction;
import io.parley.friend.v1.ListFriendRequestsRequest;
import io.parley.friend.v1.ListFriendRequestsResponse;
import io.parley.friend.v1.ListFriendsRequest;
import io.parley.friend.v1.ListFriendsResponse;
import io.parley.friend.v1.RejectFriendRequestRequest;
import io.parley.friend.v1.RemoveFriendRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.friend.v1.SetFriendRemarkRequest;
import io.parley.friend.v1.UnblockUserRequest;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code parley.friend.v1.FriendService}: every method acts for the caller of the current session
 * ({@link Sessions#current()}), except {@code CheckRelation}, which is INTERNAL. Who may call what
 * is enforced by the session interceptor from the proto's {@code (parley.common.v1.auth)} options;
 * here each method only ever reads or changes the caller's own relations.
 *
 * <p>Input is validated first; every bad field is named in a {@code BadRequest} of one
 * INVALID_ARGUMENT answer. Remarks and request messages follow the platform's {@link UserText}
 * rule (NFC, no control, bidirectional-control or invisible characters, limited in characters and
 * bytes) and are stored as it returns them. SendFriendRequest is then rate-limited per caller
 * ({@link FriendSettings#friendRequestLimit()}). Then users that must exist are checked with
 * user-svc (USER_NOT_FOUND), then {@link FriendRules} decides and makes the change in one transaction, and then, once it is
 * committed, the relation event is published (see {@link RelationEvents}).
 *
 * <p>A request to a user who already sent the caller a pending request fails FRIEND_REQUEST_EXISTS,
 * like a duplicate in the same direction, rather than accepting it: the caller sees the pending
 * request's id in {@code ErrorInfo.metadata["request_id"]} and can accept it explicitly, so nobody
 * becomes a friend without an accept. Thread-safe.
 */
final class FriendGrpcService extends FriendServiceGrpc.FriendServiceImplBase {
  private static final Logger logger = LoggerFactory.getLogger(FriendGrpcService.class);

  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  /** A friend request's message: up to 200 characters, 800 bytes, over several lines. */
  static final UserText MESSAGE = UserText.text(200, 800);
  /** A remark for a friend: up to 64 characters, 256 bytes, on one line. */
  static final UserText REMARK = UserText.label(64, 256);

  private final FriendRules rules;
  private final UserDirectory users;
  private final EventBus events;
  private final RateLimiter limiter;
  private final FriendSettings settings;

  FriendGrpcService(
      FriendRules rules, UserDirectory users, EventBus events, RateLimiter limiter, FriendSettings settings) {
    this.rules = requireNonNull(rules, "rules");
    this.users = requireNonNull(users, "users");
    this.events = requireNonNull(events, "events");
    this.limiter = requireNonNull(limiter, "limiter");
    this.settings = requireNonNull(settings, "settings");
  }

  @Override
  public void sendFriendRequest(SendFriendRequestRequest request, StreamObserver<FriendRequest> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkUserId(violations, "to_user_id", request.getToUserId());
    String message = MESSAGE.check(violations, "message", request.getMessage());
    violations.throwIfAny();
    if (request.getToUserId().equals(me)) {
      throw ParleyException.builder(ErrorReason.FRIEND_REQUEST_TO_SELF)
          .message("you cannot send a friend request to yourself")
          .violation("to_user_id", "must not be your own user id")
          .build();
    }
    limiter.acquire(settings.friendRequestLimit(), me);
    users.requireExists(request.getToUserId());
    respond(response, rules.sendRequest(me, request.getToUserId(), message));
  }

  @Override
  public void listFriendRequests(
      ListFriendRequestsRequest request, StreamObserver<ListFriendRequestsResponse> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    violations.check(request.getDirection() != Direction.UNRECOGNIZED, "direction",
        "must be INCOMING or OUTGOING");
    checkPageSize(violations, request.getPageSize());
    violations.throwIfAny();
    Direction direction = request.getDirection() == Direction.OUTGOING ? Direction.OUTGOING : Direction.INCOMING;
    String query = "friendRequests/" + direction + "/" + me;
    Page<FriendRequest> page = rules.listRequests(
        me, direction, cursor(request.getPageToken(), query), pageSize(request.getPageSize()));
    respond(response, ListFriendRequestsResponse.newBuilder()
        .addAllFriendRequests(page.items())
        .setNextPageToken(token(page, query))
        .build());
  }

  @Override
  public void acceptFriendRequest(AcceptFriendRequestRequest request, StreamObserver<Friend> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkRequestId(violations, request.getRequestId());
    String remark = REMARK.check(violations, "remark", request.getRemark());
    violations.throwIfAny();
    Friend friend = rules.acceptRequest(me, request.getRequestId(), remark);
    relationChanged(me, friend.getUserId());
    respond(response, friend);
  }

  @Override
  public void rejectFriendRequest(RejectFriendRequestRequest request, StreamObserver<FriendRequest> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkRequestId(violations, request.getRequestId());
    violations.throwIfAny();
    respond(response, rules.rejectRequest(me, request.getRequestId()));
  }

  @Override
  public void listFriends(ListFriendsRequest request, StreamObserver<ListFriendsResponse> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkPageSize(violations, request.getPageSize());
    violations.throwIfAny();
    String query = "friends/" + me;
    Page<Friend> page = rules.listFriends(me, cursor(request.getPageToken(), query), pageSize(request.getPageSize()));
    respond(response, ListFriendsResponse.newBuilder()
        .addAllFriends(page.items())
        .setNextPageToken(token(page, query))
        .build());
  }

  @Override
  public void removeFriend(RemoveFriendRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkOtherUser(violations, me, "user_id", request.getUserId());
    violations.throwIfAny();
    rules.removeFriend(me, request.getUserId());
    relationChanged(me, request.getUserId());
    respond(response, Empty.getDefaultInstance());
  }

  @Override
  public void setFriendRemark(SetFriendRemarkRequest request, StreamObserver<Friend> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkOtherUser(violations, me, "user_id", request.getUserId());
    String remark = REMARK.check(violations, "remark", request.getRemark());
    violations.throwIfAny();
    respond(response, rules.setRemark(me, request.getUserId(), remark));
  }

  @Override
  public void blockUser(BlockUserRequest request, StreamObserver<BlockedUser> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkUserId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    if (request.getUserId().equals(me)) {
      throw ParleyException.builder(ErrorReason.BLOCK_SELF)
          .message("you cannot block yourself")
          .violation("user_id", "must not be your own user id")
          .build();
    }
    users.requireExists(request.getUserId());
    BlockedUser blocked = rules.block(me, request.getUserId());
    relationChanged(me, request.getUserId());
    respond(response, blocked);
  }

  @Override
  public void unblockUser(UnblockUserRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkOtherUser(violations, me, "user_id", request.getUserId());
    violations.throwIfAny();
    rules.unblock(me, request.getUserId());
    relationChanged(me, request.getUserId());
    respond(response, Empty.getDefaultInstance());
  }

  @Override
  public void listBlockedUsers(ListBlockedUsersRequest request, StreamObserver<ListBlockedUsersResponse> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    checkPageSize(violations, request.getPageSize());
    violations.throwIfAny();
    String query = "blockedUsers/" + me;
    Page<BlockedUser> page =
        rules.listBlocked(me, cursor(request.getPageToken(), query), pageSize(request.getPageSize()));
    respond(response, ListBlockedUsersResponse.newBuilder()
        .addAllBlockedUsers(page.items())
        .setNextPageToken(token(page, query))
        .build());
  }

  @Override
  public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
    FieldViolations violations = new FieldViolations();
    checkUserId(violations, "user_id_a", request.getUserIdA());
    checkUserId(violations, "user_id_b", request.getUserIdB());
    violations.throwIfAny();
    respond(response, rules.relation(request.getUserIdA(), request.getUserIdB()));
  }

  /** Publishes the relation event of a stored change; a failure is logged, not thrown (see {@link RelationEvents}). */
  private void relationChanged(String a, String b) {
    UserPair pair = UserPair.of(a, b);
    try {
      events.publish(RelationEvents.CHANNEL, RelationEvents.payload(pair));
    } catch (RuntimeException e) {
      logger.warn("could not publish the relation event of {}; subscribers may keep a stale answer until their "
          + "cache entry expires", pair, e);
    }
  }

  /** Records why {@code value} is not a user id, if it is not; returns whether it is. */
  private static boolean checkUserId(FieldViolations violations, String field, String value) {
    return violations.check(!value.isEmpty(), field, "is required")
        && violations.check(Ids.isValid(value, "u"), field, "must be a user id");
  }

  /** A user id other than the caller's. */
  private static void checkOtherUser(FieldViolations violations, String me, String field, String value) {
    if (checkUserId(violations, field, value)) {
      violations.check(!value.equals(me), field, "must not be your own user id");
    }
  }

  private static void checkRequestId(FieldViolations violations, String value) {
    if (violations.check(!value.isEmpty(), "request_id", "is required")) {
      violations.check(Ids.isValid(value, FriendStore.REQUEST_ID_PREFIX), "request_id", "must be a friend request id");
    }
  }

  private static void checkPageSize(FieldViolations violations, int pageSize) {
    violations.check(pageSize >= 0, "page_size", "must not be negative");
  }

  private static int pageSize(int requested) {
    return PageTokens.pageSize(requested, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  }

  /** The cursor in a page token of {@code query}, or null for the first page. */
  private static ListCursor cursor(String pageToken, String query) {
    String encoded = PageTokens.decode(pageToken, query);
    if (encoded == null) {
      return null;
    }
    ListCursor cursor = ListCursor.parseOrNull(encoded);
    if (cursor == null) {
      throw PageTokens.invalidToken();
    }
    return cursor;
  }

  private static String token(Page<?> page, String query) {
    return page.next() == null ? "" : PageTokens.encode(page.next().encode(), query);
  }

  private static <T> void respond(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }
}
