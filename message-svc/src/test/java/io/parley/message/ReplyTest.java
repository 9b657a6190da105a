package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.ReplyTo;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplyTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private SendMessageResponse reply(User from, User to, long seq, String text) {
    return rig.as(from).sendMessage(MessageRig.text(Ids.newId("c"), text).toBuilder()
        .setToUserId(to.id()).setReplyToSeq(seq).build());
  }

  private SendMessageResponse replyInGroup(User from, String group, long seq, String text) {
    return rig.as(from).sendMessage(MessageRig.text(Ids.newId("c"), text).toBuilder()
        .setToGroupId(group).setReplyToSeq(seq).build());
  }

  private Message pull(User user, SendMessageResponse sent) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setAfterSeq(sent.getSeq() - 1).setLimit(1).build())
        .getMessages(0);
  }

  @Test
  void aReplyCarriesAQuoteOfTheMessageItAnswersToEveryone() {
    User[] pair = rig.friendsPair();
    SendMessageResponse question = rig.sendTo(pair[0], pair[1], "lunch at noon?");
    EventStream askerStream = EventStream.subscribed(rig.asyncAs(pair[0]));
    try {
      SendMessageResponse answer = reply(pair[1], pair[0], question.getSeq(), "yes!");

      ReplyTo expected = ReplyTo.newBuilder().setSeq(question.getSeq()).setMessageId(question.getMessageId())
          .setSenderId(pair[0].id()).setKind("text").setPreview("lunch at noon?").build();
      assertThat(pull(pair[0], answer).getReplyTo()).isEqualTo(expected);
      assertThat(askerStream.next().getMessage().getReplyTo()).isEqualTo(expected);
    } finally {
      askerStream.cancel();
    }
  }

  @Test
  void thePreviewKeepsTheFirstHundredCharactersWithoutSplittingOne() {
    User[] pair = rig.friendsPair();
    SendMessageResponse longText = rig.sendTo(pair[0], pair[1], "😀".repeat(150));

    String preview = pull(pair[0], reply(pair[1], pair[0], longText.getSeq(), "wow")).getReplyTo().getPreview();

    assertThat(preview).isEqualTo("😀".repeat(Quotes.PREVIEW_CHARS));
  }

  @Test
  void aReplyToAMessageTheSenderCannotSeeIsRefused() {
    User[] pair = rig.friendsPair();
    SendMessageResponse recalled = rig.sendTo(pair[0], pair[1], "oops");
    rig.as(pair[0]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(recalled.getConversationId()).setSeq(recalled.getSeq()).build());

    assertFails(() -> reply(pair[1], pair[0], 99, "to nothing"), Status.Code.NOT_FOUND, ErrorReason.MESSAGE_NOT_FOUND);
    assertFails(() -> reply(pair[1], pair[0], recalled.getSeq(), "to a recall"), Status.Code.NOT_FOUND,
        ErrorReason.MESSAGE_NOT_FOUND);
    assertThat(violatedFields(assertFails(() -> reply(pair[1], pair[0], -1, "backwards"), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("reply_to_seq");

    User owner = rig.user();
    User newcomer = rig.user();
    String group = rig.groups().create(owner.id());
    SendMessageResponse beforeJoining = rig.sendToGroup(owner, group, "the old plan");
    rig.clock.advance(Duration.ofMinutes(1));
    rig.groups().add(group, newcomer.id(), GroupRole.MEMBER);
    assertFails(() -> replyInGroup(newcomer, group, beforeJoining.getSeq(), "what plan?"), Status.Code.NOT_FOUND,
        ErrorReason.MESSAGE_NOT_FOUND);
    SendMessageResponse after = rig.sendToGroup(owner, group, "the new plan");
    assertThat(pull(owner, replyInGroup(newcomer, group, after.getSeq(), "ok")).getReplyTo().getPreview())
        .isEqualTo("the new plan");
  }

  @Test
  void recallingAReplyDropsItsQuoteToo() {
    User[] pair = rig.friendsPair();
    SendMessageResponse question = rig.sendTo(pair[0], pair[1], "a secret?");
    SendMessageResponse answer = reply(pair[1], pair[0], question.getSeq(), "no");

    Message tombstone = rig.as(pair[1]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(answer.getConversationId()).setSeq(answer.getSeq()).build());

    assertThat(tombstone.hasReplyTo()).isFalse();
    assertThat(pull(pair[0], answer).hasReplyTo()).isFalse();
  }
}
