package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.ForwardMessagesRequest;
import io.parley.message.v1.ForwardMessagesResponse;
import io.parley.message.v1.ForwardedFrom;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private static ForwardMessagesRequest.Builder forward(String from, String clientMsgId, Long... seqs) {
    return ForwardMessagesRequest.newBuilder().setFromConversationId(from).setClientMsgId(clientMsgId)
        .addAllSeqs(List.of(seqs));
  }

  private List<Message> pullAll(User user, String conversation) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversation).build())
        .getMessagesList();
  }

  @Test
  void forwardedMessagesKeepTheRequestsOrderAndTheirOriginAndARetryAnswersTheFirstResults() {
    User alice = rig.user();
    User bob = rig.user();
    User carol = rig.user();
    User dave = rig.user();
    rig.friends().befriend(alice.id(), bob.id());
    rig.friends().befriend(alice.id(), carol.id());
    rig.friends().befriend(carol.id(), dave.id());
    SendMessageResponse first = rig.sendTo(bob, alice, "first");
    rig.sendTo(bob, alice, "second");
    ForwardMessagesRequest request = forward(first.getConversationId(), "fw-1", 2L, 1L)
        .setToUserId(carol.id()).build();

    ForwardMessagesResponse forwarded = rig.as(alice).forwardMessages(request);
    ForwardMessagesResponse retried = rig.as(alice).forwardMessages(request);

    assertThat(forwarded.getMessagesList()).extracting(SendMessageResponse::getSeq).containsExactly(1L, 2L);
    assertThat(retried.getMessagesList()).extracting(SendMessageResponse::getSeq).containsExactly(1L, 2L);
    assertThat(retried.getMessagesList()).allMatch(SendMessageResponse::getDuplicate);
    List<Message> atCarol = pullAll(carol, forwarded.getMessages(0).getConversationId());
    assertThat(atCarol).extracting(m -> m.getContent().getText().getText()).containsExactly("second", "first");
    assertThat(atCarol).extracting(Message::getSenderId).containsOnly(alice.id());
    assertThat(atCarol).extracting(Message::getClientMsgId).containsExactly("fw-1.2", "fw-1.1");
    assertThat(atCarol.get(1).getForwardedFrom()).isEqualTo(ForwardedFrom.newBuilder()
        .setMessageId(first.getMessageId()).setSenderId(bob.id()).setServerTime(first.getServerTime()).build());

    ForwardMessagesResponse again = rig.as(carol).forwardMessages(
        forward(atCarol.get(1).getConversationId(), "fw-2", 2L).setToUserId(dave.id()).build());
    assertThat(pullAll(dave, again.getMessages(0).getConversationId()).get(0).getForwardedFrom().getSenderId())
        .as("a forward of a forward keeps the first origin").isEqualTo(bob.id());
  }

  @Test
  void onlyMessagesTheCallerSeesAndOnlyWhereTheCallerMaySend() {
    User[] pair = rig.friendsPair();
    User stranger = rig.user();
    SendMessageResponse kept = rig.sendTo(pair[0], pair[1], "kept");
    SendMessageResponse recalled = rig.sendTo(pair[0], pair[1], "recalled");
    rig.as(pair[0]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(recalled.getConversationId()).setSeq(recalled.getSeq()).build());
    String conversation = kept.getConversationId();

    assertThat(violatedFields(assertFails(() -> rig.as(pair[1]).forwardMessages(
        forward(conversation, "f1", 1L, 2L).setToUserId(pair[0].id()).build()), Status.Code.NOT_FOUND,
        ErrorReason.MESSAGE_NOT_FOUND))).containsExactly("seqs[1]");
    assertFails(() -> rig.as(stranger).forwardMessages(forward(conversation, "f2", 1L).setToUserId(pair[0].id()).build()),
        Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> rig.as(pair[1]).forwardMessages(forward(conversation, "f3", 1L).setToUserId(stranger.id()).build()),
        Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);

    User owner = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, pair[1].id(), GroupRole.MEMBER);
    rig.groups().mute(group, pair[1].id(), rig.clock.instant().plus(Duration.ofHours(1)));
    assertFails(() -> rig.as(pair[1]).forwardMessages(forward(conversation, "f4", 1L).setToGroupId(group).build()),
        Status.Code.PERMISSION_DENIED, ErrorReason.MEMBER_MUTED);
    assertThat(pullAll(owner, "g_" + group)).as("nothing was forwarded").isEmpty();
  }

  @Test
  void aBadRequestNamesEveryInvalidField() {
    User[] pair = rig.friendsPair();
    Long[] tooMany = LongStream.rangeClosed(1, Forwards.MAX_MESSAGES + 1).boxed().toArray(Long[]::new);

    assertThat(violatedFields(assertFails(() -> rig.as(pair[0]).forwardMessages(
        forward("nowhere", "x".repeat(Forwards.MAX_CLIENT_MSG_ID_CHARS + 1), tooMany).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT)))
        .containsExactly("from_conversation_id", "seqs", "to_user_id", "client_msg_id");
    assertThat(violatedFields(assertFails(() -> rig.as(pair[0]).forwardMessages(
        forward("p_a_b", "ok", 3L, 0L, 3L).setToUserId(pair[0].id()).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT)))
        .containsExactly("from_conversation_id", "seqs[1]", "seqs[2]", "to_user_id");
  }
}
