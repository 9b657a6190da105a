package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.ApproveJoinRequestRequest;
import io.parley.group.v1.CancelInvitationRequest;
import io.parley.group.v1.CancelJoinRequestRequest;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.DeclineInvitationRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListGroupInvitationsRequest;
import io.parley.group.v1.ListJoinRequestsRequest;
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListMyGroupsResponse;
import io.parley.group.v1.ListMyInvitationsRequest;
import io.parley.group.v1.ListMyInvitationsResponse;
import io.parley.group.v1.ListMyJoinRequestsRequest;
import io.parley.group.v1.ListMyJoinRequestsResponse;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.ListUserGroupsResponse;
import io.parley.group.v1.SharesGroupRequest;
import io.parley.group.v1.Member;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RejectJoinRequestRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UpdateGroupRequest;
import io.parley.group.v1.UserGroup;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The authorization matrix of GroupService: every RPC, called by every kind of caller, on an
 * INVITE_ONLY, an OPEN and an APPROVAL group, answers exactly the status code and {@code
 * ErrorInfo} reason the matrix says, and changes the group (its fields, members, pending
 * invitations and join requests) if and only if it is allowed to. Each case runs on a group no
 * allowed change has touched, through the real interceptors, on the memory store; {@link
 * PostgresGroupGrpcServiceAuthorizationTest} runs the same matrix on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupGrpcServiceAuthorizationTest {
  /**
   * Who calls: nobody, a service, a user with nothing to do with the group, a user with a pending
   * invitation, one with a pending join request, a member, an admin, the owner.
   */
  enum Caller { ANONYMOUS, SERVICE, STRANGER, INVITEE, REQUESTER, MEMBER, ADMIN, OWNER }

  /** What a call must answer: OK, or a code and reason. */
  record Expect(Code code, ErrorReason reason) {
    static final Expect OK = new Expect(Code.OK, null);

    boolean ok() {
      return code == Code.OK;
    }

    @Override
    public String toString() {
      return ok() ? "OK" : code + "/" + reason;
    }
  }

  /** An expectation that depends on the group's join policy. */
  record PerPolicy(Expect inviteOnly, Expect open, Expect approval) {
    Expect on(JoinPolicy policy) {
      return switch (policy) {
        case INVITE_ONLY -> inviteOnly;
        case OPEN -> open;
        case APPROVAL -> approval;
        default -> throw new IllegalArgumentException(policy.toString());
      };
    }
  }

  /**
   * A group: owner, admin, member and target (a second member) in it; the invitee holds a pending
   * invitation and the requester a pending join request (filed while the group was APPROVAL);
   * stranger and newcomer outside.
   */
  record World(String groupId, Map<Caller, String> users, String target, String newcomer) {}

  /** A group's stored state as a whole, bookkeeping included; empty when it no longer exists. */
  record Snapshot(Optional<StoredGroup> group, Optional<List<StoredMember>> members,
      List<StoredInvitation> invitations, List<StoredJoinRequest> requests) {}

  private static final Expect TOKEN_MISSING = new Expect(Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
  private static final Expect TOKEN_TYPE_INVALID = new Expect(Code.UNAUTHENTICATED, ErrorReason.TOKEN_TYPE_INVALID);
  private static final Expect SERVICE_ONLY =
      new Expect(Code.PERMISSION_DENIED, ErrorReason.SERVICE_CREDENTIAL_REQUIRED);
  private static final Expect NOT_FOUND = new Expect(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND);
  private static final Expect NOT_MEMBER = new Expect(Code.PERMISSION_DENIED, ErrorReason.NOT_GROUP_MEMBER);
  private static final Expect ROLE = new Expect(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT);
  private static final Expect ALREADY = new Expect(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER);
  private static final Expect INVITE_ONLY = new Expect(Code.PERMISSION_DENIED, ErrorReason.GROUP_INVITE_ONLY);
  private static final Expect NO_INVITATION = new Expect(Code.NOT_FOUND, ErrorReason.INVITATION_NOT_FOUND);
  private static final Expect NO_REQUEST = new Expect(Code.NOT_FOUND, ErrorReason.JOIN_REQUEST_NOT_FOUND);
  private static final Expect OK = Expect.OK;
  /** A non-member where membership is needed: the group stays secret unless it is public. */
  private static final PerPolicy OUTSIDER = new PerPolicy(NOT_FOUND, NOT_MEMBER, NOT_MEMBER);

  /** Every RPC, called the same way whoever calls. */
  private static final Map<String, BiFunction<GroupServiceBlockingStub, World, Message>> RPCS = new LinkedHashMap<>();

  static {
    RPCS.put("CreateGroup", (stub, w) -> stub.createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("another")).build()));
    RPCS.put("GetGroup", (stub, w) -> stub.getGroup(GetGroupRequest.newBuilder().setGroupId(w.groupId()).build()));
    RPCS.put("UpdateGroup", (stub, w) -> stub.updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(w.groupId()).setName("renamed")).build()));
    RPCS.put("DismissGroup", (stub, w) -> stub.dismissGroup(DismissGroupRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("ListMyGroups", (stub, w) -> stub.listMyGroups(ListMyGroupsRequest.getDefaultInstance()));
    RPCS.put("InviteMembers", (stub, w) -> stub.inviteMembers(InviteMembersRequest.newBuilder()
        .setGroupId(w.groupId()).addUserIds(w.newcomer()).build()));
    RPCS.put("JoinGroup", (stub, w) -> stub.joinGroup(JoinGroupRequest.newBuilder().setGroupId(w.groupId())
        .setMessage("hello").build()));
    RPCS.put("ListMyInvitations", (stub, w) -> stub.listMyInvitations(ListMyInvitationsRequest.getDefaultInstance()));
    RPCS.put("AcceptInvitation", (stub, w) -> stub.acceptInvitation(AcceptInvitationRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("DeclineInvitation", (stub, w) -> stub.declineInvitation(DeclineInvitationRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("ListGroupInvitations", (stub, w) -> stub.listGroupInvitations(ListGroupInvitationsRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("CancelInvitation", (stub, w) -> stub.cancelInvitation(CancelInvitationRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.users().get(Caller.INVITEE)).build()));
    RPCS.put("ListJoinRequests", (stub, w) -> stub.listJoinRequests(ListJoinRequestsRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("ApproveJoinRequest", (stub, w) -> stub.approveJoinRequest(ApproveJoinRequestRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.users().get(Caller.REQUESTER)).build()));
    RPCS.put("RejectJoinRequest", (stub, w) -> stub.rejectJoinRequest(RejectJoinRequestRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.users().get(Caller.REQUESTER)).build()));
    RPCS.put("CancelJoinRequest", (stub, w) -> stub.cancelJoinRequest(CancelJoinRequestRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("ListMyJoinRequests", (stub, w) -> stub.listMyJoinRequests(ListMyJoinRequestsRequest.getDefaultInstance()));
    RPCS.put("SetAnnouncement", (stub, w) -> stub.setAnnouncement(SetAnnouncementRequest.newBuilder()
        .setGroupId(w.groupId()).setText("news").build()));
    RPCS.put("LeaveGroup", (stub, w) -> stub.leaveGroup(LeaveGroupRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("RemoveMember", (stub, w) -> stub.removeMember(RemoveMemberRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.target()).build()));
    RPCS.put("SetMemberRole", (stub, w) -> stub.setMemberRole(SetMemberRoleRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.target()).setRole(GroupRole.ADMIN).build()));
    RPCS.put("TransferOwnership", (stub, w) -> stub.transferOwnership(TransferOwnershipRequest.newBuilder()
        .setGroupId(w.groupId()).setNewOwnerId(w.target()).build()));
    RPCS.put("MuteMember", (stub, w) -> stub.muteMember(MuteMemberRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.target())
        .setMuteUntil(Timestamps.fromMillis(GroupTestServer.START.toEpochMilli() + 3_600_000)).build()));
    RPCS.put("ListMembers", (stub, w) -> stub.listMembers(ListMembersRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("CheckMembership", (stub, w) -> stub.checkMembership(CheckMembershipRequest.newBuilder()
        .setGroupId(w.groupId()).setUserId(w.target()).build()));
    RPCS.put("ListMemberIds", (stub, w) -> stub.listMemberIds(ListMemberIdsRequest.newBuilder()
        .setGroupId(w.groupId()).build()));
    RPCS.put("ListUserGroups", (stub, w) -> stub.listUserGroups(ListUserGroupsRequest.newBuilder()
        .setUserId(w.target()).build()));
    RPCS.put("SharesGroup", (stub, w) -> stub.sharesGroup(SharesGroupRequest.newBuilder()
        .setUserIdA(w.target()).setUserIdB(w.target()).build()));
  }

  /** The RPCs that change the world's group when they succeed (CreateGroup makes another group). */
  private static final Set<String> CHANGING = Set.of("UpdateGroup", "DismissGroup", "InviteMembers", "JoinGroup",
      "AcceptInvitation", "DeclineInvitation", "CancelInvitation", "ApproveJoinRequest", "RejectJoinRequest",
      "CancelJoinRequest", "SetAnnouncement", "LeaveGroup", "RemoveMember", "SetMemberRole", "TransferOwnership",
      "MuteMember");

  private GroupTestServer server;
  /** Per policy, a world that no allowed change has touched yet, for the next case to use. */
  private final Map<JoinPolicy, World> untouched = new EnumMap<>(JoinPolicy.class);

  /** A server on the store under test; called once for the class. */
  GroupTestServer startServer() throws InterruptedException {
    return GroupTestServer.start();
  }

  @BeforeAll
  void start() throws InterruptedException {
    server = startServer();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /**
   * Rows: RPC, then what ANONYMOUS, SERVICE, STRANGER, INVITEE, REQUESTER, MEMBER, ADMIN and OWNER
   * get; a cell is an {@link Expect}, or a {@link PerPolicy} for INVITE_ONLY, OPEN and APPROVAL.
   */
  static Stream<Arguments> matrix() {
    Expect ownerCannotLeave = new Expect(Code.FAILED_PRECONDITION, ErrorReason.OWNER_CANNOT_LEAVE);
    Expect requestExists = new Expect(Code.ALREADY_EXISTS, ErrorReason.JOIN_REQUEST_EXISTS);
    PerPolicy visible = new PerPolicy(NOT_FOUND, OK, OK);
    PerPolicy noInvitation = new PerPolicy(NOT_FOUND, NO_INVITATION, NO_INVITATION);
    PerPolicy noRequest = new PerPolicy(NOT_FOUND, NO_REQUEST, NO_REQUEST);
    Object[][] rows = {
        // rpc, anonymous, service, stranger, invitee, requester, member, admin, owner
        {"CreateGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK, OK},
        {"GetGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, visible, OK, visible, OK, OK, OK},
        {"UpdateGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"DismissGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, ROLE, OK},
        {"ListMyGroups", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK, OK},
        {"InviteMembers", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"JoinGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, new PerPolicy(INVITE_ONLY, OK, OK), OK,
            new PerPolicy(INVITE_ONLY, OK, requestExists), ALREADY, ALREADY, ALREADY},
        {"ListMyInvitations", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK, OK},
        {"AcceptInvitation", TOKEN_MISSING, TOKEN_TYPE_INVALID, noInvitation, OK, noInvitation, ALREADY, ALREADY,
            ALREADY},
        {"DeclineInvitation", TOKEN_MISSING, TOKEN_TYPE_INVALID, noInvitation, OK, noInvitation, ALREADY, ALREADY,
            ALREADY},
        {"ListGroupInvitations", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"CancelInvitation", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"ListJoinRequests", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"ApproveJoinRequest", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"RejectJoinRequest", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"CancelJoinRequest", TOKEN_MISSING, TOKEN_TYPE_INVALID, noRequest, noRequest, OK, NO_REQUEST, NO_REQUEST,
            NO_REQUEST},
        {"ListMyJoinRequests", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK, OK},
        {"SetAnnouncement", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"LeaveGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, OK, OK, ownerCannotLeave},
        {"RemoveMember", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"SetMemberRole", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, ROLE, OK},
        {"TransferOwnership", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, ROLE, OK},
        {"MuteMember", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, ROLE, OK, OK},
        {"ListMembers", TOKEN_MISSING, TOKEN_TYPE_INVALID, OUTSIDER, OUTSIDER, OUTSIDER, OK, OK, OK},
        {"CheckMembership", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY,
            SERVICE_ONLY},
        {"ListMemberIds", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY,
            SERVICE_ONLY},
        {"ListUserGroups", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY,
            SERVICE_ONLY},
        {"SharesGroup", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY,
            SERVICE_ONLY},
    };
    List<Arguments> cases = new ArrayList<>();
    for (Object[] row : rows) {
      for (JoinPolicy policy : List.of(JoinPolicy.INVITE_ONLY, JoinPolicy.OPEN, JoinPolicy.APPROVAL)) {
        for (Caller caller : Caller.values()) {
          Object cell = row[1 + caller.ordinal()];
          Expect expect = cell instanceof PerPolicy perPolicy ? perPolicy.on(policy) : (Expect) cell;
          cases.add(Arguments.of(row[0], caller, policy, expect));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} as {1} on an {2} group: {3}")
  @MethodSource("matrix")
  void everyCallerGetsExactlyWhatTheMatrixSays(String rpc, Caller caller, JoinPolicy policy, Expect expect) {
    World world = untouched.containsKey(policy) ? untouched.remove(policy) : world(policy);
    Snapshot before = snapshot(world);
    GroupServiceBlockingStub stub = stub(caller, world);

    if (expect.ok()) {
      Message reply = RPCS.get(rpc).apply(stub, world);
      if (rpc.equals("ListMyGroups")) {
        boolean listed = ((ListMyGroupsResponse) reply).getGroupsList().stream()
            .anyMatch(g -> g.getGroupId().equals(world.groupId()));
        assertThat(listed).as("the group is listed for %s", caller)
            .isEqualTo(Set.of(Caller.MEMBER, Caller.ADMIN, Caller.OWNER).contains(caller));
      }
      if (rpc.equals("ListMyInvitations")) {
        boolean listed = ((ListMyInvitationsResponse) reply).getInvitationsList().stream()
            .anyMatch(i -> i.getGroupId().equals(world.groupId()));
        assertThat(listed).as("the invitation is listed for %s", caller).isEqualTo(caller == Caller.INVITEE);
      }
      if (rpc.equals("ListMyJoinRequests")) {
        boolean listed = ((ListMyJoinRequestsResponse) reply).getJoinRequestsList().stream()
            .anyMatch(r -> r.getGroupId().equals(world.groupId()));
        assertThat(listed).as("the request is listed for %s", caller).isEqualTo(caller == Caller.REQUESTER);
      }
      if (rpc.equals("ListUserGroups")) {
        assertThat(((ListUserGroupsResponse) reply).getGroupsList()).extracting(UserGroup::getGroupId)
            .as("the target's groups").containsExactly(world.groupId());
      }
    } else {
      assertStatus(expect.code(), expect.reason(), () -> RPCS.get(rpc).apply(stub, world));
    }

    Snapshot after = snapshot(world);
    if (expect.ok() && CHANGING.contains(rpc)) {
      assertThat(after).as("an allowed %s changes the group", rpc).isNotEqualTo(before);
    } else {
      assertThat(after).as("the group is unchanged").isEqualTo(before);
      untouched.put(policy, world);
    }
  }

  @Test
  void theMatrixCoversEveryMethodOfTheService() {
    Set<String> methods = GroupServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getBareMethodName).collect(Collectors.toSet());

    assertThat(RPCS.keySet()).containsExactlyInAnyOrderElementsOf(methods);
    assertThat(matrix().map(a -> a.get()[0]).collect(Collectors.toSet())).isEqualTo(methods);
    assertThat(matrix()).hasSize(methods.size() * Caller.values().length * 3);
  }

  /** Rows: RPC, caller, whose membership is the target, and the expected refusal. */
  static Stream<Arguments> equalOrHigherRanks() {
    return Stream.of(
        Arguments.of("RemoveMember", Caller.ADMIN, Caller.OWNER, ROLE),
        Arguments.of("RemoveMember", Caller.ADMIN, Caller.ADMIN, ROLE),
        Arguments.of("RemoveMember", Caller.OWNER, Caller.OWNER, ROLE),
        Arguments.of("RemoveMember", Caller.MEMBER, Caller.MEMBER, ROLE),
        Arguments.of("MuteMember", Caller.ADMIN, Caller.OWNER, ROLE),
        Arguments.of("MuteMember", Caller.ADMIN, Caller.ADMIN, ROLE),
        Arguments.of("MuteMember", Caller.OWNER, Caller.OWNER, ROLE),
        Arguments.of("SetMemberRole", Caller.OWNER, Caller.OWNER,
            new Expect(Code.FAILED_PRECONDITION, ErrorReason.FAILED_PRECONDITION)),
        Arguments.of("RemoveMember", Caller.OWNER, Caller.STRANGER,
            new Expect(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND)),
        Arguments.of("MuteMember", Caller.ADMIN, Caller.STRANGER,
            new Expect(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND)));
  }

  @ParameterizedTest(name = "{0} by {1} of the {2}: {3}")
  @MethodSource("equalOrHigherRanks")
  void nobodyActsOnAnEqualOrAHigherRank(String rpc, Caller caller, Caller target, Expect expect) {
    World base = world(JoinPolicy.INVITE_ONLY);
    World world = new World(base.groupId(), base.users(), base.users().get(target), base.newcomer());
    Snapshot before = snapshot(world);

    assertStatus(expect.code(), expect.reason(), () -> RPCS.get(rpc).apply(stub(caller, world), world));

    assertThat(snapshot(world)).isEqualTo(before);
  }

  @Test
  void theOwnerRemovesAndMutesAdmins() {
    World base = world(JoinPolicy.INVITE_ONLY);
    World world = new World(base.groupId(), base.users(), base.users().get(Caller.ADMIN), base.newcomer());

    Member muted = (Member) RPCS.get("MuteMember").apply(stub(Caller.OWNER, world), world);
    RPCS.get("RemoveMember").apply(stub(Caller.OWNER, world), world);

    assertThat(muted.hasMuteUntil()).isTrue();
    assertThat(snapshot(world).members().orElseThrow()).extracting(StoredMember::userId)
        .doesNotContain(world.target());
  }

  private World world(JoinPolicy policy) {
    Map<Caller, String> users = new EnumMap<>(Caller.class);
    for (Caller caller : List.of(Caller.STRANGER, Caller.INVITEE, Caller.REQUESTER, Caller.MEMBER, Caller.ADMIN,
        Caller.OWNER)) {
      users.put(caller, server.newUser());
    }
    String target = server.newUser();
    String owner = users.get(Caller.OWNER);
    Group group = server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("matrix").setJoinPolicy(JoinPolicy.APPROVAL))
        .addMemberIds(users.get(Caller.ADMIN)).addMemberIds(users.get(Caller.MEMBER)).addMemberIds(target)
        .addMemberIds(users.get(Caller.INVITEE))
        .build());
    String groupId = group.getGroupId();
    for (String member : List.of(users.get(Caller.ADMIN), users.get(Caller.MEMBER), target)) {
      server.as(member).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build());
    }
    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(groupId)
        .setUserId(users.get(Caller.ADMIN)).setRole(GroupRole.ADMIN).build());
    server.as(users.get(Caller.REQUESTER)).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
    if (policy != JoinPolicy.APPROVAL) {
      server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setGroupId(groupId).setJoinPolicy(policy)).build());
    }
    return new World(groupId, users, target, server.newUser());
  }

  private GroupServiceBlockingStub stub(Caller caller, World world) {
    return switch (caller) {
      case ANONYMOUS -> server.anonymous();
      case SERVICE -> server.asService("message-svc");
      default -> server.as(world.users().get(caller));
    };
  }

  private Snapshot snapshot(World world) {
    GroupStore store = server.module.store();
    return new Snapshot(store.find(world.groupId(), null).map(StoredMembership::group),
        store.members(world.groupId(), -1, 100), store.groupInvitations(world.groupId(), null, 100),
        store.groupJoinRequests(world.groupId(), null, 100));
  }
}
