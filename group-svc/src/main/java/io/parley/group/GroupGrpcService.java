package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.parley.data.PageTokens;
import io.parley.error.FieldViolations;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.InviteMembersResponse;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMemberIdsResponse;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMembersResponse;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListMyGroupsResponse;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.Member;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UpdateGroupRequest;
import io.parley.group.v1.UserGroup;
import io.parley.session.Sessions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * <p>Every change to a member publishes a {@link MembershipEvents} event after it is committed.
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

  private final GroupRules rules;
  private final MembershipEvents events;

  GroupGrpcService(GroupRules rules, MembershipEvents events) {
    this.rules = requireNonNull(rules, "rules");
    this.events = requireNonNull(events, "events");
  }

  @Override
  public void createGroup(CreateGroupRequest request, StreamObserver<Group> response) {
    String me = Sessions.current().userId();
    FieldViolations violations = new FieldViolations();
    Group fields = GroupRequests.createFields(violations, request);
    List<String> memberIds = GroupRequests.userIds(violations, "member_ids", request.getMemberIdsList(), 0);
    violations.throwIfAny();
    Group group = rules.create(fields, me, memberIds);
    logger.debug("{} created group {} with {} members", me, group.getGroupId(), group.getMemberCount());
    events.memberChanged(group.getGroupId(), me);
    memberIds.stream().filter(id -> !id.equals(me)).forEach(id -> events.memberChanged(group.getGroupId(), id));
    reply(response, group);
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
    Set<String> paths = GroupRequests.updatePaths(violations, request);
    violations.throwIfAny();
    reply(response, rules.update(request.getGroup().getGroupId(), me, request.getGroup(), paths));
  }

  @Override
  public void dismissGroup(DismissGroupRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    rules.dismiss(groupId, me);
    logger.debug("{} dismissed group {}", me, groupId);
    events.groupDismissed(groupId);
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
    List<String> userIds = GroupRequests.userIds(violations, "user_ids", request.getUserIdsList(), 1);
    violations.throwIfAny();
    String groupId = request.getGroupId();
    AddedMembers result = rules.invite(groupId, me, userIds);
    result.added().forEach(member -> events.memberChanged(groupId, member.getUserId()));
    reply(response, InviteMembersResponse.newBuilder()
        .addAllAdded(result.added())
        .addAllAlreadyMembers(result.alreadyMembers())
        .build());
  }

  @Override
  public void joinGroup(JoinGroupRequest request, StreamObserver<Member> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    Member member = rules.join(groupId, me);
    events.memberChanged(groupId, me);
    reply(response, member);
  }

  @Override
  public void leaveGroup(LeaveGroupRequest request, StreamObserver<Empty> response) {
    String me = Sessions.current().userId();
    String groupId = validGroupId(request.getGroupId());
    rules.leave(groupId, me);
    events.memberChanged(groupId, me);
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
