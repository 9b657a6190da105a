package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.parley.events.EventBus;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMemberIdsResponse;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.SharesGroupRequest;
import io.parley.group.v1.SharesGroupResponse;
import io.parley.group.v1.UserGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What group-svc says about groups: one user's membership ({@code CheckMembership}) and every
 * member's id ({@code ListMemberIds}, all pages) and whether two users share a group ({@code
 * SharesGroup}), reused for a few seconds, and one user's groups
 * ({@code ListUserGroups}, asked each time). All are INTERNAL methods called with message-svc's
 * service credential. A group's cached answers are dropped at once when group-svc announces a
 * change on {@link #CHANNEL}, and every answer when that channel is interrupted. Thread-safe;
 * concurrent questions about one group share one call.
 */
final class GroupDirectory {
  private static final Logger logger = LoggerFactory.getLogger(GroupDirectory.class);

  /**
   * group-svc's channel: {@code "<groupId> <userId>"} after any change to a member, {@code
   * "<groupId> *"} when a group is dismissed.
   */
  static final String CHANNEL = "parley.group.membership";

  private static final int MEMBER_PAGE_SIZE = 5000;
  private static final int USER_GROUPS_PAGE_SIZE = 1000;
  /** A bound on the pages of one user's groups read for one question (100,000 groups). */
  private static final int MAX_USER_GROUP_PAGES = 100;

  private record MemberKey(String groupId, String userId) {}

  /** Two users, the smaller id first. */
  private record UserPair(String low, String high) {
    static UserPair of(String a, String b) {
      return a.compareTo(b) <= 0 ? new UserPair(a, b) : new UserPair(b, a);
    }

    boolean names(String userId) {
      return low.equals(userId) || high.equals(userId);
    }
  }

  private final GroupServiceGrpc.GroupServiceStub stub;
  private final Duration timeout;
  private final UpstreamCache<MemberKey, CheckMembershipResponse> memberships;
  private final UpstreamCache<String, Set<String>> memberIds;
  private final UpstreamCache<UserPair, Boolean> sharedGroups;

  GroupDirectory(Channel channel, CallCredentials credentials, Clock clock, Duration ttl, Duration timeout) {
    this.stub = GroupServiceGrpc.newStub(requireNonNull(channel, "channel")).withCallCredentials(credentials);
    this.timeout = requireNonNull(timeout, "timeout");
    // Answers that keep being asked for reload in the background instead of making sends and events
    // wait.
    this.memberships = new UpstreamCache<>(clock, ttl, 200_000, true,
        key -> UnaryCalls.start(stub()::checkMembership, CheckMembershipRequest.newBuilder()
            .setGroupId(key.groupId()).setUserId(key.userId()).build()));
    this.memberIds = new UpstreamCache<>(clock, ttl, 20_000, true,
        groupId -> loadMemberIds(groupId, "", new HashSet<>()));
    this.sharedGroups = new UpstreamCache<>(clock, ttl, 100_000, true,
        pair -> UnaryCalls.start(stub()::sharesGroup, SharesGroupRequest.newBuilder()
            .setUserIdA(pair.low()).setUserIdB(pair.high()).build())
            .thenApply(SharesGroupResponse::getSharesGroup));
  }

  private GroupServiceGrpc.GroupServiceStub stub() {
    return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CompletableFuture<Set<String>> loadMemberIds(String groupId, String pageToken, Set<String> ids) {
    return UnaryCalls.start(stub()::listMemberIds, ListMemberIdsRequest.newBuilder()
            .setGroupId(groupId).setPageSize(MEMBER_PAGE_SIZE).setPageToken(pageToken).build())
        .thenCompose((ListMemberIdsResponse page) -> {
          if (!page.getGroupExists()) {
            return CompletableFuture.completedFuture(Set.of());
          }
          ids.addAll(page.getUserIdsList());
          return page.getNextPageToken().isEmpty()
              ? CompletableFuture.completedFuture(Collections.unmodifiableSet(ids))
              : loadMemberIds(groupId, page.getNextPageToken(), ids);
        });
  }

  /**
   * The user's membership, from the cache or group-svc.
   *
   * @throws io.grpc.StatusRuntimeException if group-svc fails
   */
  CheckMembershipResponse membership(String groupId, String userId) {
    return memberships.await(new MemberKey(groupId, userId));
  }

  /**
   * The groups {@code userId} is a member of now, most recently joined first, from group-svc (one
   * call per 1,000 groups; not cached).
   *
   * @throws io.grpc.StatusRuntimeException if group-svc fails
   */
  List<UserGroup> userGroups(String userId) {
    return UnaryCalls.await(userGroupsAsync(userId));
  }

  /** {@link #userGroups}, started now: the caller can do other work while group-svc answers. */
  CompletableFuture<List<UserGroup>> userGroupsAsync(String userId) {
    return loadUserGroups(userId, "", 0, new ArrayList<>());
  }

  private CompletableFuture<List<UserGroup>> loadUserGroups(String userId, String pageToken, int page,
      List<UserGroup> groups) {
    return UnaryCalls.start(stub()::listUserGroups, ListUserGroupsRequest.newBuilder()
            .setUserId(userId).setPageSize(USER_GROUPS_PAGE_SIZE).setPageToken(pageToken).build())
        .thenCompose((ListUserGroupsResponse response) -> {
          groups.addAll(response.getGroupsList());
          if (response.getNextPageToken().isEmpty()) {
            return CompletableFuture.completedFuture(groups);
          }
          if (page + 1 >= MAX_USER_GROUP_PAGES) {
            logger.warn("user {} is in more than {} groups; listing the most recently joined", userId, groups.size());
            return CompletableFuture.completedFuture(groups);
          }
          return loadUserGroups(userId, response.getNextPageToken(), page + 1, groups);
        });
  }

  /**
   * Every member's id (empty if the group does not exist), from the cache or group-svc. The set is
   * unmodifiable, and the same instance until the entry is reloaded.
   */
  Set<String> memberIds(String groupId) {
    return memberIds.await(groupId);
  }

  CompletableFuture<Set<String>> memberIdsAsync(String groupId) {
    return memberIds.get(groupId);
  }

  /** The member ids if they are cached and loaded, else null (nothing is loaded). */
  Set<String> cachedMemberIds(String groupId) {
    return memberIds.getIfLoaded(groupId);
  }

  /**
   * Whether two users are both members of some group now ({@code SharesGroup}), from the cache or
   * group-svc; the future fails if group-svc does.
   */
  CompletableFuture<Boolean> sharesGroupAsync(String userA, String userB) {
    return sharedGroups.get(UserPair.of(userA, userB));
  }

  void invalidateMember(String groupId, String userId) {
    memberships.invalidate(new MemberKey(groupId, userId));
    memberIds.invalidate(groupId);
    sharedGroups.invalidateIf(pair -> pair.names(userId));
  }

  void invalidateGroup(String groupId) {
    memberships.invalidateIf(key -> key.groupId().equals(groupId));
    memberIds.invalidate(groupId);
    sharedGroups.invalidateAll();
  }

  void invalidateAll() {
    memberships.invalidateAll();
    memberIds.invalidateAll();
    sharedGroups.invalidateAll();
  }

  /**
   * Listens to group-svc's change events until the returned subscription is closed, telling {@code
   * memberChanged} the user of each member's event once this directory has forgotten what it knew.
   */
  EventBus.Subscription listen(EventBus events, Consumer<String> memberChanged) {
    requireNonNull(memberChanged, "memberChanged");
    return events.subscribe(CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        String[] parts = new String(payload, UTF_8).split(" ");
        if (parts.length != 2) {
          logger.warn("ignoring a malformed event on {}", channel);
        } else if (parts[1].equals("*")) {
          invalidateGroup(parts[0]);
        } else {
          invalidateMember(parts[0], parts[1]);
          memberChanged.accept(parts[1]);
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
