package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.Reaction;
import io.parley.message.v1.ReactionChange;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.RemoveReactionRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReactionTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private Message add(User user, SendMessageResponse sent, String emoji) {
    return rig.as(user).addReaction(AddReactionRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).setEmoji(emoji).build());
  }

  private Message remove(User user, SendMessageResponse sent, String emoji) {
    return rig.as(user).removeReaction(RemoveReactionRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).setEmoji(emoji).build());
  }

  private Message pull(User user, SendMessageResponse sent) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setAfterSeq(sent.getSeq() - 1).setLimit(1).build())
        .getMessages(0);
  }

  @Test
  void reactionsAreCountedEachUserSeesTheirOwnAndEveryoneOnlineIsTold() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "we shipped it");
    EventStream senderStream = EventStream.subscribed(rig.asyncAs(pair[0]));
    try {
      add(pair[1], sent, "🎉");
      Message answered = add(pair[1], sent, "👍");
      add(pair[0], sent, "🎉");
      assertThat(add(pair[1], sent, "👍").getReactionsList()).as("adding again changes nothing")
          .extracting(Reaction::getCount).containsExactly(2, 1);

      assertThat(answered.getReactionsList()).extracting(Reaction::getEmoji, Reaction::getCount, Reaction::getMine)
          .containsExactly(tuple("🎉", 1, true), tuple("👍", 1, true));
      assertThat(pull(pair[0], sent).getReactionsList())
          .extracting(Reaction::getEmoji, Reaction::getCount, Reaction::getMine)
          .containsExactly(tuple("🎉", 2, true), tuple("👍", 1, false));
      assertThat(senderStream.next().getReaction()).isEqualTo(ReactionChange.newBuilder()
          .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).setMessageId(sent.getMessageId())
          .setUserId(pair[1].id()).setEmoji("🎉").setAdded(true).setCount(1).build());
      assertThat(senderStream.next().getReaction().getEmoji()).isEqualTo("👍");

      Message removed = remove(pair[1], sent, "🎉");
      assertThat(removed.getReactionsList()).extracting(Reaction::getEmoji, Reaction::getCount, Reaction::getMine)
          .containsExactly(tuple("🎉", 1, false), tuple("👍", 1, true));
      ReactionChange removal = senderStream.next().getReaction();
      assertThat(removal.getAdded()).isFalse();
      assertThat(removal.getCount()).isEqualTo(1);
    } finally {
      senderStream.cancel();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"👍", "❤️", "👩🏽‍💻", "🇫🇷", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👨‍👩‍👧‍👦"})
  void anyEmojiIsAccepted(String emoji) {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "react");
    assertThat(add(pair[1], sent, emoji).getReactions(0).getEmoji()).isEqualTo(emoji);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "ok", "1", " 👍", "👍 ", "👍a", "\u202E👍", "👍\n", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"})
  void whatIsNoOneEmojiIsRefused(String emoji) {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "react");
    assertThat(violatedFields(assertFails(() -> add(pair[1], sent, emoji), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("emoji");
  }

  @Test
  void aUserPutsAtMostTwentyDifferentEmojiOnAMessage() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "react a lot");
    for (int i = 0; i < MessageReactions.MAX_EMOJI_PER_USER; i++) {
      add(pair[1], sent, Character.toString(0x1F600 + i));
    }

    Throwable refused = assertFails(() -> add(pair[1], sent, "🙈"), Status.Code.RESOURCE_EXHAUSTED,
        ErrorReason.REACTION_LIMIT);

    assertThat(errorInfo(refused).getMetadataMap()).containsEntry("limit", "20");
    assertThat(pull(pair[0], sent).getReactionsCount()).isEqualTo(MessageReactions.MAX_EMOJI_PER_USER);
  }

  @Test
  void whoMayNotSendThereMayNotReactButMayTakeTheirReactionBack() {
    User owner = rig.user();
    User member = rig.user();
    User outsider = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    SendMessageResponse sent = rig.sendToGroup(owner, group, "announcement");
    add(member, sent, "👍");
    rig.groups().mute(group, member.id(), rig.clock.instant().plus(Duration.ofHours(1)));

    assertFails(() -> add(member, sent, "👎"), Status.Code.PERMISSION_DENIED, ErrorReason.MEMBER_MUTED);
    assertThat(remove(member, sent, "👍").getReactionsList()).isEmpty();
    assertFails(() -> add(outsider, sent, "👍"), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);

    User[] pair = rig.friendsPair();
    SendMessageResponse hello = rig.sendTo(pair[0], pair[1], "hello");
    rig.friends().block(pair[0].id(), pair[1].id());
    assertFails(() -> add(pair[1], hello, "👋"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
  }

  @Test
  void aRecalledMessageTakesNoReactionsAndLosesItsOwn() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "wrong chat");
    add(pair[1], sent, "😂");

    Message tombstone = rig.as(pair[0]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build());

    assertThat(tombstone.getReactionsList()).isEmpty();
    assertThat(pull(pair[1], sent).getReactionsList()).isEmpty();
    assertFails(() -> add(pair[1], sent, "😂"), Status.Code.NOT_FOUND, ErrorReason.MESSAGE_NOT_FOUND);
  }
}
