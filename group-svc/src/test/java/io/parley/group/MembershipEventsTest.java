package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.DeclineInvitationRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UpdateGroupRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every change to a member publishes {@code "<groupId> <userId>"} on parley.group.membership, a dismissal {@code "<groupId> *"}. */
class MembershipEventsTest {
  private GroupTestServer server;
  private String owner;
  private String a;
  private String b;
  private String groupId;

  @BeforeEach
  void start() throws InterruptedException {
    server = GroupTestServer.start();
    owner = server.newUser();
    a = server.newUser();
    b = server.newUser();
    groupId = server.groupOf(owner, JoinPolicy.OPEN, a, b).getGroupId();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String event(String userId) {
    return groupId + " " + userId;
  }

  @Test
  void creatingAGroupAndAcceptingInvitationsAnnounceEachNewMember() {
    assertThat(server.takeEvents()).containsExactly(event(owner), event(a), event(b));
    assertThat(MembershipEvents.payload(groupId, a)).isEqualTo(event(a));
  }

  @Test
  void joiningInvitingLeavingAndRemovingAnnounceTheMemberConcerned() {
    server.takeEvents();
    String joiner = server.newUser();
    String invited = server.newUser();

    server.as(joiner).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
    server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId)
        .addUserIds(invited).addUserIds(a).build());
    server.as(invited).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build());
    server.as(joiner).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(groupId).build());
    server.as(owner).removeMember(RemoveMemberRequest.newBuilder().setGroupId(groupId).setUserId(b).build());

    assertThat(server.takeEvents()).containsExactly(event(joiner), event(invited), event(joiner), event(b));
  }

  @Test
  void roleChangesTransfersAndMutesAnnounceEveryMemberConcerned() {
    server.takeEvents();

    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(groupId).setUserId(a)
        .setRole(GroupRole.ADMIN).build());
    server.as(a).muteMember(MuteMemberRequest.newBuilder().setGroupId(groupId).setUserId(b)
        .setMuteUntil(Timestamps.fromMillis(server.clock.millis() + 60_000)).build());
    server.as(a).muteMember(MuteMemberRequest.newBuilder().setGroupId(groupId).setUserId(b).build());
    server.as(owner).transferOwnership(TransferOwnershipRequest.newBuilder().setGroupId(groupId)
        .setNewOwnerId(b).build());

    assertThat(server.takeEvents()).containsExactly(event(a), event(b), event(b), event(owner), event(b));
  }

  @Test
  void dismissingAnnouncesEachMemberThenTheWholeGroup() {
    server.takeEvents();

    server.as(owner).dismissGroup(DismissGroupRequest.newBuilder().setGroupId(groupId).build());

    List<String> events = server.takeEvents();
    assertThat(events).hasSize(4).endsWith(groupId + " *");
    assertThat(events.subList(0, 3)).containsExactlyInAnyOrder(groupId + " " + owner, groupId + " " + a,
        groupId + " " + b);
  }

  @Test
  void groupFieldsInvitationsAndRefusedCallsAnnounceNothing() {
    server.takeEvents();
    String invitee = server.newUser();

    server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(groupId).setName("renamed")).build());
    server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(groupId).setText("hi").build());
    server.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId).addUserIds(invitee).build());
    server.as(invitee).declineInvitation(DeclineInvitationRequest.newBuilder().setGroupId(groupId).build());
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT,
        () -> server.as(a).removeMember(RemoveMemberRequest.newBuilder().setGroupId(groupId).setUserId(b).build()));
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.OWNER_CANNOT_LEAVE,
        () -> server.as(owner).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(groupId).build()));
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER,
        () -> server.as(a).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build()));

    assertThat(server.takeEvents()).isEmpty();
  }
}
