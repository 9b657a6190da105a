package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.ClearHistoryForMeRequest;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.DeleteMessagesForMeRequest;
import io.parley.message.v1.DeletedForMe;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeleteForMeTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private int delete(User user, String conversation, Long... seqs) {
    return rig.as(user).deleteMessagesForMe(DeleteMessagesForMeRequest.newBuilder()
        .setConversationId(conversation).addAllSeqs(List.of(seqs)).build()).getDeletedCount();
  }

  private long clear(User user, String conversation) {
    return rig.as(user).clearHistoryForMe(ClearHistoryForMeRequest.newBuilder().setConversationId(conversation).build())
        .getClearedSeq();
  }

  private List<Long> seqs(User user, String conversation, PullMessagesRequest.Builder request) {
    return rig.as(user).pullMessages(request.setConversationId(conversation).build()).getMessagesList().stream()
        .map(Message::getSeq).toList();
  }

  private List<Long> forward(User user, String conversation) {
    return seqs(user, conversation, PullMessagesRequest.newBuilder().setAfterSeq(0));
  }

  private Conversation listed(User user, String conversation) {
    return rig.as(user).listConversations(ListConversationsRequest.getDefaultInstance()).getConversationsList().stream()
        .filter(c -> c.getConversationId().equals(conversation)).findFirst().orElse(null);
  }

  @Test
  void deletedMessagesAreGoneForTheUserAloneAndTheirOtherDevicesAreTold() {
    User[] pair = rig.friendsPair();
    User phone = rig.login(pair[1].id(), Terminal.MOBILE);
    EventStream phoneStream = EventStream.subscribed(rig.asyncAs(phone));
    try {
      String conversation = "";
      for (int i = 1; i <= 4; i++) {
        conversation = rig.sendTo(pair[0], pair[1], "m" + i).getConversationId();
        assertThat(phoneStream.next().getMessage().getSeq()).isEqualTo(i);
      }
      assertThat(delete(pair[1], conversation, 2L, 4L, 9L)).isEqualTo(2);

      assertThat(phoneStream.next().getDeletedForMe()).isEqualTo(DeletedForMe.newBuilder()
          .setConversationId(conversation).addSeqs(2).addSeqs(4).build());
      assertThat(forward(pair[1], conversation)).containsExactly(1L, 3L);
      assertThat(seqs(pair[1], conversation, PullMessagesRequest.newBuilder().setBeforeSeq(5))).containsExactly(3L, 1L);
      assertThat(forward(pair[0], conversation)).as("the sender keeps everything").containsExactly(1L, 2L, 3L, 4L);
      assertThat(listed(pair[1], conversation).getLastMessage().getSeq())
          .as("the last message shown is the last one not deleted").isEqualTo(3);
      String deletedFrom = conversation;
      assertFails(() -> rig.as(pair[1]).addReaction(AddReactionRequest.newBuilder().setConversationId(deletedFrom)
          .setSeq(4).setEmoji("👍").build()), Status.Code.NOT_FOUND, ErrorReason.MESSAGE_NOT_FOUND);
      assertThat(rig.as(pair[0]).editMessage(EditMessageRequest.newBuilder().setConversationId(deletedFrom).setSeq(4)
          .setContent(MessageRig.text("c", "edited").getContent()).build()).getEdited())
          .as("the sender still has it").isTrue();
    } finally {
      phoneStream.cancel();
    }
  }

  @Test
  void clearedHistoryIsGoneAndReadForTheUserWhileNewMessagesCome() {
    User[] pair = rig.friendsPair();
    SendMessageResponse last = null;
    for (int i = 1; i <= 3; i++) {
      last = rig.sendTo(pair[0], pair[1], "old " + i);
    }
    String conversation = last.getConversationId();

    assertThat(clear(pair[1], conversation)).isEqualTo(3);

    assertThat(forward(pair[1], conversation)).isEmpty();
    assertThat(seqs(pair[1], conversation, PullMessagesRequest.newBuilder().setBeforeSeq(4))).isEmpty();
    assertThat(listed(pair[1], conversation)).as("nothing to show").isNull();
    assertThat(forward(pair[0], conversation)).as("the peer keeps everything").containsExactly(1L, 2L, 3L);

    rig.sendTo(pair[0], pair[1], "new");
    assertThat(forward(pair[1], conversation)).containsExactly(4L);
    Conversation listed = listed(pair[1], conversation);
    assertThat(listed.getUnreadCount()).as("what was cleared counts as read").isEqualTo(1);
    assertThat(listed.getLastMessage().getSeq()).isEqualTo(4);
    assertThat(clear(pair[1], conversation)).isEqualTo(4);
    assertThat(listed(pair[1], conversation)).isNull();
  }

  @Test
  void onlyAParticipantDeletesAndOnlyValidSeqs() {
    User[] pair = rig.friendsPair();
    String conversation = rig.sendTo(pair[0], pair[1], "hi").getConversationId();

    assertFails(() -> delete(rig.user(), conversation, 1L), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> clear(rig.user(), conversation), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertThat(violatedFields(assertFails(() -> delete(pair[0], conversation, 1L, 0L, 1L), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("seqs[1]", "seqs[2]");
    assertThat(violatedFields(assertFails(() -> delete(pair[0], conversation), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("seqs");
  }
}
