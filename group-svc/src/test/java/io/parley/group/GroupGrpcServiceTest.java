package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static io.parley.group.GroupTestServer.badFields;
import static io.parley.group.GroupTestServer.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.FieldMask;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
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
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.InviteMembersResponse;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinGroupResponse;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListGroupInvitationsRequest;
import io.parley.group.v1.ListGroupInvitationsResponse;
import io.parley.group.v1.ListJoinRequestsRequest;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMemberIdsResponse;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMembersResponse;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListMyGroupsResponse;
import io.parley.group.v1.ListMyInvitationsRequest;
import io.parley.group.v1.ListMyInvitationsResponse;
import io.parley.group.v1.ListMyJoinRequestsRequest;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.Member;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RejectJoinRequestRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.SharesGroupRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UpdateGroupRequest;
import io.parley.group.v1.UserGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GroupService's requests and answers through the real interceptor chain, on the memory store, with
 * a fake user-svc. {@link PostgresGroupGrpcServiceTest} runs the same on PostgreSQL.
 */
class GroupGrpcServiceTest {
  private GroupTestServer server;
  private String owner;

  /** A server on the store under test. */
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, null);
  }

  @BeforeEach
  void start() throws InterruptedException {
    server = startServer(GroupTestServer.settings());
    owner = server.newUser();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A group of {@code by} named Hikers, with {@code memberIds} invited and having accepted. */
  private Group createGroup(String by, JoinPolicy policy, String... memberIds) {
    Group group = server.as(by).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("Hikers").setJoinPolicy(policy))
        .addAllMemberIds(List.of(memberIds))
        .build());
    for (String member : memberIds) {
      server.as(member).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(group.getGroupId()).build());
    }
    return group;
  }

  private List<Member> members(String groupId) {
    return server.as(owner).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).build()).getMembersList();
  }

  @Test
  void createGroupMakesTheCallerOwnerAndInvitesTheListedUsersOnceWhoJoinWhenTheyAccept() {
    String a = server.newUser();
    String b = server.newUser();

    Group group = server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("Hikers").setNotice("Sunday 9am").setAvatarUrl("https://x.example/h.png")
            .setOwnerId("ignored").setMemberCount(99))
        .addAllMemberIds(List.of(a, b, a, owner))
        .build());

    assertThat(Ids.isValid(group.getGroupId(), "g")).isTrue();
    assertThat(group.getName()).isEqualTo("Hikers");
    assertThat(group.getNotice()).isEqualTo("Sunday 9am");
    assertThat(group.getOwnerId()).isEqualTo(owner);
    assertThat(group.getMyRole()).isEqualTo(GroupRole.OWNER);
    assertThat(group.getJoinPolicy()).isEqualTo(JoinPolicy.INVITE_ONLY);
    assertThat(group.getMemberCount()).as("invitees are not members yet").isEqualTo(1);
    assertThat(group.getMaxMembers()).isEqualTo(GroupSettings.DEFAULT_MAX_MEMBERS);
    assertThat(Timestamps.toMillis(group.getCreateTime())).isEqualTo(GroupTestServer.START.toEpochMilli());
    assertThat(server.as(owner).listGroupInvitations(ListGroupInvitationsRequest.newBuilder()
        .setGroupId(group.getGroupId()).build()).getInvitationsList())
        .extracting(Invitation::getInviteeId, Invitation::getInviterId)
        .containsExactlyInAnyOrder(tuple(a, owner), tuple(b, owner));
    assertThat(members(group.getGroupId())).extracting(Member::getUserId).containsExactly(owner);

    server.clock.advance(Duration.ofMinutes(1));
    Member joined = server.as(b).acceptInvitation(AcceptInvitationRequest.newBuilder()
        .setGroupId(group.getGroupId()).build());

    assertThat(Timestamps.toMillis(joined.getJoinTime())).as("joined when accepting").isEqualTo(server.clock.millis());
    assertThat(members(group.getGroupId())).extracting(Member::getUserId, Member::getRole).containsExactly(
        tuple(owner, GroupRole.OWNER),
        tuple(b, GroupRole.MEMBER));
  }

  @Test
  void userLookupsActForTheCaller() {
    String a = server.newUser();
    createGroup(owner, JoinPolicy.INVITE_ONLY, a);

    assertThat(server.users.callers()).containsExactly(owner);
  }

  @Test
  void createGroupWithUnknownUsersFailsUserNotFoundNamingThemAndCreatesNothing() {
    String known = server.newUser();
    String unknown1 = Ids.newId("u");
    String unknown2 = Ids.newId("u");

    com.google.rpc.Status status = assertStatus(Code.NOT_FOUND, ErrorReason.USER_NOT_FOUND,
        () -> createGroup(owner, JoinPolicy.INVITE_ONLY, unknown1, known, unknown2));

    assertThat(errorInfo(status).getMetadataMap()).containsEntry("user_ids", unknown1 + "," + unknown2)
        .containsEntry("field", "member_ids");
    assertThat(status.getMessage()).contains(unknown1, unknown2).doesNotContain(known);
    assertThat(server.as(owner).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList()).isEmpty();
  }

  @Test
  void createGroupNamesEveryInvalidField() {
    CreateGroupRequest request = CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName(" ").setNotice("n".repeat(1025)).setAvatarUrl("ftp://x.example/a.png")
            .setJoinPolicyValue(9))
        .addMemberIds("not-a-user")
        .build();

    com.google.rpc.Status status = assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).createGroup(request));

    assertThat(badFields(status)).containsExactly("group.name", "group.notice", "group.avatar_url", "group.join_policy",
        "member_ids");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).createGroup(CreateGroupRequest.getDefaultInstance())))).containsExactly("group");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).createGroup(CreateGroupRequest.newBuilder()
            .setGroup(Group.newBuilder().setName("n".repeat(65))).build())))).containsExactly("group.name");
    assertThat(server.users.callers()).isEmpty();
  }

  @Test
  void theMemberLimitComesFromTheSettings() throws InterruptedException {
    server.close();
    server = startServer(GroupTestServer.settings().withMaxMembers(3));
    owner = server.newUser();
    String a = server.newUser();
    String b = server.newUser();
    String c = server.newUser();

    Group group = createGroup(owner, JoinPolicy.OPEN, a);
    assertThat(group.getMaxMembers()).isEqualTo(3);
    server.as(b).joinGroup(JoinGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    com.google.rpc.Status full = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_FULL,
        () -> server.as(c).joinGroup(JoinGroupRequest.newBuilder().setGroupId(group.getGroupId()).build()));
    assertThat(errorInfo(full).getMetadataMap()).containsEntry("max_members", "3");
  }

  @Test
  void inviteMembersInvitesExistingUsersAndReportsThoseAlreadyInOrInvited() {
    String member = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, member);
    String newcomer = server.newUser();
    String invitedBefore = server.newUser();
    server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
        .addUserIds(invitedBefore).build());
    server.clock.advance(Duration.ofMinutes(1));

    InviteMembersResponse response = server.as(owner).inviteMembers(InviteMembersRequest.newBuilder()
        .setGroupId(group.getGroupId()).addAllUserIds(List.of(newcomer, member, newcomer, invitedBefore)).build());

    assertThat(response.getAddedList()).isEmpty();
    assertThat(response.getInvitedList()).extracting(Invitation::getInviteeId, Invitation::getInviterId,
        i -> Timestamps.toMillis(i.getCreateTime())).containsExactly(tuple(newcomer, owner, server.clock.millis()));
    assertThat(response.getAlreadyMembersList()).containsExactly(member);
    assertThat(response.getAlreadyInvitedList()).containsExactly(invitedBefore);
    assertThat(members(group.getGroupId())).extracting(Member::getUserId).containsExactly(owner, member);
    assertThat(server.as(newcomer).listMyInvitations(ListMyInvitationsRequest.getDefaultInstance())
        .getInvitationsList()).extracting(i -> i.getGroup().getName(), Invitation::getInviterId)
        .containsExactly(tuple("Hikers", owner));
  }

  @Test
  void inviteMembersWithAnUnknownUserAddsNobody() {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    String known = server.newUser();
    String unknown = Ids.newId("u");

    com.google.rpc.Status status = assertStatus(Code.NOT_FOUND, ErrorReason.USER_NOT_FOUND,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .addUserIds(known).addUserIds(unknown).build()));

    assertThat(errorInfo(status).getMetadataMap()).containsEntry("user_ids", unknown);
    assertThat(members(group.getGroupId())).extracting(Member::getUserId).containsExactly(owner);
  }

  @Test
  void inviteMembersValidatesTheIds() {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      tooMany.add(Ids.newId("u"));
    }

    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .build())))).containsExactly("user_ids");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .addAllUserIds(tooMany).build())))).containsExactly("user_ids");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId("g_nope")
            .addUserIds("bob").build())))).containsExactly("group_id", "user_ids");
  }

  @Test
  void anyoneSeesAndJoinsAnOpenGroupAndMayLeaveAndJoinAgain() {
    Group group = createGroup(owner, JoinPolicy.OPEN);
    String visitor = server.newUser();
    GetGroupRequest get = GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build();

    assertThat(server.as(visitor).getGroup(get).getName()).isEqualTo("Hikers");
    JoinGroupResponse joined = server.as(visitor).joinGroup(JoinGroupRequest.newBuilder()
        .setGroupId(group.getGroupId()).build());
    assertThat(joined.getUserId()).isEqualTo(visitor);
    assertThat(joined.hasJoinRequest()).isFalse();
    assertThat(joined.getRole()).isEqualTo(GroupRole.MEMBER);
    assertThat(server.as(visitor).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList())
        .extracting(Group::getGroupId).containsExactly(group.getGroupId());

    server.as(visitor).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    assertThat(server.as(visitor).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList()).isEmpty();
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.NOT_GROUP_MEMBER,
        () -> server.as(visitor).listMembers(ListMembersRequest.newBuilder().setGroupId(group.getGroupId()).build()));
    server.as(visitor).joinGroup(JoinGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    assertThat(members(group.getGroupId())).extracting(Member::getUserId).containsExactly(owner, visitor);
  }

  @Test
  void updateGroupWritesTheMaskedFieldsOrElseTheSetOnes() {
    Group group = server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("Hikers").setNotice("old notice")).build());
    server.clock.advance(Duration.ofMinutes(5));

    Group cleared = server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(group.getGroupId()).setName("not written"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("notice")).build());
    assertThat(cleared.getNotice()).isEmpty();
    assertThat(cleared.getName()).isEqualTo("Hikers");
    assertThat(Timestamps.toMillis(cleared.getUpdateTime())).isEqualTo(server.clock.millis());

    Group set = server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(group.getGroupId()).setName("Climbers").setJoinPolicy(JoinPolicy.OPEN)
            .setOwnerId("ignored"))
        .build());
    assertThat(set.getName()).isEqualTo("Climbers");
    assertThat(set.getJoinPolicy()).isEqualTo(JoinPolicy.OPEN);
    assertThat(set.getOwnerId()).isEqualTo(owner);
    assertThat(set.getNotice()).isEmpty();
  }

  @Test
  void updateGroupNamesWhatIsWrong() {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    Group.Builder target = Group.newBuilder().setGroupId(group.getGroupId());

    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder().setGroup(target).build()))))
        .containsExactly("update_mask");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder().setGroup(target)
            .setUpdateMask(FieldMask.newBuilder().addPaths("owner_id").addPaths("name")).build()))))
        .containsExactly("update_mask", "group.name");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
            .setGroup(Group.newBuilder().setName("x")).build()))))
        .containsExactly("group.group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder().setGroup(target)
            .setUpdateMask(FieldMask.newBuilder().addPaths("join_policy")).build()))))
        .containsExactly("group.join_policy");
  }

  @Test
  void rolesAndOwnershipRequireValidTargets() {
    String member = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, member);

    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(group.getGroupId())
            .setUserId(member).setRole(GroupRole.OWNER).build())))).containsExactly("role");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).transferOwnership(TransferOwnershipRequest.newBuilder()
            .setGroupId(group.getGroupId()).setNewOwnerId(owner).build())))).containsExactly("new_owner_id");
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.FAILED_PRECONDITION,
        () -> server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(group.getGroupId())
            .setUserId(owner).setRole(GroupRole.ADMIN).build()));
    assertStatus(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND,
        () -> server.as(owner).transferOwnership(TransferOwnershipRequest.newBuilder()
            .setGroupId(group.getGroupId()).setNewOwnerId(server.newUser()).build()));

    Group transferred = server.as(owner).transferOwnership(TransferOwnershipRequest.newBuilder()
        .setGroupId(group.getGroupId()).setNewOwnerId(member).build());
    assertThat(transferred.getOwnerId()).isEqualTo(member);
    assertThat(members(group.getGroupId())).extracting(Member::getRole).containsExactly(GroupRole.ADMIN, GroupRole.OWNER);
  }

  @Test
  void aMuteLastsUntilItsTimeAndMessageSvcSeesIt() {
    String member = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, member);
    com.google.protobuf.Timestamp until = Timestamps.fromMillis(server.clock.millis() + 600_000);
    CheckMembershipRequest check = CheckMembershipRequest.newBuilder().setGroupId(group.getGroupId())
        .setUserId(member).build();

    Member muted = server.as(owner).muteMember(MuteMemberRequest.newBuilder().setGroupId(group.getGroupId())
        .setUserId(member).setMuteUntil(until).build());

    assertThat(muted.getMuteUntil()).isEqualTo(until);
    assertThat(server.asService("message-svc").checkMembership(check).getMuteUntil()).isEqualTo(until);
    server.clock.advance(Duration.ofMinutes(10));
    assertThat(server.asService("message-svc").checkMembership(check).hasMuteUntil()).isFalse();
    assertThat(members(group.getGroupId()).get(1).hasMuteUntil()).isFalse();
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).muteMember(MuteMemberRequest.newBuilder().setGroupId(group.getGroupId())
            .setUserId(member).setMuteUntil(com.google.protobuf.Timestamp.newBuilder().setNanos(-1)).build()))))
        .containsExactly("mute_until");
  }

  @Test
  void checkMembershipTellsExistenceMembershipRoleJoinTimeAndPolicy() {
    String member = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, member);

    CheckMembershipResponse asMember = server.asService("message-svc").checkMembership(CheckMembershipRequest
        .newBuilder().setGroupId(group.getGroupId()).setUserId(member).build());
    CheckMembershipResponse stranger = server.asService("message-svc").checkMembership(CheckMembershipRequest
        .newBuilder().setGroupId(group.getGroupId()).setUserId(server.newUser()).build());
    CheckMembershipResponse missing = server.asService("message-svc").checkMembership(CheckMembershipRequest
        .newBuilder().setGroupId(Ids.newId("g")).setUserId(member).build());

    assertThat(asMember.getGroupExists()).isTrue();
    assertThat(asMember.getMember()).isTrue();
    assertThat(asMember.getRole()).isEqualTo(GroupRole.MEMBER);
    assertThat(Timestamps.toMillis(asMember.getJoinTime())).isEqualTo(GroupTestServer.START.toEpochMilli() + 1);
    assertThat(asMember.hasMuteUntil()).isFalse();
    assertThat(stranger.getGroupExists()).isTrue();
    assertThat(stranger.getMember()).isFalse();
    assertThat(stranger.getRole()).isEqualTo(GroupRole.GROUP_ROLE_UNSPECIFIED);
    assertThat(stranger.getJoinPolicy()).as("what message-svc may reveal depends on it").isEqualTo(JoinPolicy.INVITE_ONLY);
    assertThat(stranger.getPublic()).as("an INVITE_ONLY group is secret to strangers").isFalse();
    for (JoinPolicy policy : new JoinPolicy[] {JoinPolicy.OPEN, JoinPolicy.APPROVAL}) {
      CheckMembershipResponse visible = server.asService("message-svc").checkMembership(CheckMembershipRequest
          .newBuilder().setGroupId(createGroup(owner, policy).getGroupId()).setUserId(member).build());
      assertThat(visible.getJoinPolicy()).isEqualTo(policy);
      assertThat(visible.getPublic()).as("anyone may see a %s group", policy).isTrue();
    }
    assertThat(missing.getGroupExists()).isFalse();
    assertThat(missing.getMember()).isFalse();
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.asService("message-svc").checkMembership(CheckMembershipRequest.getDefaultInstance()))))
        .containsExactly("group_id", "user_id");
  }

  @Test
  void membersAndMemberIdsArePagedWithTokensBoundToTheirGroup() {
    List<String> ids = new ArrayList<>(List.of(owner));
    for (int i = 0; i < 4; i++) {
      ids.add(server.newUser());
    }
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, ids.subList(1, ids.size()).toArray(String[]::new));
    Group other = createGroup(owner, JoinPolicy.INVITE_ONLY);

    ListMembersResponse first = server.as(owner).listMembers(ListMembersRequest.newBuilder()
        .setGroupId(group.getGroupId()).setPageSize(3).build());
    ListMembersResponse second = server.as(owner).listMembers(ListMembersRequest.newBuilder()
        .setGroupId(group.getGroupId()).setPageSize(3).setPageToken(first.getNextPageToken()).build());
    assertThat(first.getMembersList()).extracting(Member::getUserId).containsExactlyElementsOf(ids.subList(0, 3));
    assertThat(second.getMembersList()).extracting(Member::getUserId).containsExactlyElementsOf(ids.subList(3, 5));
    assertThat(second.getNextPageToken()).isEmpty();
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> server.as(owner).listMembers(ListMembersRequest.newBuilder().setGroupId(other.getGroupId())
            .setPageToken(first.getNextPageToken()).build()));
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).listMembers(ListMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .setPageSize(-1).build())))).containsExactly("page_size");

    ListMemberIdsResponse idsFirst = server.asService("message-svc").listMemberIds(ListMemberIdsRequest.newBuilder()
        .setGroupId(group.getGroupId()).setPageSize(4).build());
    ListMemberIdsResponse idsSecond = server.asService("message-svc").listMemberIds(ListMemberIdsRequest.newBuilder()
        .setGroupId(group.getGroupId()).setPageToken(idsFirst.getNextPageToken()).build());
    assertThat(idsFirst.getGroupExists()).isTrue();
    assertThat(idsFirst.getUserIdsList()).containsExactlyElementsOf(ids.subList(0, 4));
    assertThat(idsSecond.getUserIdsList()).containsExactly(ids.get(4));
    assertThat(idsSecond.getNextPageToken()).isEmpty();
    ListMemberIdsResponse missing = server.asService("message-svc").listMemberIds(ListMemberIdsRequest.newBuilder()
        .setGroupId(Ids.newId("g")).build());
    assertThat(missing.getGroupExists()).isFalse();
    assertThat(missing.getUserIdsList()).isEmpty();
  }

  @Test
  void myGroupsComeMostRecentlyJoinedFirstInPages() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(0, createGroup(owner, JoinPolicy.INVITE_ONLY).getGroupId());
      server.clock.advance(Duration.ofSeconds(1));
    }

    List<String> listed = new ArrayList<>();
    String token = "";
    do {
      ListMyGroupsResponse page = server.as(owner).listMyGroups(ListMyGroupsRequest.newBuilder().setPageSize(2)
          .setPageToken(token).build());
      assertThat(page.getGroupsCount()).isLessThanOrEqualTo(2);
      page.getGroupsList().forEach(g -> listed.add(g.getGroupId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertThat(listed).containsExactlyElementsOf(created);
    String someoneElse = server.newUser();
    String ownersToken = server.as(owner).listMyGroups(ListMyGroupsRequest.newBuilder().setPageSize(2).build())
        .getNextPageToken();
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> server.as(someoneElse).listMyGroups(ListMyGroupsRequest.newBuilder().setPageToken(ownersToken).build()));
  }

  @Test
  void sharesGroupTellsWhetherTwoUsersAreMembersOfOneGroupNow() {
    String me = server.newUser();
    String stranger = server.newUser();
    Group shared = createGroup(owner, JoinPolicy.OPEN, me);
    GroupServiceBlockingStub service = server.asService("message-svc");

    assertThat(service.sharesGroup(SharesGroupRequest.newBuilder().setUserIdA(me).setUserIdB(owner).build())
        .getSharesGroup()).isTrue();
    assertThat(service.sharesGroup(SharesGroupRequest.newBuilder().setUserIdA(me).setUserIdB(stranger).build())
        .getSharesGroup()).isFalse();
    server.as(me).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(shared.getGroupId()).build());
    assertThat(service.sharesGroup(SharesGroupRequest.newBuilder().setUserIdA(owner).setUserIdB(me).build())
        .getSharesGroup()).isFalse();
  }

  @Test
  void listUserGroupsGivesAUsersCurrentGroupsNewestFirstWithRoleAndJoinTime() {
    String me = server.newUser();
    Group owned = createGroup(me, JoinPolicy.INVITE_ONLY);
    server.clock.advance(Duration.ofSeconds(1));
    Group invited = createGroup(owner, JoinPolicy.INVITE_ONLY, me);
    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(invited.getGroupId()).setUserId(me)
        .setRole(GroupRole.ADMIN).build());
    server.clock.advance(Duration.ofSeconds(1));
    Group left = createGroup(owner, JoinPolicy.OPEN, me);
    Group dismissed = createGroup(owner, JoinPolicy.OPEN, me);
    server.clock.advance(Duration.ofSeconds(1));
    Group joined = createGroup(owner, JoinPolicy.OPEN);
    server.as(me).joinGroup(JoinGroupRequest.newBuilder().setGroupId(joined.getGroupId()).build());
    server.as(me).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(left.getGroupId()).build());
    server.as(owner).dismissGroup(DismissGroupRequest.newBuilder().setGroupId(dismissed.getGroupId()).build());

    ListUserGroupsResponse all = server.asService("message-svc").listUserGroups(ListUserGroupsRequest.newBuilder()
        .setUserId(me).build());

    long start = GroupTestServer.START.toEpochMilli();
    assertThat(all.getGroupsList()).extracting(UserGroup::getGroupId, UserGroup::getRole,
        g -> Timestamps.toMillis(g.getJoinTime())).containsExactly(
        tuple(joined.getGroupId(), GroupRole.MEMBER, start + 3000 + 1),
        tuple(invited.getGroupId(), GroupRole.ADMIN, start + 1000 + 1),
        tuple(owned.getGroupId(), GroupRole.OWNER, start));
    assertThat(all.getNextPageToken()).isEmpty();
    assertThat(server.asService("message-svc").listUserGroups(ListUserGroupsRequest.newBuilder()
        .setUserId(server.newUser()).build()).getGroupsList()).isEmpty();
  }

  @Test
  void listUserGroupsIsPagedWithTokensBoundToTheUser() {
    String me = server.newUser();
    List<String> newestFirst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      newestFirst.add(0, createGroup(me, JoinPolicy.INVITE_ONLY).getGroupId());
      server.clock.advance(Duration.ofMillis(1));
    }
    GroupServiceBlockingStub service = server.asService("message-svc");

    List<String> listed = new ArrayList<>();
    String token = "";
    do {
      ListUserGroupsResponse page = service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me)
          .setPageSize(2).setPageToken(token).build());
      assertThat(page.getGroupsCount()).isLessThanOrEqualTo(2);
      page.getGroupsList().forEach(g -> listed.add(g.getGroupId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(listed).containsExactlyElementsOf(newestFirst);

    String mine = service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me).setPageSize(2).build())
        .getNextPageToken();
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(owner).setPageToken(mine).build()));
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me).setPageToken("garbage").build()));
    String forged = PageTokens.encode("99999999999999999:g; DROP TABLE member", "ListUserGroups/" + me);
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me).setPageToken(forged).build()));
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId("bob").setPageSize(-1).build()))))
        .containsExactly("user_id", "page_size");
  }

  @Test
  void listUserGroupsAnswersAtMostOneThousandAPageAndAThousandByDefault() {
    String me = server.newUser();
    for (int i = 0; i < 1001; i++) {
      long at = i;
      server.module.store().create(new StoredGroup(Ids.newId("g"), "many", "", "", JoinPolicy.INVITE_ONLY, me, 1, 2,
          at, at, at), tx -> {
            tx.lockUsers(List.of(me));
            tx.addMembers(List.of(new StoredMember(me, GroupRole.OWNER, at, 0)));
            return true;
          });
    }
    GroupServiceBlockingStub service = server.asService("message-svc");

    ListUserGroupsResponse first = service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me).build());
    ListUserGroupsResponse capped = service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me)
        .setPageSize(5000).build());
    ListUserGroupsResponse rest = service.listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(me)
        .setPageToken(first.getNextPageToken()).build());

    assertThat(first.getGroupsCount()).isEqualTo(1000);
    assertThat(Timestamps.toMillis(first.getGroups(0).getJoinTime())).isEqualTo(1000);
    assertThat(capped.getGroupsCount()).isEqualTo(1000);
    assertThat(rest.getGroupsList()).extracting(g -> Timestamps.toMillis(g.getJoinTime())).containsExactly(0L);
    assertThat(rest.getNextPageToken()).isEmpty();
  }

  @Test
  void malformedGroupIdsAreInvalidArguments() {
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId("g_1; DROP").build()))))
        .containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).joinGroup(JoinGroupRequest.getDefaultInstance())))).containsExactly("group_id");
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND,
        () -> server.as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId(Ids.newId("g")).build()));
  }

  @Test
  void anUnreachableUserServiceFailsUpstreamUnavailableAndAddsNobody() throws InterruptedException {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    String newcomer = server.newUser();
    server.stopUserService();

    assertStatus(Code.UNAVAILABLE, ErrorReason.UPSTREAM_UNAVAILABLE,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .addUserIds(newcomer).build()));
    assertThat(members(group.getGroupId())).extracting(Member::getUserId).containsExactly(owner);
  }

  @Test
  void listMyGroupsShowsMyRoleAndEachGroupsMemberCount() {
    String me = server.newUser();
    Group owned = createGroup(me, JoinPolicy.INVITE_ONLY);
    server.clock.advance(Duration.ofSeconds(1));
    Group administered = createGroup(owner, JoinPolicy.INVITE_ONLY, me, server.newUser());
    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(administered.getGroupId())
        .setUserId(me).setRole(GroupRole.ADMIN).build());
    server.clock.advance(Duration.ofSeconds(1));
    Group joined = createGroup(owner, JoinPolicy.OPEN);
    server.as(me).joinGroup(JoinGroupRequest.newBuilder().setGroupId(joined.getGroupId()).build());

    List<Group> groups = server.as(me).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList();

    assertThat(groups).extracting(Group::getGroupId, Group::getMyRole, Group::getMemberCount).containsExactly(
        tuple(joined.getGroupId(), GroupRole.MEMBER, 2),
        tuple(administered.getGroupId(), GroupRole.ADMIN, 3),
        tuple(owned.getGroupId(), GroupRole.OWNER, 1));
    assertThat(server.as(me).getGroup(GetGroupRequest.newBuilder().setGroupId(administered.getGroupId()).build())
        .getMyRole()).isEqualTo(GroupRole.ADMIN);
    assertThat(server.as(server.newUser()).getGroup(GetGroupRequest.newBuilder().setGroupId(joined.getGroupId())
        .build()).getMyRole()).as("a visitor").isEqualTo(GroupRole.GROUP_ROLE_UNSPECIFIED);
  }

  @Test
  void anAnnouncementIsSetByAdminsAndReadByMembersAndByAnyoneOnAnOpenGroup() {
    String member = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY, member);
    server.clock.advance(Duration.ofMinutes(1));
    GetGroupRequest get = GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build();

    Announcement set = server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder()
        .setGroupId(group.getGroupId()).setText("Trip on Sunday\r\n\tbring water").build());

    assertThat(set.getText()).isEqualTo("Trip on Sunday\r\n\tbring water");
    assertThat(set.getUpdatedBy()).isEqualTo(owner);
    assertThat(Timestamps.toMillis(set.getUpdateTime())).isEqualTo(server.clock.millis());
    Group seen = server.as(member).getGroup(get);
    assertThat(seen.getAnnouncement()).isEqualTo(set);
    assertThat(Timestamps.toMillis(seen.getUpdateTime())).isEqualTo(server.clock.millis());
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT,
        () -> server.as(member).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
            .setText("mine").build()));
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> server.as(server.newUser()).getGroup(get));

    Group open = createGroup(owner, JoinPolicy.OPEN);
    server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(open.getGroupId())
        .setText("welcome").build());
    assertThat(server.as(server.newUser()).getGroup(GetGroupRequest.newBuilder().setGroupId(open.getGroupId())
        .build()).getAnnouncement().getText()).isEqualTo("welcome");

    assertThat(server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
        .build())).isEqualTo(Announcement.getDefaultInstance());
    assertThat(server.as(member).getGroup(get).hasAnnouncement()).isFalse();
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
            .setText("x".repeat(2001)).build())))).containsExactly("text");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId("g_bad")
            .setText("bell \u0007").build())))).containsExactly("group_id", "text");
    assertThat(server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
        .setText("x".repeat(2000)).build()).getText()).hasSize(2000);
  }

  @Test
  void theNewMethodsNameEveryInvalidField() {
    GroupServiceBlockingStub me = server.as(owner);

    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.acceptInvitation(AcceptInvitationRequest.getDefaultInstance())))).containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.declineInvitation(DeclineInvitationRequest.newBuilder().setGroupId("x").build()))))
        .containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.listGroupInvitations(ListGroupInvitationsRequest.getDefaultInstance())))).containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.cancelInvitation(CancelInvitationRequest.newBuilder().setUserId("g1").build()))))
        .containsExactly("group_id", "user_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.listJoinRequests(ListJoinRequestsRequest.getDefaultInstance())))).containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.approveJoinRequest(ApproveJoinRequestRequest.getDefaultInstance()))))
        .containsExactly("group_id", "user_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.rejectJoinRequest(RejectJoinRequestRequest.newBuilder().setGroupId(Ids.newId("g"))
            .setUserId(Ids.newId("g")).build())))).containsExactly("user_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.cancelJoinRequest(CancelJoinRequestRequest.getDefaultInstance())))).containsExactly("group_id");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.joinGroup(JoinGroupRequest.newBuilder().setGroupId("nope").setMessage("m".repeat(201)).build()))))
        .containsExactly("group_id", "message");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.joinGroup(JoinGroupRequest.newBuilder().setGroupId(Ids.newId("g")).setMessage("a\u001bb").build()))))
        .containsExactly("message");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> me.listMyInvitations(ListMyInvitationsRequest.newBuilder().setPageSize(-1).build()))))
        .containsExactly("page_size");
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> me.listMyJoinRequests(ListMyJoinRequestsRequest.newBuilder().setPageToken("garbage").build()));
    assertThat(server.users.callers()).isEmpty();
  }

  @Test
  void theInviteesPerCallLimitComesFromTheSettingsAndIsCheckedBeforeAskingUserSvc() throws InterruptedException {
    server.close();
    server = startServer(GroupTestServer.settings().withMaxInviteesPerCall(3));
    owner = server.newUser();
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    List<String> four = List.of(server.newUser(), server.newUser(), server.newUser(), server.newUser());
    int lookups = server.users.callers().size();

    com.google.rpc.Status tooMany = assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .addAllUserIds(four).build()));
    assertThat(badFields(tooMany)).containsExactly("user_ids");
    assertThat(tooMany.getMessage()).contains("at most 3 user ids");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).createGroup(CreateGroupRequest.newBuilder()
            .setGroup(Group.newBuilder().setName("four")).addAllMemberIds(four).build()))))
        .containsExactly("member_ids");
    assertThat(server.users.callers()).hasSize(lookups);
    assertThat(server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
        .addAllUserIds(four.subList(0, 3)).build()).getInvitedCount()).isEqualTo(3);
  }

  @Test
  void anUnreachableFriendServiceFailsUpstreamUnavailableAndInvitesNobody() {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    String newcomer = server.newUser();
    server.stopFriendService();

    assertStatus(Code.UNAVAILABLE, ErrorReason.UPSTREAM_UNAVAILABLE,
        () -> server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
            .addUserIds(newcomer).build()));
    assertThat(server.as(owner).listGroupInvitations(ListGroupInvitationsRequest.newBuilder()
        .setGroupId(group.getGroupId()).build()).getInvitationsList()).isEmpty();
    assertThat(server.as(newcomer).listMyInvitations(ListMyInvitationsRequest.getDefaultInstance())
        .getInvitationsList()).isEmpty();
  }

  @Test
  void pendingInvitationsArePagedNewestFirstWithTokensBoundToTheirGroupOrUser() {
    Group group = createGroup(owner, JoinPolicy.INVITE_ONLY);
    Group other = createGroup(owner, JoinPolicy.INVITE_ONLY);
    List<String> newestFirst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String invitee = server.newUser();
      server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
          .addUserIds(invitee).build());
      newestFirst.add(0, invitee);
      server.clock.advance(Duration.ofSeconds(1));
    }
    String invitee = newestFirst.get(0);
    server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(other.getGroupId())
        .addUserIds(invitee).build());

    List<String> listed = new ArrayList<>();
    String token = "";
    do {
      ListGroupInvitationsResponse page = server.as(owner).listGroupInvitations(ListGroupInvitationsRequest
          .newBuilder().setGroupId(group.getGroupId()).setPageSize(2).setPageToken(token).build());
      assertThat(page.getInvitationsCount()).isLessThanOrEqualTo(2);
      page.getInvitationsList().forEach(i -> listed.add(i.getInviteeId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(listed).containsExactlyElementsOf(newestFirst);

    String groupToken = server.as(owner).listGroupInvitations(ListGroupInvitationsRequest.newBuilder()
        .setGroupId(group.getGroupId()).setPageSize(2).build()).getNextPageToken();
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> server.as(owner).listGroupInvitations(ListGroupInvitationsRequest.newBuilder()
            .setGroupId(other.getGroupId()).setPageToken(groupToken).build()));
    ListMyInvitationsResponse first = server.as(invitee).listMyInvitations(ListMyInvitationsRequest.newBuilder()
        .setPageSize(1).build());
    ListMyInvitationsResponse second = server.as(invitee).listMyInvitations(ListMyInvitationsRequest.newBuilder()
        .setPageSize(1).setPageToken(first.getNextPageToken()).build());
    assertThat(first.getInvitationsList()).extracting(Invitation::getGroupId).containsExactly(other.getGroupId());
    assertThat(second.getInvitationsList()).extracting(Invitation::getGroupId).containsExactly(group.getGroupId());
    assertThat(second.getNextPageToken()).isEmpty();
    assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN,
        () -> server.as(owner).listMyInvitations(ListMyInvitationsRequest.newBuilder()
            .setPageToken(first.getNextPageToken()).build()));
  }
}
