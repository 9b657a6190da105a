package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CreateGroupRequest;
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
import io.parley.group.v1.ListMemberIdsRequest;
import io.parley.group.v1.ListMembersRequest;
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
 * INVITE_ONLY and on an OPEN group, answers exactly the status code and {@code ErrorInfo} reason
 * the matrix says, and changes the group if and only if it is allowed to. Each case runs on a fresh
 * group, through the real interceptors, on the memory store; {@link
 * PostgresGroupGrpcServiceAuthorizationTest} runs the same matrix on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupGrpcServiceAuthorizationTest {
  /** Who calls. */
  enum Caller { ANONYMOUS, SERVICE, STRANGER, MEMBER, ADMIN, OWNER }

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

  /** A fresh group: owner, admin, member and target (a second member) in it; stranger and newcomer outside. */
  record World(String groupId, Map<Caller, String> users, String target, String newcomer) {}

  /** A group's stored state as a whole, bookkeeping included; empty when it no longer exists. */
  record Snapshot(Optional<StoredGroup> group, Optional<List<StoredMember>> members) {}

  private static final Expect TOKEN_MISSING = new Expect(Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
  private static final Expect TOKEN_TYPE_INVALID = new Expect(Code.UNAUTHENTICATED, ErrorReason.TOKEN_TYPE_INVALID);
  private static final Expect SERVICE_ONLY =
      new Expect(Code.PERMISSION_DENIED, ErrorReason.SERVICE_CREDENTIAL_REQUIRED);
  private static final Expect NOT_FOUND = new Expect(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND);
  private static final Expect NOT_MEMBER = new Expect(Code.PERMISSION_DENIED, ErrorReason.NOT_GROUP_MEMBER);
  private static final Expect ROLE = new Expect(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT);
  private static final Expect OK = Expect.OK;

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
    RPCS.put("JoinGroup", (stub, w) -> stub.joinGroup(JoinGroupRequest.newBuilder().setGroupId(w.groupId()).build()));
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
  }

  /** The RPCs that change the world's group when they succeed (CreateGroup makes another group). */
  private static final Set<String> CHANGING = Set.of("UpdateGroup", "DismissGroup", "InviteMembers", "JoinGroup",
      "LeaveGroup", "RemoveMember", "SetMemberRole", "TransferOwnership", "MuteMember");

  private GroupTestServer server;

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

  /** Rows: RPC, then what ANONYMOUS, SERVICE, STRANGER, MEMBER, ADMIN and OWNER get, on INVITE_ONLY then OPEN. */
  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    Expect already = new Expect(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER);
    Expect inviteOnly = new Expect(Code.PERMISSION_DENIED, ErrorReason.GROUP_INVITE_ONLY);
    Expect ownerCannotLeave = new Expect(Code.FAILED_PRECONDITION, ErrorReason.OWNER_CANNOT_LEAVE);
    Object[][] rows = {
        // rpc, anonymous, service, stranger (invite-only / open), member, admin, owner
        {"CreateGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK},
        {"GetGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, OK, OK, OK, OK},
        {"UpdateGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, OK, OK},
        {"DismissGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, ROLE, OK},
        {"ListMyGroups", TOKEN_MISSING, TOKEN_TYPE_INVALID, OK, OK, OK, OK, OK},
        {"InviteMembers", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, OK, OK},
        {"JoinGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, inviteOnly, OK, already, already, already},
        {"LeaveGroup", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, OK, OK, ownerCannotLeave},
        {"RemoveMember", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, OK, OK},
        {"SetMemberRole", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, ROLE, OK},
        {"TransferOwnership", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, ROLE, OK},
        {"MuteMember", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, ROLE, OK, OK},
        {"ListMembers", TOKEN_MISSING, TOKEN_TYPE_INVALID, NOT_FOUND, NOT_MEMBER, OK, OK, OK},
        {"CheckMembership", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY},
        {"ListMemberIds", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY},
        {"ListUserGroups", TOKEN_MISSING, OK, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY, SERVICE_ONLY},
    };
    for (Object[] row : rows) {
      String rpc = (String) row[0];
      for (JoinPolicy policy : List.of(JoinPolicy.INVITE_ONLY, JoinPolicy.OPEN)) {
        cases.add(Arguments.of(rpc, Caller.ANONYMOUS, policy, row[1]));
        cases.add(Arguments.of(rpc, Caller.SERVICE, policy, row[2]));
        cases.add(Arguments.of(rpc, Caller.STRANGER, policy, policy == JoinPolicy.OPEN ? row[4] : row[3]));
        cases.add(Arguments.of(rpc, Caller.MEMBER, policy, row[5]));
        cases.add(Arguments.of(rpc, Caller.ADMIN, policy, row[6]));
        cases.add(Arguments.of(rpc, Caller.OWNER, policy, row[7]));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} as {1} on an {2} group: {3}")
  @MethodSource("matrix")
  void everyCallerGetsExactlyWhatTheMatrixSays(String rpc, Caller caller, JoinPolicy policy, Expect expect) {
    World world = world(policy);
    Snapshot before = snapshot(world);
    GroupServiceBlockingStub stub = stub(caller, world);

    if (expect.ok()) {
      Message reply = RPCS.get(rpc).apply(stub, world);
      if (rpc.equals("ListMyGroups")) {
        boolean listed = ((ListMyGroupsResponse) reply).getGroupsList().stream()
            .anyMatch(g -> g.getGroupId().equals(world.groupId()));
        assertThat(listed).as("the group is listed for %s", caller).isEqualTo(caller != Caller.STRANGER);
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
    }
  }

  @Test
  void theMatrixCoversEveryMethodOfTheService() {
    Set<String> methods = GroupServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getBareMethodName).collect(Collectors.toSet());

    assertThat(RPCS.keySet()).containsExactlyInAnyOrderElementsOf(methods);
    assertThat(matrix().map(a -> a.get()[0]).collect(Collectors.toSet())).isEqualTo(methods);
    assertThat(matrix()).hasSize(methods.size() * Caller.values().length * 2);
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
    for (Caller caller : List.of(Caller.STRANGER, Caller.MEMBER, Caller.ADMIN, Caller.OWNER)) {
      users.put(caller, server.newUser());
    }
    String target = server.newUser();
    String owner = users.get(Caller.OWNER);
    Group group = server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("matrix").setJoinPolicy(policy))
        .addMemberIds(users.get(Caller.ADMIN)).addMemberIds(users.get(Caller.MEMBER)).addMemberIds(target)
        .build());
    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(group.getGroupId())
        .setUserId(users.get(Caller.ADMIN)).setRole(GroupRole.ADMIN).build());
    return new World(group.getGroupId(), users, target, server.newUser());
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
        store.members(world.groupId(), -1, 100));
  }
}
