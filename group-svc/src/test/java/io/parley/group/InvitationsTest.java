package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static io.parley.group.GroupTestServer.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.CancelInvitationRequest;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.DeclineInvitationRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.InviteMembersResponse;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListGroupInvitationsRequest;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListMyInvitationsRequest;
import io.parley.group.v1.Member;
import io.parley.group.v1.TransferOwnershipRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Invitations the invitee accepts (issues #13 "Consent" and #14 "Groups"), through GroupService
 * and the real interceptors, on the memory store: the state machine (pending, accepted, declined
 * with a cooldown, cancelled), blocks, the per-user limits (pending invitations, owned groups), the
 * member limit at acceptance, friends added directly where the settings say so, and the invariants
 * that concurrent accepts, invitations and creations keep. {@link PostgresInvitationsTest} runs the
 * same on PostgreSQL. Every test makes its own users and groups.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvitationsTest {
  static final int MAX_MEMBERS = 6;
  static final int MAX_OWNED = 3;
  static final int MAX_PENDING = 3;
  static final Duration COOLDOWN = Duration.ofDays(1);
  static final GroupSettings SETTINGS = GroupTestServer.settings().withMaxMembers(MAX_MEMBERS)
      .withMaxOwnedGroups(MAX_OWNED).withMaxPendingInvitations(MAX_PENDING).withRefusalCooldown(COOLDOWN);

  GroupTestServer server;
  /** The same, but friends add each other directly. */
  GroupTestServer friendly;

  /** A server on the store under test, with {@code settings}; called twice for the class. */
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, null);
  }

  @BeforeAll
  void start() throws InterruptedException {
    server = startServer(SETTINGS);
    friendly = startServer(SETTINGS.withFriendsAddDirectly(true));
  }

  @AfterAll
  void stop() {
    server.close();
    friendly.close();
  }

  String user() {
    return server.newUser();
  }

  GroupServiceBlockingStub as(String userId) {
    return server.as(userId);
  }

  String group(String owner, JoinPolicy policy, String... members) {
    return server.groupOf(owner, policy, members).getGroupId();
  }

  InviteMembersResponse invite(String groupId, String actor, String... userIds) {
    return as(actor).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId)
        .addAllUserIds(List.of(userIds)).build());
  }

  Member accept(String groupId, String userId) {
    return as(userId).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build());
  }

  void decline(String groupId, String userId) {
    as(userId).declineInvitation(DeclineInvitationRequest.newBuilder().setGroupId(groupId).build());
  }

  List<String> myInvitations(String userId) {
    return as(userId).listMyInvitations(ListMyInvitationsRequest.getDefaultInstance()).getInvitationsList().stream()
        .map(Invitation::getGroupId).toList();
  }

  List<String> groupInvitations(String groupId, String admin) {
    return as(admin).listGroupInvitations(ListGroupInvitationsRequest.newBuilder().setGroupId(groupId).build())
        .getInvitationsList().stream().map(Invitation::getInviteeId).toList();
  }

  List<String> memberIds(String groupId, String member) {
    return as(member).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).build()).getMembersList()
        .stream().map(Member::getUserId).toList();
  }

  boolean isMember(GroupTestServer on, String groupId, String userId) {
    return on.asService("message-svc").checkMembership(CheckMembershipRequest.newBuilder().setGroupId(groupId)
        .setUserId(userId).build()).getMember();
  }

  @Test
  void anInvitationIsPendingUntilTheInviteeAcceptsAndTheInviteeJoinsWhenAccepting() {
    String owner = user();
    String invitee = user();
    String groupId = group(owner, JoinPolicy.INVITE_ONLY);
    long invitedAt = server.clock.millis();

    InviteMembersResponse invited = invite(groupId, owner, invitee);

    assertThat(invited.getInvitedList()).extracting(Invitation::getInviteeId).containsExactly(invitee);
    assertThat(Timestamps.toMillis(invited.getInvited(0).getCreateTime())).isEqualTo(invitedAt);
    assertThat(isMember(server, groupId, invitee)).isFalse();
    assertThat(myInvitations(invitee)).containsExactly(groupId);
    assertThat(groupInvitations(groupId, owner)).containsExactly(invitee);
    assertThat(as(invitee).getGroup(GetGroupRequest.newBuilder().setGroupId(groupId).build()).getName())
        .as("an invitee sees what it is invited to").isEqualTo("team");
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND,
        () -> as(invitee).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).build()));

    server.clock.advance(Duration.ofHours(1));
    Member joined = accept(groupId, invitee);

    assertThat(Timestamps.toMillis(joined.getJoinTime())).isEqualTo(server.clock.millis());
    assertThat(isMember(server, groupId, invitee)).isTrue();
    assertThat(memberIds(groupId, invitee)).containsExactly(owner, invitee);
    assertThat(myInvitations(invitee)).isEmpty();
    assertThat(groupInvitations(groupId, owner)).isEmpty();
    assertThat(as(invitee).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList())
        .extracting(Group::getGroupId).containsExactly(groupId);
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER, () -> accept(groupId, invitee));
    assertThat(invite(groupId, owner, invitee).getAlreadyMembersList()).containsExactly(invitee);
  }

  /** Regression (#13 item 2): a group's creator put users in it without their consent. */
  @Test
  void creatingAGroupWithOthersMakesNobodyAMemberWithoutAccepting() {
    String owner = user();
    String bob = user();

    Group group = as(owner).createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("g"))
        .addMemberIds(bob).build());

    assertThat(group.getMemberCount()).isEqualTo(1);
    assertThat(isMember(server, group.getGroupId(), bob)).isFalse();
    assertThat(myInvitations(bob)).containsExactly(group.getGroupId());
  }

  /** Regression (#13 item 2): a user whom bob blocked created a group with bob in it and messaged him there. */
  @Test
  void aUserBobBlockedCannotPutBobInAGroupNorInviteHimAndIsNotToldWhoBlocks() {
    String bob = user();
    String blocked = user();
    String blocker = user();
    String fine = user();
    server.friends.block(bob, blocked);
    server.friends.block(blocker, bob);

    com.google.rpc.Status created = assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED,
        () -> as(blocked).createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("g"))
            .addMemberIds(fine).addMemberIds(bob).build()));
    assertThat(errorInfo(created).getMetadataMap()).containsEntry("user_ids", bob);
    assertThat(as(blocked).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList()).isEmpty();
    assertThat(myInvitations(fine)).as("all or nothing").isEmpty();

    String groupId = group(blocked, JoinPolicy.INVITE_ONLY);
    com.google.rpc.Status byBlocked = assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED,
        () -> invite(groupId, blocked, fine, bob));
    String blockersGroup = group(blocker, JoinPolicy.INVITE_ONLY);
    com.google.rpc.Status byBlocker = assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED,
        () -> invite(blockersGroup, blocker, bob));

    assertThat(byBlocked.getMessage()).isEqualTo(byBlocker.getMessage()).contains(bob).contains("one of you");
    assertThat(myInvitations(bob)).isEmpty();
    assertThat(myInvitations(fine)).isEmpty();
    assertThat(server.friends.asked()).contains(blocked + " " + bob, blocker + " " + bob);
  }

  @Test
  void aDeclinedInvitationKeepsTheGroupFromInvitingAgainUntilTheCooldownEnds() {
    String owner = user();
    String invitee = user();
    String groupId = group(owner, JoinPolicy.INVITE_ONLY);
    invite(groupId, owner, invitee);

    decline(groupId, invitee);

    long declinedAt = server.clock.millis();
    assertThat(myInvitations(invitee)).isEmpty();
    assertThat(groupInvitations(groupId, owner)).isEmpty();
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND,
        () -> as(invitee).getGroup(GetGroupRequest.newBuilder().setGroupId(groupId).build()));
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> accept(groupId, invitee));
    com.google.rpc.Status again = assertStatus(Code.FAILED_PRECONDITION, ErrorReason.INVITATION_DECLINED,
        () -> invite(groupId, owner, invitee));
    assertThat(errorInfo(again).getMetadataMap()).containsEntry("user_ids", invitee)
        .containsEntry("retry_time", java.time.Instant.ofEpochMilli(declinedAt).plus(COOLDOWN).toString());

    server.clock.advance(COOLDOWN.minusMillis(1));
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.INVITATION_DECLINED, () -> invite(groupId, owner, invitee));
    server.clock.advance(Duration.ofMillis(1));
    assertThat(invite(groupId, owner, invitee).getInvitedList()).extracting(Invitation::getInviteeId)
        .containsExactly(invitee);
    assertThat(accept(groupId, invitee).getUserId()).isEqualTo(invitee);
  }

  @Test
  void anAdminCancelsAPendingInvitationAndTheInviteeCanNoLongerAnswerIt() {
    String owner = user();
    String invitee = user();
    String groupId = group(owner, JoinPolicy.OPEN);
    invite(groupId, owner, invitee);
    CancelInvitationRequest cancel = CancelInvitationRequest.newBuilder().setGroupId(groupId).setUserId(invitee)
        .build();

    as(owner).cancelInvitation(cancel);

    assertThat(myInvitations(invitee)).isEmpty();
    assertStatus(Code.NOT_FOUND, ErrorReason.INVITATION_NOT_FOUND, () -> accept(groupId, invitee));
    assertStatus(Code.NOT_FOUND, ErrorReason.INVITATION_NOT_FOUND, () -> decline(groupId, invitee));
    assertStatus(Code.NOT_FOUND, ErrorReason.INVITATION_NOT_FOUND, () -> as(owner).cancelInvitation(cancel));
    assertThat(invite(groupId, owner, invitee).getInvitedCount()).as("no cooldown after a cancel").isEqualTo(1);
  }

  @Test
  void anInviteeHoldsAtMostTheLimitOfPendingInvitationsFromAllGroupsAndMakesRoomByAnswering() {
    String invitee = user();
    String other = user();
    List<String> groups = new ArrayList<>();
    for (int i = 0; i <= MAX_PENDING; i++) {
      groups.add(group(user(), JoinPolicy.INVITE_ONLY));
    }
    for (int i = 0; i < MAX_PENDING; i++) {
      String groupId = groups.get(i);
      invite(groupId, server.module.store().find(groupId, null).orElseThrow().group().ownerId(), invitee);
    }
    String last = groups.get(MAX_PENDING);
    String lastOwner = server.module.store().find(last, null).orElseThrow().group().ownerId();

    com.google.rpc.Status full = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.INVITATION_LIMIT,
        () -> invite(last, lastOwner, other, invitee));

    assertThat(errorInfo(full).getMetadataMap()).containsEntry("user_ids", invitee)
        .containsEntry("max_pending_invitations", Integer.toString(MAX_PENDING));
    assertThat(full.getMessage()).contains(Integer.toString(MAX_PENDING));
    assertThat(myInvitations(other)).as("all or nothing").isEmpty();
    decline(groups.get(0), invitee);
    assertThat(invite(last, lastOwner, other, invitee).getInvitedCount()).isEqualTo(2);
    assertThat(myInvitations(invitee)).hasSize(MAX_PENDING);
  }

  @Test
  void aUserOwnsAtMostTheLimitOfGroupsWhetherCreatingOrReceivingOwnership() {
    String owner = user();
    List<String> owned = new ArrayList<>();
    for (int i = 0; i < MAX_OWNED; i++) {
      owned.add(group(owner, JoinPolicy.INVITE_ONLY));
    }

    com.google.rpc.Status limit = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_OWNED_LIMIT,
        () -> group(owner, JoinPolicy.OPEN));
    assertThat(errorInfo(limit).getMetadataMap()).containsEntry("max_owned_groups", Integer.toString(MAX_OWNED));
    assertThat(limit.getMessage()).contains(Integer.toString(MAX_OWNED));
    assertThat(as(owner).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsCount()).isEqualTo(MAX_OWNED);

    String giver = user();
    String groupId = group(giver, JoinPolicy.INVITE_ONLY, owner);
    assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_OWNED_LIMIT,
        () -> as(giver).transferOwnership(TransferOwnershipRequest.newBuilder().setGroupId(groupId)
            .setNewOwnerId(owner).build()));

    as(owner).dismissGroup(DismissGroupRequest.newBuilder().setGroupId(owned.get(0)).build());
    assertThat(as(giver).transferOwnership(TransferOwnershipRequest.newBuilder().setGroupId(groupId)
        .setNewOwnerId(owner).build()).getOwnerId()).isEqualTo(owner);
    assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_OWNED_LIMIT, () -> group(owner, JoinPolicy.OPEN));
  }

  @Test
  void acceptingAFullGroupFailsGroupFullAndKeepsTheInvitationForLater() {
    String owner = user();
    List<String> invitees = List.of(user(), user(), user(), user(), user(), user());
    String groupId = group(owner, JoinPolicy.INVITE_ONLY);
    invite(groupId, owner, invitees.toArray(String[]::new));
    for (String invitee : invitees.subList(0, MAX_MEMBERS - 1)) {
      accept(groupId, invitee);
    }
    String late = invitees.get(MAX_MEMBERS - 1);

    com.google.rpc.Status full = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_FULL,
        () -> accept(groupId, late));

    assertThat(errorInfo(full).getMetadataMap()).containsEntry("max_members", Integer.toString(MAX_MEMBERS));
    assertThat(myInvitations(late)).containsExactly(groupId);
    as(invitees.get(0)).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(groupId).build());
    assertThat(accept(groupId, late).getUserId()).isEqualTo(late);
    assertThat(memberIds(groupId, owner)).hasSize(MAX_MEMBERS).contains(late);
  }

  @Test
  void joinGroupAcceptsAPendingInvitationToAGroupOfAnyPolicy() {
    String owner = user();
    String invitee = user();
    String groupId = group(owner, JoinPolicy.INVITE_ONLY);
    invite(groupId, owner, invitee);

    assertThat(as(invitee).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build()).getUserId())
        .isEqualTo(invitee);

    assertThat(isMember(server, groupId, invitee)).isTrue();
    assertThat(myInvitations(invitee)).isEmpty();
  }

  @Test
  void byDefaultAFriendIsInvitedLikeAnyoneElse() {
    String owner = user();
    String friend = user();
    server.friends.befriend(owner, friend);
    String groupId = group(owner, JoinPolicy.INVITE_ONLY);

    InviteMembersResponse response = invite(groupId, owner, friend);

    assertThat(response.getAddedList()).isEmpty();
    assertThat(response.getInvitedList()).extracting(Invitation::getInviteeId).containsExactly(friend);
    assertThat(isMember(server, groupId, friend)).isFalse();
  }

  @Test
  void whereFriendsAddEachOtherDirectlyAFriendIsAddedAtOnceAndOthersAreInvited() {
    String owner = friendly.newUser();
    String friend = friendly.newUser();
    String stranger = friendly.newUser();
    friendly.friends.befriend(owner, friend);

    Group group = friendly.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName("friends")).addMemberIds(friend).addMemberIds(stranger).build());

    assertThat(group.getMemberCount()).isEqualTo(2);
    assertThat(isMember(friendly, group.getGroupId(), friend)).isTrue();
    assertThat(isMember(friendly, group.getGroupId(), stranger)).isFalse();
    assertThat(friendly.as(stranger).listMyInvitations(ListMyInvitationsRequest.getDefaultInstance())
        .getInvitationsList()).extracting(Invitation::getGroupId).containsExactly(group.getGroupId());

    List<String> friends = new ArrayList<>();
    for (int i = 0; i < MAX_MEMBERS - 1; i++) {
      String another = friendly.newUser();
      friendly.friends.befriend(owner, another);
      friends.add(another);
    }
    assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_FULL, () -> friendly.as(owner).inviteMembers(
        InviteMembersRequest.newBuilder().setGroupId(group.getGroupId()).addAllUserIds(friends).build()));
    assertThat(friendly.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
        .addAllUserIds(friends.subList(0, MAX_MEMBERS - 2)).build()).getAddedCount()).isEqualTo(MAX_MEMBERS - 2);
  }

  /**
   * More invitees than seats accept at once: exactly as many as fit join, the others are refused
   * GROUP_FULL and keep their invitations, and the group stays within its limit.
   */
  @Test
  void acceptsRacingForTheLastSeatsAdmitExactlyAsManyAsFit() throws Exception {
    String owner = user();
    String member = user();
    String groupId = group(owner, JoinPolicy.INVITE_ONLY, member);
    List<String> invitees = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      invitees.add(user());
    }
    invite(groupId, owner, invitees.toArray(String[]::new));
    int seats = MAX_MEMBERS - 2;

    List<String> outcomes = GroupTestServer.race(invitees.stream().<Callable<String>>map(invitee -> () -> {
      accept(groupId, invitee);
      return "OK";
    }).toList());

    assertThat(outcomes).filteredOn("OK"::equals).hasSize(seats);
    assertThat(outcomes).filteredOn(ErrorReason.GROUP_FULL.name()::equals).hasSize(invitees.size() - seats);
    assertThat(memberIds(groupId, owner)).hasSize(MAX_MEMBERS);
    assertThat(as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId(groupId).build()).getMemberCount())
        .isEqualTo(MAX_MEMBERS);
    assertThat(groupInvitations(groupId, owner)).hasSize(invitees.size() - seats);
  }

  /** Groups invite one user at once: the user never holds more pending invitations than the limit. */
  @Test
  void invitationsRacingFromManyGroupsNeverExceedTheInviteesLimit() throws Exception {
    String invitee = user();
    List<String[]> groups = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String owner = user();
      groups.add(new String[] {group(owner, JoinPolicy.INVITE_ONLY), owner});
    }

    List<String> outcomes = GroupTestServer.race(groups.stream().<Callable<String>>map(g -> () -> {
      invite(g[0], g[1], invitee);
      return "OK";
    }).toList());

    assertThat(outcomes).filteredOn("OK"::equals).hasSize(MAX_PENDING);
    assertThat(outcomes).filteredOn(ErrorReason.INVITATION_LIMIT.name()::equals).hasSize(groups.size() - MAX_PENDING);
    assertThat(myInvitations(invitee)).hasSize(MAX_PENDING);
  }

  /** One user creates groups at once: never more than the limit exist. */
  @Test
  void creationsRacingNeverExceedTheOwnedLimit() throws Exception {
    String owner = user();
    List<Callable<String>> creations = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      creations.add(() -> {
        group(owner, JoinPolicy.INVITE_ONLY);
        return "OK";
      });
    }

    List<String> outcomes = GroupTestServer.race(creations);

    assertThat(outcomes).filteredOn("OK"::equals).hasSize(MAX_OWNED);
    assertThat(outcomes).filteredOn(ErrorReason.GROUP_OWNED_LIMIT.name()::equals).hasSize(8 - MAX_OWNED);
    assertThat(as(owner).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsCount()).isEqualTo(MAX_OWNED);
  }
}
