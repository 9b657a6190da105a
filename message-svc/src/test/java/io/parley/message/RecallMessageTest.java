package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.Recall;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecallMessageTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private Message recall(User user, SendMessageResponse sent) {
    return recall(user, sent.getConversationId(), sent.getSeq());
  }

  private Message recall(User user, String conversation, long seq) {
    return rig.as(user).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(conversation).setSeq(seq).build());
  }

  private Message pullOne(User user, String conversation) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversation).build())
        .getMessages(0);
  }

  @Test
  void theSenderRecallsWithinTheWindowAndEveryoneOnlineIsTold() {
    User[] pair = rig.friendsPair();
    EventStream peerStream = EventStream.subscribed(rig.asyncAs(pair[1]));
    try {
      SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "wrong chat");
      assertThat(peerStream.next().getMessage().getMessageId()).isEqualTo(sent.getMessageId());
      rig.clock.advance(Duration.ofMinutes(2));

      Message tombstone = recall(pair[0], sent);

      assertThat(tombstone.getRecalled()).isTrue();
      assertThat(tombstone.hasContent()).isFalse();
      assertThat(tombstone.getRecalledBy()).isEqualTo(pair[0].id());
      assertThat(tombstone.getRecallTime()).isEqualTo(Timestamps.fromMillis(rig.clock.millis()));
      assertThat(tombstone.getMessageId()).isEqualTo(sent.getMessageId());
      assertThat(tombstone.getSeq()).isEqualTo(sent.getSeq());
      assertThat(pullOne(pair[1], sent.getConversationId())).isEqualTo(tombstone);
      assertThat(peerStream.next().getRecall()).isEqualTo(Recall.newBuilder()
          .setConversationId(sent.getConversationId()).setSeq(1).setMessageId(sent.getMessageId())
          .setRecalledBy(pair[0].id()).build());
      assertThat(recall(pair[0], sent)).as("recalling again answers the tombstone").isEqualTo(tombstone);
    } finally {
      peerStream.cancel();
    }
  }

  @Test
  void theSenderCannotRecallAfterTheWindow() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "too late");
    rig.clock.advance(Duration.ofMinutes(2).plusMillis(1));
    assertFails(() -> recall(pair[0], sent), Status.Code.FAILED_PRECONDITION, ErrorReason.RECALL_WINDOW_EXPIRED);
    assertThat(pullOne(pair[1], sent.getConversationId()).getRecalled()).isFalse();
  }

  @Test
  void thePeerOfAPrivateChatCannotRecall() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "mine");
    assertFails(() -> recall(pair[1], sent), Status.Code.PERMISSION_DENIED, ErrorReason.RECALL_NOT_ALLOWED);
  }

  @Test
  void groupAdminsAndTheOwnerRecallAnyMessageAtAnyTimeOthersCannot() {
    User owner = rig.user();
    User admin = rig.user();
    User member = rig.user();
    User other = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, admin.id(), GroupRole.ADMIN);
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.groups().add(group, other.id(), GroupRole.MEMBER);
    SendMessageResponse first = rig.sendToGroup(member, group, "spam 1");
    SendMessageResponse second = rig.sendToGroup(member, group, "spam 2");
    rig.clock.advance(Duration.ofDays(1));

    assertFails(() -> recall(other, first), Status.Code.PERMISSION_DENIED, ErrorReason.RECALL_NOT_ALLOWED);
    assertFails(() -> recall(member, first), Status.Code.FAILED_PRECONDITION, ErrorReason.RECALL_WINDOW_EXPIRED);
    assertThat(recall(admin, first).getRecalledBy()).isEqualTo(admin.id());
    assertThat(recall(owner, second).getRecalledBy()).isEqualTo(owner.id());
  }

  @Test
  void missingOrInvisibleMessagesAreNotFound() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "x");
    assertFails(() -> recall(pair[0], sent.getConversationId(), 2), Status.Code.NOT_FOUND,
        ErrorReason.MESSAGE_NOT_FOUND);

    User owner = rig.user();
    User late = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, late.id(), GroupRole.ADMIN);
    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().remove(group, late.id());
    SendMessageResponse before = rig.sendToGroup(owner, group, "before the admin joined");
    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().add(group, late.id(), GroupRole.ADMIN);
    assertFails(() -> recall(late, before), Status.Code.NOT_FOUND, ErrorReason.MESSAGE_NOT_FOUND);
    assertFails(() -> recall(rig.user(), before), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
  }
}
