package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.parley.data.PageTokens;
import io.parley.error.FieldViolations;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.Announcement;
import io.parley.group.v1.ApproveJoinRequestRequest;
import io.parley.group.v1.CancelInvitationRequest;
import io.parley.group.v1.CancelJoinRequestRequest;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.DeclineInvitationRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupEvent;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.InviteMembersResponse;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinGroupResponse;
import io.parley.group.v1.JoinRequest;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListGroupInvitationsRequest;
import io.parley.group.v1.ListGroupInvitationsResponse;
import io.parley.group.v1.ListJoinRequestsRequest;
import io.parley.group.v1.ListJoinRequestsResponse;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMemberIdsResponse;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMembersResponse;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListMyGroupsResponse;
import io.parley.group.v1.ListMyInvitationsRequest;
import io.parley.group.v1.ListMyInvitationsResponse;
import io.parley.group.v1.ListMyJoinRequestsRequest;
import io.parley.group.v1.ListMyJoinRequestsResponse;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.Member;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RejectJoinRequestRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.SharesGroupRequest;
import io.parley.group.v1.SharesGroupResponse;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UpdateGroupRequest;
import io.parley.group.v1.UserGroup;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Sessions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code parley.group.v1.GroupService} over {@link GroupRules}.
 *
 * <p>Each handler validates its request (INVALID_ARGUMENT with a {@code BadRequest} naming every
 * bad field), then lets the rules check and apply the change in one transaction; refusals are
 * thrown as {@link io.parley.error.ParleyException}s and rendered by the platform's exception
 * interceptor.
 *
 * <p>Every change to a member publishes a {@link MembershipEvents} event after it is committed, and
 * every change that users other than the caller should learn of a {@link GroupEvents} event. A
 * member joining, leaving or being removed is also told to the operator's webhooks ({@link
 * MembershipWebhooks}).
 * Authentication is the interceptor's: SESSION methods run with {@link Sessions#current()}, the
 * INTERNAL ones (CheckMembership, ListMemberIds, ListUserGroups) only with a service credential.
 * Thread-safe.
 */
final class GroupGrpcService extends GroupServiceGrpc.GroupServiceImplBase {
  private static final Logger logger = LoggerFactory.getLogger(GroupGrpcService.class);

  private static final int MY_GROUPS_DEFAULT_PAGE = 20;
  private static final int MY_GROUPS_MAX_PAGE = 100;
  private static final int MEMBERS_DEFAULT_PAGE = 100;
  private static final int MEMBERS_MAX_PAGE = 500;
  private static final int MEMBER_IDS_MAX_PAGE = 5000;
  private static final int USER_GROUPS_MAX_PAGE = 1000;
  private static final int PENDING_DEFAULT_PAGE = 20;
  private static final int PENDING_MAX_PAGE = 100;

  private final GroupRules rules;
  private final MembershipEvents events;
  private final GroupEvents groupEvents;
  private final RateLimiter limiter;
  private final GroupSettings settings;
  private final MembershipWebhooks webhooks;

  GroupGrpcService(GroupRules rules, MembershipEvents events, GroupEvents groupEvents, RateLimiter limiter,
      GroupSettings settings, MembershipWebhooks webhooks) {
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.rules = requireNonNull(rules, "rules");
    this.events = requireNonNull(events, "events");
    this.groupEvents = requireNonNull(groupEvents, "groupEvents");
    this.limiter = requireNonNull(limiter, "limiter");
    this.settings = requireNonNull(settings, "settings");
  }

  /** Validates the request, takes a permit of the caller's CreateGroup limit, then creates the group. */
  @Override
  public void createGroup(CreateGroupRequest request, StreamObserver<Group> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    Group fields = GroupRequests.createFields(violations, request);
    List<String> memberIds = GroupRequests.userIds(violations, "member_ids", request.getMemberIdsList(), 0,
        settings.maxInviteesPerCall());
    violations.throwIfAny();
    limiter.acquire(settings.createGroupLimit(), me);
    GroupRules.Created created = rules.create(fields, me, memberIds);
    String groupId = created.group().getGroupId();
    logger.debug("{} created group {}, inviting {}", me, groupId, created.invited().invited().size());
    events.memberChanged(groupId, me);
    webhooks.joined(groupId, me, me, MembershipWebhooks.Via.CREATED);
    announceInvited(groupId, me, created.invited());
    reply(response, created.group());
  }

  @Override
  public void getGroup(GetGroupRequest request, StreamObserver<Group> response) {
    String me = Sessions.current().userId();
    reply(response, rules.get(validGroupId(request.getGroupId()), me));
  }

  @Override
  public void updateGroup(UpdateGroupRequest request, StreamObserver<Group> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.Update update = GroupRequests.update(violations, request);
    violations.throwIfAny();
    reply(response, rules.update(request.getGroup().getGroupId(), me, update.values(), update.paths()));
  }

  @Override
  public void dismissGroup(DismissGroupRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    List<String> members = rules.dismiss(groupId, me);
    logger.debug("{} dismissed group {} of {} members", me, groupId, members.size());
    events.groupDismissed(groupId, members);
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void listMyGroups(ListMyGroupsRequest request, StreamObserver<ListMyGroupsResponse> response) {
    String me = Sessions.current().userId();
    int pageSize = PageTokens.pageSize(request.getPageSize(), MY_GROUPS_DEFAULT_PAGE, MY_GROUPS_MAX_PAGE);
    String query = "ListMyGroups/" + me;
    Page<Group> page = rules.listGroups(me, PageTokens.decode(request.getPageToken(), query), pageSize);
    reply(response, ListMyGroupsResponse.newBuilder()
        .addAllGroups(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void inviteMembers(InviteMembersRequest request, StreamObserver<InviteMembersResponse> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    List<String> userIds = GroupRequests.userIds(violations, "user_ids", request.getUserIdsList(), 1,
        settings.maxInviteesPerCall());
    violations.throwIfAny();
    String groupId = request.getGroupId();
    InviteOutcome result = rules.invite(groupId, me, userIds);
    announceInvited(groupId, me, result);
    reply(response, InviteMembersResponse.newBuilder()
        .addAllAdded(result.added())
        .addAllAlreadyMembers(result.alreadyMembers())
        .addAllInvited(result.invited().stream().map(StoredInvitation::toInvitation).toList())
        .addAllAlreadyInvited(result.alreadyInvited())
        .build());
  }

  @Override
  public void joinGroup(JoinGroupRequest request, StreamObserver<JoinGroupResponse> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    String message = GroupRequests.JOIN_MESSAGE.check(violations, "message", request.getMessage());
    violations.throwIfAny();
    String groupId = request.getGroupId();
    JoinOutcome outcome = rules.join(groupId, me, message);
    if (outcome.member() != null) {
      events.memberChanged(groupId, me);
      webhooks.joined(groupId, me, me,
          outcome.invitation() != null ? MembershipWebhooks.Via.INVITATION_ACCEPTED : MembershipWebhooks.Via.JOINED);
      if (outcome.invitation() != null) {
        groupEvents.invitationAnswered(GroupEvent.Kind.INVITATION_ACCEPTED, outcome.invitation(),
            rules.staffIds(groupId));
      }
    } else {
      groupEvents.requested(GroupEvent.Kind.JOIN_REQUESTED, outcome.request(), rules.staffIds(groupId));
    }
    reply(response, outcome.toResponse());
  }

  @Override
  public void listMyInvitations(ListMyInvitationsRequest request, StreamObserver<ListMyInvitationsResponse> response) {
    String me = Sessions.current().userId();
    int pageSize = PageTokens.pageSize(request.getPageSize(), PENDING_DEFAULT_PAGE, PENDING_MAX_PAGE);
    String query = "ListMyInvitations/" + me;
    Page<Invitation> page = rules.listMyInvitations(me, PageTokens.decode(request.getPageToken(), query), pageSize);
    reply(response, ListMyInvitationsResponse.newBuilder()
        .addAllInvitations(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void acceptInvitation(AcceptInvitationRequest request, StreamObserver<Member> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    JoinOutcome outcome = rules.accept(groupId, me);
    events.memberChanged(groupId, me);
    webhooks.joined(groupId, me, me, MembershipWebhooks.Via.INVITATION_ACCEPTED);
    groupEvents.invitationAnswered(GroupEvent.Kind.INVITATION_ACCEPTED, outcome.invitation(), rules.staffIds(groupId));
    reply(response, outcome.member());
  }

  @Override
  public void declineInvitation(DeclineInvitationRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    StoredInvitation declined = rules.decline(groupId, me);
    groupEvents.invitationAnswered(GroupEvent.Kind.INVITATION_DECLINED, declined, rules.staffIds(groupId));
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void listGroupInvitations(ListGroupInvitationsRequest request,
      StreamObserver<ListGroupInvitationsResponse> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    int pageSize = PageTokens.pageSize(request.getPageSize(), PENDING_DEFAULT_PAGE, PENDING_MAX_PAGE);
    String query = "ListGroupInvitations/" + groupId;
    Page<Invitation> page = rules.listGroupInvitations(groupId, me, PageTokens.decode(request.getPageToken(), query),
        pageSize);
    reply(response, ListGroupInvitationsResponse.newBuilder()
        .addAllInvitations(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void cancelInvitation(CancelInvitationRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    StoredInvitation cancelled = rules.cancelInvitation(request.getGroupId(), me, request.getUserId());
    groupEvents.invitationCancelled(me, cancelled);
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void listJoinRequests(ListJoinRequestsRequest request, StreamObserver<ListJoinRequestsResponse> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    int pageSize = PageTokens.pageSize(request.getPageSize(), PENDING_DEFAULT_PAGE, PENDING_MAX_PAGE);
    String query = "ListJoinRequests/" + groupId;
    Page<JoinRequest> page = rules.listJoinRequests(groupId, me, PageTokens.decode(request.getPageToken(), query),
        pageSize);
    reply(response, ListJoinRequestsResponse.newBuilder()
        .addAllJoinRequests(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void approveJoinRequest(ApproveJoinRequestRequest request, StreamObserver<Member> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    Member member = rules.approve(request.getGroupId(), me, request.getUserId());
    events.memberChanged(request.getGroupId(), request.getUserId());
    webhooks.joined(request.getGroupId(), request.getUserId(), me, MembershipWebhooks.Via.REQUEST_APPROVED);
    groupEvents.requestAnswered(GroupEvent.Kind.JOIN_REQUEST_APPROVED, request.getGroupId(), me, request.getUserId(),
        rules.staffIds(request.getGroupId()));
    reply(response, member);
  }

  @Override
  public void rejectJoinRequest(RejectJoinRequestRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    rules.reject(request.getGroupId(), me, request.getUserId());
    groupEvents.requestAnswered(GroupEvent.Kind.JOIN_REQUEST_REJECTED, request.getGroupId(), me, request.getUserId(),
        rules.staffIds(request.getGroupId()));
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void cancelJoinRequest(CancelJoinRequestRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    StoredJoinRequest cancelled = rules.cancelJoinRequest(groupId, me);
    groupEvents.requested(GroupEvent.Kind.JOIN_REQUEST_CANCELLED, cancelled, rules.staffIds(groupId));
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void listMyJoinRequests(ListMyJoinRequestsRequest request,
      StreamObserver<ListMyJoinRequestsResponse> response) {
    String me = Sessions.current().userId();
    int pageSize = PageTokens.pageSize(request.getPageSize(), PENDING_DEFAULT_PAGE, PENDING_MAX_PAGE);
    String query = "ListMyJoinRequests/" + me;
    Page<JoinRequest> page = rules.listMyJoinRequests(me, PageTokens.decode(request.getPageToken(), query), pageSize);
    reply(response, ListMyJoinRequestsResponse.newBuilder()
        .addAllJoinRequests(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void setAnnouncement(SetAnnouncementRequest request, StreamObserver<Announcement> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    String text = GroupRequests.ANNOUNCEMENT.check(violations, "text", request.getText());
    violations.throwIfAny();
    StoredAnnouncement announcement = rules.setAnnouncement(request.getGroupId(), me, text);
    groupEvents.announcementChanged(request.getGroupId(), me, announcement);
    reply(response, announcement == null ? Announcement.getDefaultInstance() : announcement.toAnnouncement());
  }

  @Override
  public void leaveGroup(LeaveGroupRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    rules.leave(groupId, me);
    events.memberChanged(groupId, me);
    webhooks.left(groupId, me);
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void removeMember(RemoveMemberRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    rules.remove(request.getGroupId(), me, request.getUserId());
    events.memberChanged(request.getGroupId(), request.getUserId());
    webhooks.removed(request.getGroupId(), request.getUserId(), me);
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void setMemberRole(SetMemberRoleRequest request, StreamObserver<Member> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.check(request.getRole() == GroupRole.MEMBER || request.getRole() == GroupRole.ADMIN,
        "role", "must be MEMBER or ADMIN; ownership moves with TransferOwnership");
    violations.throwIfAny();
    Member member = rules.setRole(request.getGroupId(), me, request.getUserId(), request.getRole());
    events.memberChanged(request.getGroupId(), request.getUserId());
    reply(response, member);
  }

  @Override
  public void transferOwnership(TransferOwnershipRequest request, StreamObserver<Group> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "new_owner_id", request.getNewOwnerId());
    violations.check(!request.getNewOwnerId().equals(me), "new_owner_id", "must be another member");
    violations.throwIfAny();
    Group group = rules.transferOwnership(request.getGroupId(), me, request.getNewOwnerId());
    logger.debug("{} transferred group {} to {}", me, request.getGroupId(), request.getNewOwnerId());
    events.memberChanged(request.getGroupId(), me);
    events.memberChanged(request.getGroupId(), request.getNewOwnerId());
    reply(response, group);
  }

  @Override
  public void muteMember(MuteMemberRequest request, StreamObserver<Member> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    Instant until = GroupRequests.muteUntil(violations, request.hasMuteUntil(), request.getMuteUntil());
    violations.throwIfAny();
    Member member = rules.mute(request.getGroupId(), me, request.getUserId(), until);
    events.memberChanged(request.getGroupId(), request.getUserId());
    reply(response, member);
  }

  @Override
  public void listMembers(ListMembersRequest request, StreamObserver<ListMembersResponse> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    int pageSize = PageTokens.pageSize(request.getPageSize(), MEMBERS_DEFAULT_PAGE, MEMBERS_MAX_PAGE);
    String query = "ListMembers/" + groupId;
    Page<Member> page = rules.listMembers(groupId, me, PageTokens.decode(request.getPageToken(), query), pageSize);
    reply(response, ListMembersResponse.newBuilder()
        .addAllMembers(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void checkMembership(CheckMembershipRequest request, StreamObserver<CheckMembershipResponse> response) {
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", request.getGroupId());
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    reply(response, rules.checkMembership(request.getGroupId(), request.getUserId()));
  }

  @Override
  public void listMemberIds(ListMemberIdsRequest request, StreamObserver<ListMemberIdsResponse> response) {
    String groupId = validGroupId(request.getGroupId());
    int pageSize = PageTokens.pageSize(request.getPageSize(), MEMBER_IDS_MAX_PAGE, MEMBER_IDS_MAX_PAGE);
    String query = "ListMemberIds/" + groupId;
    Optional<Page<String>> page = rules.listMemberIds(groupId, PageTokens.decode(request.getPageToken(), query),
        pageSize);
    ListMemberIdsResponse.Builder answer = ListMemberIdsResponse.newBuilder().setGroupExists(page.isPresent());
    page.ifPresent(p -> answer.addAllUserIds(p.items()).setNextPageToken(nextToken(p, query)));
    reply(response, answer.build());
  }

  @Override
  public void listUserGroups(ListUserGroupsRequest request, StreamObserver<ListUserGroupsResponse> response) {
    FieldViolations violations = new FieldViolations();
    GroupRequests.userId(violations, "user_id", request.getUserId());
    violations.check(request.getPageSize() >= 0, "page_size", "must not be negative");
    violations.throwIfAny();
    int pageSize = PageTokens.pageSize(request.getPageSize(), USER_GROUPS_MAX_PAGE, USER_GROUPS_MAX_PAGE);
    String query = "ListUserGroups/" + request.getUserId();
    Page<UserGroup> page = rules.listUserGroups(request.getUserId(), PageTokens.decode(request.getPageToken(), query),
        pageSize);
    reply(response, ListUserGroupsResponse.newBuilder()
        .addAllGroups(page.items())
        .setNextPageToken(nextToken(page, query))
        .build());
  }

  @Override
  public void sharesGroup(SharesGroupRequest request, StreamObserver<SharesGroupResponse> response) {
    FieldViolations violations = new FieldViolations();
    GroupRequests.userId(violations, "user_id_a", request.getUserIdA());
    GroupRequests.userId(violations, "user_id_b", request.getUserIdB());
    violations.throwIfAny();
    reply(response, SharesGroupResponse.newBuilder()
        .setSharesGroup(rules.sharesGroup(request.getUserIdA(), request.getUserIdB()))
        .build());
  }

  /** Tells the users an invitation added or invited, after it is committed. */
  private void announceInvited(String groupId, String actorId, InviteOutcome outcome) {
    for (Member added : outcome.added()) {
      events.memberChanged(groupId, added.getUserId());
      webhooks.joined(groupId, added.getUserId(), actorId, MembershipWebhooks.Via.ADDED);
      groupEvents.added(groupId, actorId, added.getUserId());
    }
    outcome.invited().forEach(groupEvents::invited);
  }

  private static String validGroupId(String groupId) {
    FieldViolations violations = new FieldViolations();
    GroupRequests.groupId(violations, "group_id", groupId);
    violations.throwIfAny();
    return groupId;
  }

  private static String nextToken(Page<?> page, String query) {
    return page.nextCursor() == null ? "" : PageTokens.encode(page.nextCursor(), query);
  }

  private static <T> void reply(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }
}
