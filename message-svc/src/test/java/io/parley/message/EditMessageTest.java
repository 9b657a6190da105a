package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Edit;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.ImageContent;
import io.parley.message.v1.ListMessageVersionsRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageVersion;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EditMessageTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private static MessageContent text(String text) {
    return MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text)).build();
  }

  private Message edit(User user, SendMessageResponse sent, MessageContent content) {
    return rig.as(user).editMessage(EditMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).setContent(content).build());
  }

  private Message edit(User user, SendMessageResponse sent, String text) {
    return edit(user, sent, text(text));
  }

  private List<MessageVersion> versions(User user, SendMessageResponse sent) {
    return rig.as(user).listMessageVersions(ListMessageVersionsRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build()).getVersionsList();
  }

  private Message pull(User user, SendMessageResponse sent) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setAfterSeq(sent.getSeq() - 1).setLimit(1).build())
        .getMessages(0);
  }

  @Test
  void theSenderEditsAndEveryDeviceOnlineIsToldOfTheNewVersion() {
    User[] pair = rig.friendsPair();
    User senderPhone = rig.login(pair[0].id(), Terminal.MOBILE);
    EventStream peerStream = EventStream.subscribed(rig.asyncAs(pair[1]));
    EventStream phoneStream = EventStream.subscribed(rig.asyncAs(senderPhone));
    try {
      SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "see you at 5");
      assertThat(peerStream.next().getMessage().getSeq()).isEqualTo(sent.getSeq());
      assertThat(phoneStream.next().getMessage().getSeq()).isEqualTo(sent.getSeq());
      rig.clock.advance(Duration.ofMinutes(10));

      Message edited = edit(pair[0], sent, "see you at 6");

      assertThat(edited.getContent()).isEqualTo(text("see you at 6"));
      assertThat(edited.getEdited()).isTrue();
      assertThat(edited.getEditCount()).isEqualTo(1);
      assertThat(edited.getEditTime()).isEqualTo(Timestamps.fromMillis(rig.clock.millis()));
      assertThat(edited.getMessageId()).isEqualTo(sent.getMessageId());
      assertThat(edited.getServerTime()).isEqualTo(sent.getServerTime());
      assertThat(pull(pair[1], sent)).isEqualTo(edited);
      Edit expected = Edit.newBuilder().setConversationId(sent.getConversationId()).setSeq(sent.getSeq())
          .setMessageId(sent.getMessageId()).setEditTime(edited.getEditTime()).setEditCount(1).build();
      assertThat(peerStream.next().getEdit()).isEqualTo(expected);
      assertThat(phoneStream.next().getEdit()).as("the sender's other device").isEqualTo(expected);
      assertThat(versions(pair[1], sent)).extracting(MessageVersion::getContent)
          .containsExactly(text("see you at 5"), text("see you at 6"));
    } finally {
      peerStream.cancel();
      phoneStream.cancel();
    }
  }

  @Test
  void onlyTheSenderMayEditNeitherThePeerNorGroupAdminsNorOutsiders() {
    User[] pair = rig.friendsPair();
    SendMessageResponse privateMessage = rig.sendTo(pair[0], pair[1], "mine");
    assertFails(() -> edit(pair[1], privateMessage, "yours?"), Status.Code.PERMISSION_DENIED,
        ErrorReason.EDIT_NOT_ALLOWED);

    User owner = rig.user();
    User admin = rig.user();
    User member = rig.user();
    User outsider = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, admin.id(), GroupRole.ADMIN);
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    SendMessageResponse groupMessage = rig.sendToGroup(member, group, "a member's words");

    assertFails(() -> edit(owner, groupMessage, "the owner's words"), Status.Code.PERMISSION_DENIED,
        ErrorReason.EDIT_NOT_ALLOWED);
    assertFails(() -> edit(admin, groupMessage, "an admin's words"), Status.Code.PERMISSION_DENIED,
        ErrorReason.EDIT_NOT_ALLOWED);
    assertFails(() -> edit(outsider, groupMessage, "an outsider's words"), Status.Code.NOT_FOUND,
        ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> versions(outsider, groupMessage), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertThat(edit(member, groupMessage, "a member's better words").getEditCount()).isEqualTo(1);
    assertThat(pull(owner, groupMessage).getContent()).isEqualTo(text("a member's better words"));
  }

  @Test
  void theSenderCannotEditAfterTheWindow() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "yesterday's news");
    rig.clock.advance(Duration.ofHours(24).plusMillis(1));

    Throwable refused = assertFails(() -> edit(pair[0], sent, "today's news"), Status.Code.FAILED_PRECONDITION,
        ErrorReason.EDIT_WINDOW_EXPIRED);

    assertThat(errorInfo(refused).getMetadataMap()).containsEntry("edit_window_seconds", "86400");
    assertThat(pull(pair[1], sent).getEdited()).isFalse();
  }

  @Test
  void aRecalledMessageCannotBeEditedAndItsEarlierVersionsAreGone() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "my password is hunter2");
    edit(pair[0], sent, "my password is ...");
    rig.as(pair[0]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build());

    assertFails(() -> edit(pair[0], sent, "back"), Status.Code.PERMISSION_DENIED, ErrorReason.EDIT_NOT_ALLOWED);
    assertThat(versions(pair[1], sent)).isEmpty();
    assertThat(pull(pair[1], sent).hasContent()).isFalse();
  }

  @Test
  void theNewContentKeepsTheKindAndFollowsTheRulesOfASend() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "plain");
    MessageContent image = MessageContent.newBuilder()
        .setImage(ImageContent.newBuilder().setUrl("https://example.com/a.png")).build();

    assertThat(violatedFields(assertFails(() -> edit(pair[0], sent, image), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("content");
    assertThat(violatedFields(assertFails(() -> edit(pair[0], sent, MessageContent.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT))).containsExactly("content");
    assertThat(violatedFields(assertFails(() -> edit(pair[0], sent, "\u202Eevil"), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("content.text");
    assertFails(() -> edit(pair[0], sent, "x".repeat(SendRequests.MAX_TEXT_BYTES + 1)),
        Status.Code.INVALID_ARGUMENT, ErrorReason.PAYLOAD_TOO_LARGE);

    assertThat(versions(pair[0], sent)).as("nothing was stored").hasSize(1);
    assertThat(edit(pair[0], sent, "cafe\u0301").getContent()).as("stored NFC-normalized").isEqualTo(text("caf\u00e9"));
  }

  @Test
  void aSenderWhoMayNoLongerWriteThereCannotEdit() {
    User[] pair = rig.friendsPair();
    SendMessageResponse beforeTheBlock = rig.sendTo(pair[0], pair[1], "hi");
    rig.friends().block(pair[1].id(), pair[0].id());
    assertFails(() -> edit(pair[0], beforeTheBlock, "hello?"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);

    User owner = rig.user();
    User muted = rig.user();
    User leaver = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, muted.id(), GroupRole.MEMBER);
    rig.groups().add(group, leaver.id(), GroupRole.MEMBER);
    SendMessageResponse mutedMessage = rig.sendToGroup(muted, group, "calm words");
    SendMessageResponse leaverMessage = rig.sendToGroup(leaver, group, "goodbye");
    rig.groups().mute(group, muted.id(), rig.clock.instant().plus(Duration.ofHours(1)));
    rig.groups().remove(group, leaver.id());

    assertFails(() -> edit(muted, mutedMessage, "ANGRY WORDS"), Status.Code.PERMISSION_DENIED,
        ErrorReason.MEMBER_MUTED);
    assertFails(() -> edit(leaver, leaverMessage, "I'm back"), Status.Code.NOT_FOUND,
        ErrorReason.CONVERSATION_NOT_FOUND);
    assertThat(pull(owner, mutedMessage).getEdited()).isFalse();
  }

  @Test
  void aMemberWhoJoinedLaterSeesNoVersionOfAnEarlierMessage() {
    User owner = rig.user();
    User newcomer = rig.user();
    String group = rig.groups().create(owner.id());
    SendMessageResponse early = rig.sendToGroup(owner, group, "before you came");
    rig.clock.advance(Duration.ofMinutes(1));
    rig.groups().add(group, newcomer.id(), GroupRole.MEMBER);
    edit(owner, early, "before you came, edited");

    assertFails(() -> versions(newcomer, early), Status.Code.NOT_FOUND, ErrorReason.MESSAGE_NOT_FOUND);
  }
}
