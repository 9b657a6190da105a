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
import io.parley.message.v1.PullMessagesResponse;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullMessagesTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private PullMessagesResponse after(User user, String conversation, long afterSeq, int limit) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(conversation).setAfterSeq(afterSeq).setLimit(limit).build());
  }

  private PullMessagesResponse before(User user, String conversation, long beforeSeq, int limit) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(conversation).setBeforeSeq(beforeSeq).setLimit(limit).build());
  }

  @Test
  void pullsForwardAfterASeqAndBackwardBeforeOne() {
    User[] pair = rig.friendsPair();
    String conversation = rig.sendTo(pair[0], pair[1], "m1").getConversationId();
    for (int i = 2; i <= 5; i++) {
      rig.sendTo(i % 2 == 0 ? pair[1] : pair[0], i % 2 == 0 ? pair[0] : pair[1], "m" + i);
    }

    PullMessagesResponse forward = after(pair[1], conversation, 1, 2);
    assertThat(forward.getMessagesList()).extracting(Message::getSeq).containsExactly(2L, 3L);
    assertThat(forward.getHasMore()).isTrue();
    assertThat(forward.getLastSeq()).isEqualTo(5);
    assertThat(after(pair[1], conversation, 3, 0).getMessagesList()).extracting(Message::getSeq)
        .containsExactly(4L, 5L);
    assertThat(after(pair[1], conversation, 3, 0).getHasMore()).isFalse();

    PullMessagesResponse backward = before(pair[0], conversation, 5, 3);
    assertThat(backward.getMessagesList()).extracting(Message::getSeq).containsExactly(4L, 3L, 2L);
    assertThat(backward.getHasMore()).isTrue();
    assertThat(backward.getMessagesList().get(0).getContent().getText().getText()).isEqualTo("m4");
  }

  @Test
  void limitDefaultsTo50AndIsCappedAt200() {
    User[] pair = rig.friendsPair();
    String conversation = null;
    for (int i = 0; i < 205; i++) {
      conversation = rig.sendTo(pair[0], pair[1], "m" + i).getConversationId();
    }
    PullMessagesResponse defaults = rig.as(pair[1]).pullMessages(
        PullMessagesRequest.newBuilder().setConversationId(conversation).build());
    assertThat(defaults.getMessagesList()).extracting(Message::getSeq)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 50).mapToObj(Long::valueOf).toList());
    assertThat(after(pair[1], conversation, 0, 1000).getMessagesCount()).isEqualTo(200);
    assertThat(before(pair[1], conversation, 1000, 1000).getMessagesCount()).isEqualTo(200);
  }

  @Test
  void aNewGroupMemberSeesMessagesFromTheirJoinOn() {
    User owner = rig.user();
    User late = rig.user();
    String group = rig.groups().create(owner.id());
    rig.sendToGroup(owner, group, "before 1");
    rig.sendToGroup(owner, group, "before 2");
    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().add(group, late.id(), GroupRole.MEMBER);
    rig.sendToGroup(owner, group, "welcome");
    rig.sendToGroup(late, group, "thanks");

    PullMessagesResponse pulled = after(late, "g_" + group, 0, 50);
    assertThat(pulled.getMessagesList()).extracting(m -> m.getContent().getText().getText())
        .containsExactly("welcome", "thanks");
    assertThat(pulled.getLastSeq()).isEqualTo(4);
    assertThat(before(late, "g_" + group, 4, 50).getMessagesList()).extracting(Message::getSeq).containsExactly(3L);
    assertThat(before(late, "g_" + group, 4, 50).getHasMore()).isFalse();
    assertThat(after(owner, "g_" + group, 0, 50).getMessagesCount()).isEqualTo(4);
  }

  @Test
  void aRejoiningMemberSeesOnlyWhatWasSentSinceTheRejoin() {
    User owner = rig.user();
    User member = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.sendToGroup(owner, group, "first");
    assertThat(after(member, "g_" + group, 0, 50).getMessagesCount()).isEqualTo(1);

    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().remove(group, member.id());
    rig.sendToGroup(owner, group, "while away");
    assertFails(() -> after(member, "g_" + group, 0, 50), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.sendToGroup(owner, group, "welcome back");

    assertThat(after(member, "g_" + group, 0, 50).getMessagesList()).extracting(m -> m.getContent().getText().getText())
        .containsExactly("welcome back");
  }

  @Test
  void outsidersAreToldTheConversationDoesNotExist() {
    User[] pair = rig.friendsPair();
    User outsider = rig.user();
    String conversation = rig.sendTo(pair[0], pair[1], "private").getConversationId();
    String group = rig.groups().create(pair[0].id());
    rig.sendToGroup(pair[0], group, "members only");

    assertFails(() -> after(outsider, conversation, 0, 10), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> after(outsider, "g_" + group, 0, 10), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    assertFails(() -> after(outsider, "g_" + Ids.newId("g"), 0, 10), Status.Code.NOT_FOUND,
        ErrorReason.CONVERSATION_NOT_FOUND);
  }

  @Test
  void aParticipantOfAnEmptyPrivateConversationPullsNothing() {
    User a = rig.user();
    User b = rig.user();
    String conversation = a.id().compareTo(b.id()) < 0 ? "p_" + a.id() + "_" + b.id() : "p_" + b.id() + "_" + a.id();
    PullMessagesResponse pulled = after(a, conversation, 0, 10);
    assertThat(pulled.getMessagesList()).isEmpty();
    assertThat(pulled.getLastSeq()).isZero();
    assertThat(pulled.getHasMore()).isFalse();
  }

  @Test
  void malformedPullsAreInvalid() {
    User a = rig.user();
    String reversed = "p_" + "u" + "z".repeat(16) + "_" + a.id();
    for (String bad : new String[] {"", "x_1", "p_" + a.id(), reversed, "p_" + a.id() + "_" + a.id(), "g_nope"}) {
      Throwable thrown = assertFails(() -> after(a, bad, 0, 10), Status.Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_ARGUMENT);
      assertThat(violatedFields(thrown)).as(bad).containsExactly("conversation_id");
    }
    String group = "g_" + Ids.newId("g");
    assertThat(violatedFields(assertFails(() -> after(a, group, -1, 10), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("after_seq");
    assertThat(violatedFields(assertFails(() -> before(a, group, 0, 10), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("before_seq");
    assertThat(violatedFields(assertFails(() -> after(a, group, 0, -5), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("limit");
  }
}
