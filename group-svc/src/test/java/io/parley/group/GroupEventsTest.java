package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.Announcement;
import io.parley.group.v1.ApproveJoinRequestRequest;
import io.parley.group.v1.CancelInvitationRequest;
import io.parley.group.v1.CancelJoinRequestRequest;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.DeclineInvitationRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupEvent;
import io.parley.group.v1.GroupEvent.Kind;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.RejectJoinRequestRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every change that users other than its actor must learn of publishes one {@link GroupEvent} on
 * {@value GroupEvents#CHANNEL}, after it is committed, naming its audience and never the actor; a
 * refused call publishes nothing.
 */
class GroupEventsTest {
  private GroupTestServer server;
  private String owner;
  private String admin;
  private String groupId;

  @BeforeEach
  void start() throws InterruptedException {
    server = GroupTestServer.start();
    owner = server.newUser();
    admin = server.newUser();
    groupId = server.groupOf(owner, JoinPolicy.APPROVAL, admin).getGroupId();
    server.as(owner).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(groupId).setUserId(admin)
        .setRole(GroupRole.ADMIN).build());
    server.takeGroupEvents();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void invite(String actor, String... userIds) {
    server.as(actor).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId)
        .addAllUserIds(List.of(userIds)).build());
  }

  @Test
  void anInvitationTellsEachInviteeAndAcceptingItTellsTheInviterAndTheStaff() {
    String invitee = server.newUser();
    String other = server.newUser();

    invite(admin, invitee, other);
    List<GroupEvent> invited = server.takeGroupEvents();
    server.clock.advance(Duration.ofSeconds(3));
    server.as(invitee).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build());
    List<GroupEvent> accepted = server.takeGroupEvents();

    assertThat(invited).extracting(GroupEvent::getKind, GroupEvent::getActorId, GroupEvent::getSubjectUserId,
        GroupEvent::getAudienceUserIdsList).containsExactly(
        tuple(Kind.INVITATION_RECEIVED, admin, invitee, List.of(invitee)),
        tuple(Kind.INVITATION_RECEIVED, admin, other, List.of(other)));
    assertThat(invited.get(0).getGroupId()).isEqualTo(groupId);
    assertThat(invited.get(0).getInvitation().getInviterId()).isEqualTo(admin);
    assertThat(invited.get(0).getAudienceAllMembers()).isFalse();
    assertThat(accepted).hasSize(1);
    GroupEvent event = accepted.get(0);
    assertThat(event.getKind()).isEqualTo(Kind.INVITATION_ACCEPTED);
    assertThat(event.getActorId()).isEqualTo(invitee);
    assertThat(event.getAudienceUserIdsList()).as("the inviter, then the owner").containsExactly(admin, owner);
    assertThat(Timestamps.toMillis(event.getTime())).isEqualTo(server.clock.millis());
  }

  @Test
  void decliningTellsTheInviterAndTheStaffAndCancellingTellsTheInvitee() {
    String decliner = server.newUser();
    String cancelled = server.newUser();
    invite(owner, decliner, cancelled);
    server.takeGroupEvents();

    server.as(decliner).declineInvitation(DeclineInvitationRequest.newBuilder().setGroupId(groupId).build());
    server.as(admin).cancelInvitation(CancelInvitationRequest.newBuilder().setGroupId(groupId)
        .setUserId(cancelled).build());

    assertThat(server.takeGroupEvents()).extracting(GroupEvent::getKind, GroupEvent::getActorId,
        GroupEvent::getAudienceUserIdsList).containsExactly(
        tuple(Kind.INVITATION_DECLINED, decliner, List.of(owner, admin)),
        tuple(Kind.INVITATION_CANCELLED, admin, List.of(cancelled)));
  }

  @Test
  void aJoinRequestTellsTheStaffAndItsAnswerTellsTheRequesterAndTheOtherStaff() {
    String approved = server.newUser();
    String rejected = server.newUser();
    String withdrawn = server.newUser();

    server.as(approved).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).setMessage("please").build());
    server.as(rejected).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
    server.as(withdrawn).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
    List<GroupEvent> requested = server.takeGroupEvents();
    server.as(admin).approveJoinRequest(ApproveJoinRequestRequest.newBuilder().setGroupId(groupId)
        .setUserId(approved).build());
    server.as(owner).rejectJoinRequest(RejectJoinRequestRequest.newBuilder().setGroupId(groupId)
        .setUserId(rejected).build());
    server.as(withdrawn).cancelJoinRequest(CancelJoinRequestRequest.newBuilder().setGroupId(groupId).build());
    List<GroupEvent> answered = server.takeGroupEvents();

    assertThat(requested).extracting(GroupEvent::getKind, GroupEvent::getActorId, GroupEvent::getAudienceUserIdsList)
        .containsExactly(
            tuple(Kind.JOIN_REQUESTED, approved, List.of(owner, admin)),
            tuple(Kind.JOIN_REQUESTED, rejected, List.of(owner, admin)),
            tuple(Kind.JOIN_REQUESTED, withdrawn, List.of(owner, admin)));
    assertThat(requested.get(0).getJoinRequest().getMessage()).isEqualTo("please");
    assertThat(answered).extracting(GroupEvent::getKind, GroupEvent::getActorId, GroupEvent::getSubjectUserId,
        GroupEvent::getAudienceUserIdsList).containsExactly(
        tuple(Kind.JOIN_REQUEST_APPROVED, admin, approved, List.of(approved, owner)),
        tuple(Kind.JOIN_REQUEST_REJECTED, owner, rejected, List.of(rejected, admin)),
        tuple(Kind.JOIN_REQUEST_CANCELLED, withdrawn, "", List.of(owner, admin)));
  }

  @Test
  void anAnnouncementTellsEveryMember() {
    server.as(admin).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(groupId).setText("news").build());
    server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(groupId).build());

    List<GroupEvent> events = server.takeGroupEvents();

    assertThat(events).extracting(GroupEvent::getKind).containsExactly(Kind.ANNOUNCEMENT_CHANGED,
        Kind.ANNOUNCEMENT_CHANGED);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getAudienceAllMembers()).isTrue();
      assertThat(e.getAudienceUserIdsList()).isEmpty();
    });
    assertThat(events.get(0).getAnnouncement().getText()).isEqualTo("news");
    assertThat(events.get(0).getAnnouncement().getUpdatedBy()).isEqualTo(admin);
    assertThat(events.get(1).getAnnouncement()).as("cleared").isEqualTo(Announcement.getDefaultInstance());
  }

  @Test
  void aFriendAddedAtOnceIsTold() throws InterruptedException {
    try (GroupTestServer friendly = GroupTestServer.start(GroupTestServer.settings().withFriendsAddDirectly(true), null)) {
      String me = friendly.newUser();
      String friend = friendly.newUser();
      friendly.friends.befriend(me, friend);

      Group group = friendly.as(me).createGroup(CreateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setName("pals")).addMemberIds(friend).build());

      assertThat(friendly.takeGroupEvents()).extracting(GroupEvent::getKind, GroupEvent::getGroupId,
          GroupEvent::getSubjectUserId, GroupEvent::getAudienceUserIdsList).containsExactly(
          tuple(Kind.MEMBER_ADDED, group.getGroupId(), friend, List.of(friend)));
      assertThat(friendly.takeEvents()).as("membership events as before")
          .containsExactly(group.getGroupId() + " " + me, group.getGroupId() + " " + friend);
    }
  }

  @Test
  void refusedCallsPublishNothing() {
    String blocker = server.newUser();
    server.friends.block(blocker, admin);
    String requester = server.newUser();
    server.as(requester).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
    server.takeGroupEvents();

    assertStatus(Code.PERMISSION_DENIED, ErrorReason.BLOCKED, () -> invite(admin, blocker));
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.JOIN_REQUEST_EXISTS,
        () -> server.as(requester).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build()));
    assertStatus(Code.NOT_FOUND, ErrorReason.INVITATION_NOT_FOUND,
        () -> server.as(requester).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build()));
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.NOT_GROUP_MEMBER,
        () -> server.as(requester).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(groupId)
            .setText("spam").build()));

    assertThat(server.takeGroupEvents()).isEmpty();
  }
}
