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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  /**
   * Every pair of roles, a day after sending (past the sender's window): a recall in a group follows
   * who outranks whom, as group-svc ranks them for removing and muting. Group admins used to recall
   * anyone's messages, the owner's included.
   */
  static Stream<Arguments> rolePairs() {
    return Stream.of(
        Arguments.of(GroupRole.OWNER, "themselves", null),
        Arguments.of(GroupRole.OWNER, "an admin", null),
        Arguments.of(GroupRole.OWNER, "a member", null),
        Arguments.of(GroupRole.OWNER, "a former member", null),
        Arguments.of(GroupRole.ADMIN, "the owner", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.ADMIN, "another admin", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.ADMIN, "themselves", null),
        Arguments.of(GroupRole.ADMIN, "a member", null),
        Arguments.of(GroupRole.ADMIN, "a former member", null),
        Arguments.of(GroupRole.MEMBER, "the owner", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.MEMBER, "an admin", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.MEMBER, "another member", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.MEMBER, "a former member", ErrorReason.RECALL_NOT_ALLOWED),
        Arguments.of(GroupRole.MEMBER, "themselves", ErrorReason.RECALL_WINDOW_EXPIRED));
  }

  @ParameterizedTest(name = "{0} recalls a message of {1}: {2}")
  @MethodSource("rolePairs")
  void groupAdminsCannotRecallTheMessagesOfTheOwnerOrOtherAdmins(GroupRole actorRole, String senderKind,
      ErrorReason refusal) {
    User owner = rig.user();
    String group = rig.groups().create(owner.id());
    User actor = owner;
    if (actorRole != GroupRole.OWNER) {
      actor = rig.user();
      rig.groups().add(group, actor.id(), actorRole);
    }
    User sender = switch (senderKind) {
      case "themselves" -> actor;
      case "the owner" -> owner;
      default -> {
        User other = rig.user();
        rig.groups().add(group, other.id(), senderKind.endsWith("admin") ? GroupRole.ADMIN : GroupRole.MEMBER);
        yield other;
      }
    };
    SendMessageResponse sent = rig.sendToGroup(sender, group, "from " + senderKind);
    if (senderKind.equals("a former member")) {
      rig.groups().remove(group, sender.id());
    }
    rig.clock.advance(Duration.ofDays(1));
    User recaller = actor;

    if (refusal == null) {
      assertThat(recall(recaller, sent).getRecalledBy()).isEqualTo(recaller.id());
    } else {
      assertFails(() -> recall(recaller, sent), refusal == ErrorReason.RECALL_NOT_ALLOWED
          ? Status.Code.PERMISSION_DENIED : Status.Code.FAILED_PRECONDITION, refusal);
      assertThat(pullOne(owner, sent.getConversationId()).getRecalled()).isFalse();
    }
  }

  @Test
  void rolesAreTakenWhenTheRecallIsMadeNotWhenTheMessageWasSent() {
    User owner = rig.user();
    User admin = rig.user();
    User other = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, admin.id(), GroupRole.ADMIN);
    rig.groups().add(group, other.id(), GroupRole.ADMIN);
    SendMessageResponse byAdmin = rig.sendToGroup(other, group, "sent as an admin");
    assertFails(() -> recall(admin, byAdmin), Status.Code.PERMISSION_DENIED, ErrorReason.RECALL_NOT_ALLOWED);

    rig.groups().add(group, other.id(), GroupRole.MEMBER);  // demoted

    assertThat(recall(admin, byAdmin).getRecalledBy()).isEqualTo(admin.id());
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
