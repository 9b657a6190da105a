package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static io.parley.group.GroupTestServer.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.ApproveJoinRequestRequest;
import io.parley.group.v1.CancelJoinRequestRequest;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinGroupResponse;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.JoinRequest;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListJoinRequestsRequest;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMyJoinRequestsRequest;
import io.parley.group.v1.Member;
import io.parley.group.v1.RejectJoinRequestRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.UpdateGroupRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The APPROVAL join policy (issue #14 "Groups"), through GroupService and the real interceptors,
 * on the memory store: the state machine of a join request (pending, approved, rejected with a
 * cooldown, withdrawn), who may answer, the member limit at approval, blocks between the requester
 * and the owner, the per-user limit, and what concurrent answers keep. {@link
 * PostgresJoinRequestsTest} runs the same on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JoinRequestsTest {
  static final int MAX_MEMBERS = 6;
  static final int MAX_PENDING = 3;
  static final Duration COOLDOWN = Duration.ofDays(1);

  GroupTestServer server;

  /** A server on the store under test, with {@code settings}; called once for the class. */
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, null);
  }

  @BeforeAll
  void start() throws InterruptedException {
    server = startServer(GroupTestServer.settings().withMaxMembers(MAX_MEMBERS)
        .withMaxPendingJoinRequests(MAX_PENDING).withRefusalCooldown(COOLDOWN));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  String user() {
    return server.newUser();
  }

  GroupServiceBlockingStub as(String userId) {
    return server.as(userId);
  }

  /** An APPROVAL group of {@code owner} with {@code admin} made an admin. */
  String approvalGroup(String owner, String admin) {
    String groupId = server.groupOf(owner, JoinPolicy.APPROVAL, admin).getGroupId();
    as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(groupId).setUserId(admin)
        .setRole(GroupRole.ADMIN).build());
    return groupId;
  }

  JoinGroupResponse ask(String groupId, String userId) {
    return as(userId).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).setMessage("hi, it's me").build());
  }

  Member approve(String groupId, String admin, String requester) {
    return as(admin).approveJoinRequest(ApproveJoinRequestRequest.newBuilder().setGroupId(groupId)
        .setUserId(requester).build());
  }

  void reject(String groupId, String admin, String requester) {
    as(admin).rejectJoinRequest(RejectJoinRequestRequest.newBuilder().setGroupId(groupId).setUserId(requester)
        .build());
  }

  List<String> requests(String groupId, String admin) {
    return as(admin).listJoinRequests(ListJoinRequestsRequest.newBuilder().setGroupId(groupId).build())
        .getJoinRequestsList().stream().map(JoinRequest::getUserId).toList();
  }

  List<String> myRequests(String userId) {
    return as(userId).listMyJoinRequests(ListMyJoinRequestsRequest.getDefaultInstance()).getJoinRequestsList()
        .stream().map(JoinRequest::getGroupId).toList();
  }

  boolean isMember(String groupId, String userId) {
    return server.asService("message-svc").checkMembership(CheckMembershipRequest.newBuilder().setGroupId(groupId)
        .setUserId(userId).build()).getMember();
  }

  int memberCount(String groupId, String member) {
    return as(member).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).build()).getMembersCount();
  }

  @Test
  void aRequestIsPendingUntilAnAdminApprovesAndTheRequesterJoinsWhenApproved() {
    String owner = user();
    String admin = user();
    String requester = user();
    String groupId = approvalGroup(owner, admin);
    long askedAt = server.clock.millis();

    assertThat(as(requester).getGroup(GetGroupRequest.newBuilder().setGroupId(groupId).build()).getJoinPolicy())
        .as("anyone sees an APPROVAL group").isEqualTo(JoinPolicy.APPROVAL);
    JoinGroupResponse asked = ask(groupId, requester);

    assertThat(asked.getUserId()).as("not a member yet").isEmpty();
    assertThat(asked.getJoinRequest().getUserId()).isEqualTo(requester);
    assertThat(asked.getJoinRequest().getMessage()).isEqualTo("hi, it's me");
    assertThat(Timestamps.toMillis(asked.getJoinRequest().getCreateTime())).isEqualTo(askedAt);
    assertThat(isMember(groupId, requester)).isFalse();
    assertThat(requests(groupId, admin)).containsExactly(requester);
    assertThat(as(requester).listMyJoinRequests(ListMyJoinRequestsRequest.getDefaultInstance()).getJoinRequestsList())
        .extracting(r -> r.getGroup().getGroupId(), JoinRequest::getMessage).containsExactly(
            tuple(groupId, "hi, it's me"));

    server.clock.advance(Duration.ofMinutes(5));
    Member joined = approve(groupId, admin, requester);

    assertThat(Timestamps.toMillis(joined.getJoinTime())).as("joined when approved").isEqualTo(server.clock.millis());
    assertThat(isMember(groupId, requester)).isTrue();
    assertThat(requests(groupId, admin)).isEmpty();
    assertThat(myRequests(requester)).isEmpty();
    assertStatus(Code.NOT_FOUND, ErrorReason.JOIN_REQUEST_NOT_FOUND, () -> approve(groupId, owner, requester));
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER, () -> ask(groupId, requester));
  }

  @Test
  void aRejectedRequesterMayNotAskAgainUntilTheCooldownEnds() {
    String owner = user();
    String admin = user();
    String requester = user();
    String groupId = approvalGroup(owner, admin);
    ask(groupId, requester);

    reject(groupId, admin, requester);

    long rejectedAt = server.clock.millis();
    assertThat(isMember(groupId, requester)).isFalse();
    assertThat(requests(groupId, admin)).isEmpty();
    assertThat(myRequests(requester)).isEmpty();
    assertStatus(Code.NOT_FOUND, ErrorReason.JOIN_REQUEST_NOT_FOUND, () -> approve(groupId, owner, requester));
    com.google.rpc.Status again = assertStatus(Code.FAILED_PRECONDITION, ErrorReason.JOIN_REQUEST_REJECTED,
        () -> ask(groupId, requester));
    assertThat(errorInfo(again).getMetadataMap())
        .containsEntry("retry_time", Instant.ofEpochMilli(rejectedAt).plus(COOLDOWN).toString());

    server.clock.advance(COOLDOWN);
    assertThat(ask(groupId, requester).hasJoinRequest()).isTrue();
    assertThat(requests(groupId, admin)).containsExactly(requester);
  }

  @Test
  void theRequesterWithdrawsItsRequestAndMayAskAgainAtOnce() {
    String owner = user();
    String admin = user();
    String requester = user();
    String groupId = approvalGroup(owner, admin);
    ask(groupId, requester);
    CancelJoinRequestRequest cancel = CancelJoinRequestRequest.newBuilder().setGroupId(groupId).build();

    as(requester).cancelJoinRequest(cancel);

    assertThat(requests(groupId, admin)).isEmpty();
    assertStatus(Code.NOT_FOUND, ErrorReason.JOIN_REQUEST_NOT_FOUND, () -> as(requester).cancelJoinRequest(cancel));
    assertStatus(Code.NOT_FOUND, ErrorReason.JOIN_REQUEST_NOT_FOUND, () -> reject(groupId, admin, requester));
    assertThat(ask(groupId, requester).hasJoinRequest()).isTrue();
  }

  @Test
  void aSecondRequestToTheSameGroupIsRefusedAndSoIsAMembersRequest() {
    String owner = user();
    String admin = user();
    String requester = user();
    String groupId = approvalGroup(owner, admin);
    ask(groupId, requester);

    assertStatus(Code.ALREADY_EXISTS, ErrorReason.JOIN_REQUEST_EXISTS, () -> ask(groupId, requester));
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER, () -> ask(groupId, admin));
    assertThat(requests(groupId, owner)).containsExactly(requester);
  }

  @Test
  void aUserHoldsAtMostTheLimitOfPendingRequests() {
    String requester = user();
    List<String> groups = new ArrayList<>();
    for (int i = 0; i <= MAX_PENDING; i++) {
      groups.add(approvalGroup(user(), user()));
    }
    for (String groupId : groups.subList(0, MAX_PENDING)) {
      ask(groupId, requester);
    }

    com.google.rpc.Status limit = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.JOIN_REQUEST_LIMIT,
        () -> ask(groups.get(MAX_PENDING), requester));

    assertThat(errorInfo(limit).getMetadataMap()).containsEntry("max_pending_join_requests",
        Integer.toString(MAX_PENDING));
    assertThat(limit.getMessage()).contains(Integer.toString(MAX_PENDING));
    as(requester).cancelJoinRequest(CancelJoinRequestRequest.newBuilder().setGroupId(groups.get(0)).build());
    assertThat(ask(groups.get(MAX_PENDING), requester).hasJoinRequest()).isTrue();
    assertThat(myRequests(requester)).hasSize(MAX_PENDING);
  }

  @Test
  void aUserAndTheOwnerWhoBlockEachOtherCannotAskAndAreNotToldWhoBlocks() {
    String owner = user();
    String admin = user();
    String blockedByOwner = user();
    String blockingOwner = user();
    String groupId = approvalGroup(owner, admin);
    server.friends.block(owner, blockedByOwner);
    server.friends.block(blockingOwner, owner);

    com.google.rpc.Status one = assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED,
        () -> ask(groupId, blockedByOwner));
    com.google.rpc.Status other = assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED,
        () -> ask(groupId, blockingOwner));

    assertThat(one.getMessage()).isEqualTo(other.getMessage());
    assertThat(requests(groupId, admin)).isEmpty();
  }

  @Test
  void approvingIntoAFullGroupFailsGroupFullAndKeepsTheRequest() {
    String owner = user();
    String admin = user();
    String groupId = approvalGroup(owner, admin);
    List<String> requesters = List.of(user(), user(), user(), user(), user());
    for (String requester : requesters) {
      ask(groupId, requester);
    }
    for (String requester : requesters.subList(0, MAX_MEMBERS - 2)) {
      approve(groupId, admin, requester);
    }
    String late = requesters.get(MAX_MEMBERS - 2);

    assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_FULL, () -> approve(groupId, admin, late));

    assertThat(requests(groupId, admin)).containsExactly(late);
    as(requesters.get(0)).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(groupId).build());
    approve(groupId, owner, late);
    assertThat(memberCount(groupId, owner)).isEqualTo(MAX_MEMBERS);
  }

  @Test
  void anOpenGroupIsJoinedAtOnceAnInviteOnlyOneTakesNoRequestsAndAPolicyChangeKeepsPendingOnes() {
    String owner = user();
    String admin = user();
    String requester = user();
    String stranger = user();
    String groupId = approvalGroup(owner, admin);
    ask(groupId, requester);

    as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(groupId).setJoinPolicy(JoinPolicy.INVITE_ONLY)).build());
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_INVITE_ONLY, () -> ask(groupId, stranger));
    assertThat(requests(groupId, admin)).as("kept for the admins to answer").containsExactly(requester);

    as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(groupId).setJoinPolicy(JoinPolicy.OPEN)).build());
    assertThat(ask(groupId, requester).getUserId()).as("an OPEN group is joined at once").isEqualTo(requester);
    assertThat(requests(groupId, admin)).isEmpty();
    assertThat(ask(groupId, stranger).hasJoinRequest()).isFalse();
    assertThat(isMember(groupId, stranger)).isTrue();
  }

  @Test
  void invitingAUserWhoAskedAddsThemAtOnce() {
    String owner = user();
    String admin = user();
    String requester = user();
    String groupId = approvalGroup(owner, admin);
    ask(groupId, requester);

    assertThat(as(admin).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId).addUserIds(requester)
        .build()).getAddedList()).extracting(Member::getUserId).containsExactly(requester);

    assertThat(isMember(groupId, requester)).isTrue();
    assertThat(requests(groupId, admin)).isEmpty();
  }

  /** Admins answer the same requests at once, approving or rejecting: each request is answered exactly once. */
  @Test
  void adminsAnsweringTheSameRequestAtOnceAnswerItOnce() throws Exception {
    String owner = user();
    String admin = user();
    String groupId = approvalGroup(owner, admin);
    List<String> requesters = List.of(user(), user(), user());
    for (String requester : requesters) {
      ask(groupId, requester);
    }

    for (String requester : requesters) {
      List<String> outcomes = GroupTestServer.race(List.of(
          () -> {
            approve(groupId, owner, requester);
            return "OK";
          },
          () -> {
            approve(groupId, admin, requester);
            return "OK";
          },
          () -> {
            reject(groupId, admin, requester);
            return "OK";
          }));
      assertThat(outcomes).filteredOn("OK"::equals).hasSize(1);
      assertThat(outcomes).filteredOn(ErrorReason.JOIN_REQUEST_NOT_FOUND.name()::equals).hasSize(2);
    }

    assertThat(requests(groupId, owner)).isEmpty();
    int joined = (int) requesters.stream().filter(r -> isMember(groupId, r)).count();
    assertThat(memberCount(groupId, owner)).isEqualTo(2 + joined);
  }

  /** Admins approve more requests than there are seats, at once: exactly as many as fit join. */
  @Test
  void approvalsRacingForTheLastSeatsAdmitExactlyAsManyAsFit() throws Exception {
    String owner = user();
    String admin = user();
    String groupId = approvalGroup(owner, admin);
    List<String> requesters = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String requester = user();
      ask(groupId, requester);
      requesters.add(requester);
    }

    List<String> outcomes = GroupTestServer.race(requesters.stream().<Callable<String>>map(r -> () -> {
      approve(groupId, r.hashCode() % 2 == 0 ? owner : admin, r);
      return "OK";
    }).toList());

    assertThat(outcomes).filteredOn("OK"::equals).hasSize(MAX_MEMBERS - 2);
    assertThat(outcomes).filteredOn(ErrorReason.GROUP_FULL.name()::equals).hasSize(requesters.size() - MAX_MEMBERS + 2);
    assertThat(memberCount(groupId, owner)).isEqualTo(MAX_MEMBERS);
    assertThat(requests(groupId, owner)).hasSize(requesters.size() - MAX_MEMBERS + 2);
  }
}
