package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Event;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.MarkReadResponse;
import io.parley.message.v1.ReadReceipt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MarkReadTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private MarkReadResponse markRead(User user, String conversation, long seq) {
    return rig.as(user).markRead(MarkReadRequest.newBuilder().setConversationId(conversation).setSeq(seq).build());
  }

  @Test
  void theReadSeqNeverMovesBackwardsAndStopsAtTheLastSeq() {
    User[] pair = rig.friendsPair();
    String conversation = rig.sendTo(pair[0], pair[1], "1").getConversationId();
    rig.sendTo(pair[0], pair[1], "2");
    rig.sendTo(pair[0], pair[1], "3");

    assertThat(markRead(pair[1], conversation, 2)).isEqualTo(response(2, 1));
    assertThat(markRead(pair[1], conversation, 1)).isEqualTo(response(2, 1));
    assertThat(markRead(pair[1], conversation, 42)).isEqualTo(response(3, 0));
    rig.sendTo(pair[0], pair[1], "4");
    assertThat(markRead(pair[1], conversation, 3)).isEqualTo(response(3, 1));
  }

  private static MarkReadResponse response(long readSeq, long unread) {
    return MarkReadResponse.newBuilder().setReadSeq(readSeq).setUnreadCount(unread).build();
  }

  @Test
  void thePeersDevicesAndTheReadersOtherDevicesGetAReadReceipt() {
    User[] pair = rig.friendsPair();
    User readerPhone = rig.login(pair[1].id(), Terminal.MOBILE);
    EventStream senderStream = EventStream.subscribed(rig.asyncAs(pair[0]));
    EventStream readerStream = EventStream.subscribed(rig.asyncAs(pair[1]));
    EventStream phoneStream = EventStream.subscribed(rig.asyncAs(readerPhone));
    try {
      String conversation = rig.sendTo(pair[0], pair[1], "did you read this?").getConversationId();
      assertThat(readerStream.next().hasMessage()).isTrue();
      assertThat(phoneStream.next().hasMessage()).isTrue();

      markRead(pair[1], conversation, 1);
      markRead(pair[1], conversation, 1);  // no move, no second receipt
      rig.sendTo(pair[0], pair[1], "marker");

      ReadReceipt expected = ReadReceipt.newBuilder()
          .setConversationId(conversation).setUserId(pair[1].id()).setReadSeq(1).build();
      assertThat(senderStream.next().getReadReceipt()).isEqualTo(expected);
      assertThat(phoneStream.next().getReadReceipt()).isEqualTo(expected);
      assertThat(phoneStream.next().getMessage().getContent().getText().getText()).isEqualTo("marker");
      assertThat(readerStream.next().getMessage().getContent().getText().getText())
          .as("the reading device is not told what it did").isEqualTo("marker");
    } finally {
      senderStream.cancel();
      readerStream.cancel();
      phoneStream.cancel();
    }
  }

  @Test
  void inAGroupOnlyTheReadersOtherDevicesHearOfIt() {
    User owner = rig.user();
    User reader = rig.user();
    User readerPhone = rig.login(reader.id(), Terminal.MOBILE);
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, reader.id(), GroupRole.MEMBER);
    // Subscribed before the first message, so that its event, pushed after the send is answered,
    // cannot arrive in the middle of what the test watches.
    EventStream phoneStream = EventStream.subscribed(rig.asyncAs(readerPhone));
    rig.sendToGroup(owner, group, "news");
    assertThat(phoneStream.next().getMessage().getContent().getText().getText()).isEqualTo("news");
    EventStream ownerStream = EventStream.subscribed(rig.asyncAs(owner));
    try {
      markRead(reader, "g_" + group, 1);
      rig.sendToGroup(reader, group, "marker");

      assertThat(phoneStream.next().getReadReceipt().getReadSeq()).isEqualTo(1);
      Event ownerNext = ownerStream.next();
      assertThat(ownerNext.getMessage().getContent().getText().getText()).isEqualTo("marker");
    } finally {
      ownerStream.cancel();
      phoneStream.cancel();
    }
  }

  @Test
  void outsidersAndMalformedRequestsAreRefused() {
    User[] pair = rig.friendsPair();
    User outsider = rig.user();
    String conversation = rig.sendTo(pair[0], pair[1], "x").getConversationId();
    assertFails(() -> markRead(outsider, conversation, 1), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> markRead(pair[1], conversation, 0), Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertFails(() -> markRead(pair[1], "nope", 1), Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
  }
}
