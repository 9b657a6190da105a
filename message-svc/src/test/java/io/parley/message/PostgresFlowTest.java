package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.Event;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** End-to-end flows through the gRPC service on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresFlowTest {
  private final MessageRig rig = MessageRig.onPostgres();

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private List<Message> pull(User user, String conversation) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversation).build())
        .getMessagesList();
  }

  private List<Conversation> list(User user) {
    return rig.as(user).listConversations(ListConversationsRequest.getDefaultInstance()).getConversationsList();
  }

  @Test
  void aConversationFromFirstMessageToRecall() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    User bob = pair[1];
    EventStream bobStream = EventStream.subscribed(rig.asyncAs(bob));
    try {
      SendMessageRequest hello = text("hello-1", "hello").toBuilder().setToUserId(bob.id()).build();
      SendMessageResponse first = rig.as(alice).sendMessage(hello);
      assertThat(rig.as(alice).sendMessage(hello)).isEqualTo(first.toBuilder().setDuplicate(true).build());
      rig.sendTo(bob, alice, "hi");
      SendMessageResponse third = rig.sendTo(alice, bob, "how are you?");

      assertThat(bobStream.next().getMessage().getMessageId()).isEqualTo(first.getMessageId());
      assertThat(bobStream.next().getMessage().getMessageId()).isEqualTo(third.getMessageId());
      assertThat(pull(bob, first.getConversationId())).extracting(Message::getSeq).containsExactly(1L, 2L, 3L);
      assertThat(list(bob)).singleElement().satisfies(c -> {
        assertThat(c.getPeerUserId()).isEqualTo(alice.id());
        assertThat(c.getReadSeq()).as("bob replied without reading 1").isZero();
        assertThat(c.getUnreadCount()).as("1 and 3, not bob's own 2").isEqualTo(2);
        assertThat(c.getLastMessage().getContent().getText().getText()).isEqualTo("how are you?");
      });

      assertThat(rig.as(bob).markRead(MarkReadRequest.newBuilder()
          .setConversationId(first.getConversationId()).setSeq(99).build()).getReadSeq()).isEqualTo(3);
      Message tombstone = rig.as(alice).recallMessage(RecallMessageRequest.newBuilder()
          .setConversationId(third.getConversationId()).setSeq(3).build());
      Event recall = bobStream.next();
      assertThat(recall.getRecall().getSeq()).isEqualTo(3);
      assertThat(pull(bob, first.getConversationId()).get(2)).isEqualTo(tombstone);
      assertThat(list(alice).get(0).getLastMessage().getRecalled()).isTrue();
    } finally {
      bobStream.cancel();
    }
  }

  @Test
  void aGroupMemberSeesTheGroupFromTheirJoinAndItsUnreadCount() {
    User owner = rig.user();
    User late = rig.user();
    String group = rig.groups().create(owner.id());
    rig.sendToGroup(owner, group, "before");
    rig.clock.advance(Duration.ofSeconds(1));
    rig.groups().add(group, late.id(), GroupRole.MEMBER);
    assertThat(list(late)).isEmpty();
    rig.sendToGroup(owner, group, "after");
    rig.sendToGroup(late, group, "mine");

    assertThat(pull(late, "g_" + group)).extracting(Message::getSeq).containsExactly(2L, 3L);
    assertThat(list(late)).singleElement().satisfies(c -> {
      assertThat(c.getGroupId()).isEqualTo(group);
      assertThat(c.getReadSeq()).isEqualTo(1);
      assertThat(c.getUnreadCount()).as("the join point and one's own message").isEqualTo(1);
    });
  }

  @Test
  void aRefusedSendOrRecallChangesNothing() {
    User a = rig.user();
    User b = rig.user();
    assertFails(() -> rig.sendTo(a, b, "uninvited"), Status.Code.PERMISSION_DENIED,
        ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
    assertThat(list(a)).isEmpty();
    assertThat(list(b)).isEmpty();

    rig.friends().befriend(a.id(), b.id());
    SendMessageResponse sent = rig.sendTo(a, b, "mine to recall");
    assertFails(() -> rig.as(b).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(1).build()),
        Status.Code.PERMISSION_DENIED, ErrorReason.RECALL_NOT_ALLOWED);
    rig.clock.advance(MessageSettings.defaults().recallWindow().plusSeconds(1));
    assertFails(() -> rig.as(a).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(1).build()),
        Status.Code.FAILED_PRECONDITION, ErrorReason.RECALL_WINDOW_EXPIRED);

    Message stored = pull(b, sent.getConversationId()).get(0);
    assertThat(stored.getRecalled()).isFalse();
    assertThat(stored.getContent().getText().getText()).isEqualTo("mine to recall");
    assertThat(rig.sendTo(b, a, "next").getSeq()).as("nothing consumed a seq").isEqualTo(2);
  }

  @Test
  void aParticipantWhoSends20000MessagesDoesNotEraseTheFirstOne() throws Exception {
    User[] pair = rig.friendsPair();
    SendMessageResponse first = rig.sendTo(pair[1], pair[0], "the first message");
    int flood = 20_000;
    Semaphore window = new Semaphore(256);
    CountDownLatch done = new CountDownLatch(flood);
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < flood; i++) {
      window.acquire();
      rig.asyncAs(pair[0]).sendMessage(text("flood-" + i, "spam " + i).toBuilder().setToUserId(pair[1].id()).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(SendMessageResponse value) {}

            @Override
            public void onError(Throwable t) {
              failed.incrementAndGet();
              failure.set(t);
              window.release();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              window.release();
              done.countDown();
            }
          });
    }
    assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
    assertThat(failed.get()).as("failures, e.g. %s", failure.get()).isZero();

    PullMessagesResponse oldest = rig.as(pair[1]).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(first.getConversationId()).setAfterSeq(0).setLimit(1).build());
    assertThat(oldest.getMessages(0).getMessageId()).isEqualTo(first.getMessageId());
    assertThat(oldest.getMessages(0).getContent().getText().getText()).isEqualTo("the first message");
    assertThat(oldest.getLastSeq()).isEqualTo(flood + 1);
    assertThat(list(pair[1]).get(0).getUnreadCount()).isEqualTo(flood);
  }

  @Test
  void withARetentionAgeOldMessagesAreHiddenThenDeletedAndSeqsContinue() {
    try (MessageRig kept = MessageRig.onPostgres(MessageRig.settings().withRetentionAge(Duration.ofDays(7)))) {
      User[] pair = kept.friendsPair();
      String conversation = kept.sendTo(pair[0], pair[1], "old 1").getConversationId();
      kept.sendTo(pair[0], pair[1], "old 2");
      kept.clock.advance(Duration.ofDays(6));
      User alice = kept.login(pair[0].id(), Terminal.WEB);  // sessions do not last days
      User bob = kept.login(pair[1].id(), Terminal.WEB);
      kept.sendTo(bob, alice, "recent");
      kept.clock.advance(Duration.ofDays(2));
      User alice2 = kept.login(alice.id(), Terminal.WEB);
      User bob2 = kept.login(bob.id(), Terminal.WEB);

      assertThat(kept.as(alice2).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversation)
          .build()).getMessagesList()).extracting(Message::getSeq).containsExactly(3L);
      assertThat(kept.as(bob2).listConversations(ListConversationsRequest.getDefaultInstance())
          .getConversations(0).getUnreadCount()).isZero();
      assertThat(kept.as(alice2).listConversations(ListConversationsRequest.getDefaultInstance())
          .getConversations(0).getUnreadCount()).isEqualTo(1);
      assertThat(kept.replica.module.sweepRetention()).isEqualTo(2);
      assertThat(kept.replica.module.sweepRetention()).isZero();
      assertThat(kept.sendTo(alice2, bob2, "new").getSeq()).isEqualTo(4);

      kept.clock.advance(Duration.ofDays(8));
      User alice3 = kept.login(alice.id(), Terminal.WEB);
      assertThat(kept.as(alice3).listConversations(ListConversationsRequest.getDefaultInstance())
          .getConversationsList()).as("nothing left to show").isEmpty();
    }
  }

  @Test
  void aLongHistoryIsPulledByPagesOfItsSeqs() {
    User[] pair = rig.friendsPair();
    String conversation = null;
    for (int i = 1; i <= 450; i++) {
      conversation = rig.sendTo(pair[i % 2], pair[(i + 1) % 2], "m" + i).getConversationId();
    }
    long after = 0;
    int pages = 0;
    PullMessagesResponse page;
    do {
      page = rig.as(pair[0]).pullMessages(PullMessagesRequest.newBuilder()
          .setConversationId(conversation).setAfterSeq(after).setLimit(200).build());
      assertThat(page.getMessages(0).getSeq()).isEqualTo(after + 1);
      after = page.getMessages(page.getMessagesCount() - 1).getSeq();
      pages++;
    } while (page.getHasMore());
    assertThat(pages).isEqualTo(3);
    assertThat(after).isEqualTo(450);
    PullMessagesResponse back = rig.as(pair[1]).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(conversation).setBeforeSeq(3).setLimit(200).build());
    assertThat(back.getMessagesList()).extracting(Message::getSeq).containsExactly(2L, 1L);
    assertThat(back.getHasMore()).isFalse();
    assertThat(Ids.isValid(back.getMessages(0).getMessageId(), "m")).isTrue();
  }
}
