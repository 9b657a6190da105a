package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import io.parley.data.Ids;
import io.parley.events.EventBus;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMemberIdsResponse;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.SharesGroupRequest;
import io.parley.group.v1.SharesGroupResponse;
import io.parley.group.v1.UserGroup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * group-svc as message-svc sees it: {@code CheckMembership}, {@code SharesGroup}, {@code ListMemberIds} and {@code
 * ListUserGroups} (both paged, at most {@link #MAX_PAGE} entries a page, so that paging is
 * exercised) over configurable groups, members, roles and mutes. Changes are announced on the event
 * bus as group-svc does. Thread-safe.
 */
final class FakeGroupService extends GroupServiceGrpc.GroupServiceImplBase {
  static final int MAX_PAGE = 3;

  private record MemberState(GroupRole role, Instant joinTime, Instant muteUntil) {}

  private final EventBus events;
  private final Clock clock;
  private final Map<String, Map<String, MemberState>> groups = new ConcurrentHashMap<>();
  private final Map<String, JoinPolicy> policies = new ConcurrentHashMap<>();
  private final AtomicInteger memberIdCalls = new AtomicInteger();
  private final AtomicInteger userGroupCalls = new AtomicInteger();
  private final AtomicInteger membershipCalls = new AtomicInteger();
  private volatile int lastUserGroupsPageSize;

  FakeGroupService(EventBus events, Clock clock) {
    this.events = requireNonNull(events, "events");
    this.clock = requireNonNull(clock, "clock");
  }

  /** A new INVITE_ONLY group owned by {@code ownerId}, joined now. */
  String create(String ownerId) {
    return create(ownerId, JoinPolicy.INVITE_ONLY);
  }

  /** A new group with {@code policy}, owned by {@code ownerId}, joined now. */
  String create(String ownerId, JoinPolicy policy) {
    String groupId = Ids.newId("g");
    Map<String, MemberState> members = new LinkedHashMap<>();
    members.put(ownerId, new MemberState(GroupRole.OWNER, clock.instant(), null));
    policies.put(groupId, policy);
    groups.put(groupId, members);
    announce(groupId, ownerId);
    return groupId;
  }

  /** Adds a member with {@code role}, joined now. */
  void add(String groupId, String userId, GroupRole role) {
    update(groupId, members -> members.put(userId, new MemberState(role, clock.instant(), null)));
    announce(groupId, userId);
  }

  void remove(String groupId, String userId) {
    update(groupId, members -> members.remove(userId));
    announce(groupId, userId);
  }

  void mute(String groupId, String userId, Instant until) {
    update(groupId, members -> members.computeIfPresent(userId, (u, m) -> new MemberState(m.role(), m.joinTime(), until)));
    announce(groupId, userId);
  }

  /** Ends the group: as group-svc, each member's event, then the whole group's. */
  void dismiss(String groupId) {
    Map<String, MemberState> members = groups.remove(groupId);
    List<String> memberIds;
    synchronized (members) {
      memberIds = List.copyOf(members.keySet());
    }
    memberIds.forEach(userId -> announce(groupId, userId));
    events.publish(GroupDirectory.CHANNEL, (groupId + " *").getBytes(UTF_8));
  }

  private void update(String groupId, java.util.function.Consumer<Map<String, MemberState>> change) {
    Map<String, MemberState> members = groups.get(groupId);
    synchronized (members) {
      change.accept(members);
    }
  }

  private void announce(String groupId, String userId) {
    events.publish(GroupDirectory.CHANNEL, (groupId + " " + userId).getBytes(UTF_8));
  }

  /** ListMemberIds calls served so far (one per page). */
  int memberIdCalls() {
    return memberIdCalls.get();
  }

  /** ListUserGroups calls served so far (one per page). */
  int userGroupCalls() {
    return userGroupCalls.get();
  }

  /** The page_size of the last ListUserGroups call. */
  int lastUserGroupsPageSize() {
    return lastUserGroupsPageSize;
  }

  /** CheckMembership calls served so far. */
  int membershipCalls() {
    return membershipCalls.get();
  }

  @Override
  public void listUserGroups(ListUserGroupsRequest request, StreamObserver<ListUserGroupsResponse> response) {
    userGroupCalls.incrementAndGet();
    lastUserGroupsPageSize = request.getPageSize();
    List<UserGroup> all = new ArrayList<>();
    groups.forEach((groupId, members) -> {
      MemberState member;
      synchronized (members) {
        member = members.get(request.getUserId());
      }
      if (member != null) {
        all.add(UserGroup.newBuilder().setGroupId(groupId).setRole(member.role())
            .setJoinTime(Timestamps.fromMillis(member.joinTime().toEpochMilli())).build());
      }
    });
    // Most recently joined first.
    all.sort(Comparator.comparing((UserGroup g) -> Timestamps.toMillis(g.getJoinTime())).reversed()
        .thenComparing(UserGroup::getGroupId));
    int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int to = Math.min(all.size(), from + Math.min(MAX_PAGE, request.getPageSize() == 0 ? 1000 : request.getPageSize()));
    response.onNext(ListUserGroupsResponse.newBuilder()
        .addAllGroups(all.subList(from, to))
        .setNextPageToken(to < all.size() ? Integer.toString(to) : "")
        .build());
    response.onCompleted();
  }

  @Override
  public void sharesGroup(SharesGroupRequest request, StreamObserver<SharesGroupResponse> response) {
    boolean shares = groups.values().stream().anyMatch(members -> {
      synchronized (members) {
        return members.containsKey(request.getUserIdA()) && members.containsKey(request.getUserIdB());
      }
    });
    response.onNext(SharesGroupResponse.newBuilder().setSharesGroup(shares).build());
    response.onCompleted();
  }

  @Override
  public void checkMembership(CheckMembershipRequest request, StreamObserver<CheckMembershipResponse> response) {
    membershipCalls.incrementAndGet();
    Map<String, MemberState> members = groups.get(request.getGroupId());
    CheckMembershipResponse.Builder out = CheckMembershipResponse.newBuilder().setGroupExists(members != null);
    MemberState member = null;
    if (members != null) {
      JoinPolicy policy = policies.getOrDefault(request.getGroupId(), JoinPolicy.INVITE_ONLY);
      out.setJoinPolicy(policy).setPublic(policy != JoinPolicy.INVITE_ONLY);
      synchronized (members) {
        member = members.get(request.getUserId());
      }
    }
    if (member != null) {
      out.setMember(true).setRole(member.role()).setJoinTime(Timestamps.fromMillis(member.joinTime().toEpochMilli()));
      if (member.muteUntil() != null && member.muteUntil().isAfter(clock.instant())) {
        out.setMuteUntil(Timestamps.fromMillis(member.muteUntil().toEpochMilli()));
      }
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void listMemberIds(ListMemberIdsRequest request, StreamObserver<ListMemberIdsResponse> response) {
    memberIdCalls.incrementAndGet();
    Map<String, MemberState> members = groups.get(request.getGroupId());
    if (members == null) {
      response.onNext(ListMemberIdsResponse.newBuilder().setGroupExists(false).build());
      response.onCompleted();
      return;
    }
    List<String> ids;
    synchronized (members) {
      ids = new ArrayList<>(members.keySet());
    }
    int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int to = Math.min(ids.size(), from + Math.min(MAX_PAGE, request.getPageSize() == 0 ? 5000 : request.getPageSize()));
    response.onNext(ListMemberIdsResponse.newBuilder()
        .setGroupExists(true)
        .addAllUserIds(ids.subList(from, to))
        .setNextPageToken(to < ids.size() ? Integer.toString(to) : "")
        .build());
    response.onCompleted();
  }
}
