package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.assertStatus;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SendTypingRequest;
import io.parley.ratelimit.RateLimit;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisCluster;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two message-svc replicas, each with its own platform, their messages in one PostgreSQL database
 * and their sessions and live events on one real Redis Cluster: what one replica is told reaches the
 * streams, caches and stores of the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossReplicaTest {
  private RedisCluster cluster;
  private Platform platformA;
  private Platform platformB;
  private Upstreams upstreams;
  private Replica a;
  private Replica b;

  @BeforeAll
  void start() {
    cluster = RedisCluster.start();
    platformA = TestPlatforms.create(cluster.url(), Clock.systemUTC());
    platformB = TestPlatforms.create(cluster.url(), Clock.systemUTC());
    upstreams = Upstreams.start(platformA);
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    // Caches that outlive every test: only the change events can make a replica notice a change.
    MessageSettings settings = MessageRig.settings().withCacheTtl(Duration.ofMinutes(5));
    a = Replica.inProcess(platformA, settings, upstreams.target(), database);
    b = Replica.inProcess(platformB, settings, upstreams.target(), database);
  }

  @AfterAll
  void stop() {
    a.close();
    b.close();
    upstreams.close();
    platformA.close();
    platformB.close();
    cluster.close();
  }

  private User user() {
    String id = Ids.newId("u");
    return new User(id, TestSessions.login(platformA, id, Terminal.WEB));
  }

  private static SendMessageRequest to(User user, String text) {
    return text(Ids.newId("c"), text).toBuilder().setToUserId(user.id()).build();
  }

  @Test
  void whatIsSentThroughOneReplicaReachesSubscribersOnTheOther() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    String group = upstreams.groups.create(alice.id());
    upstreams.groups.add(group, bob.id(), GroupRole.MEMBER);
    EventStream bobOnB = EventStream.subscribed(b.asyncAs(bob));
    try {
      SendMessageResponse direct = a.as(alice).sendMessage(to(bob, "via A"));
      SendMessageResponse toGroup = a.as(alice).sendMessage(
          text(Ids.newId("c"), "group via A").toBuilder().setToGroupId(group).build());

      // Order is promised within a conversation only.
      java.util.Map<String, String> received = new java.util.HashMap<>();
      for (int i = 0; i < 2; i++) {
        Event event = bobOnB.next();
        received.put(event.getMessage().getMessageId(), event.getMessage().getContent().getText().getText());
      }
      assertThat(received).containsOnly(
          java.util.Map.entry(direct.getMessageId(), "via A"),
          java.util.Map.entry(toGroup.getMessageId(), "group via A"));

      a.as(alice).recallMessage(RecallMessageRequest.newBuilder()
          .setConversationId(direct.getConversationId()).setSeq(direct.getSeq()).build());
      assertThat(bobOnB.next().getRecall().getMessageId()).isEqualTo(direct.getMessageId());
    } finally {
      bobOnB.cancel();
    }
  }

  @Test
  void editsReactionsAndTypingThroughOneReplicaReachSubscribersOnTheOther() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    EventStream bobOnB = EventStream.subscribed(b.asyncAs(bob));
    try {
      SendMessageResponse sent = a.as(alice).sendMessage(to(bob, "helo"));
      assertThat(bobOnB.next().getMessage().getSeq()).isEqualTo(sent.getSeq());
      a.as(alice).editMessage(EditMessageRequest.newBuilder().setConversationId(sent.getConversationId())
          .setSeq(sent.getSeq()).setContent(to(bob, "hello").getContent()).build());
      a.as(alice).addReaction(AddReactionRequest.newBuilder().setConversationId(sent.getConversationId())
          .setSeq(sent.getSeq()).setEmoji("👋").build());
      a.as(alice).sendTyping(SendTypingRequest.newBuilder().setConversationId(sent.getConversationId()).build());

      assertThat(bobOnB.next().getEdit().getEditCount()).isEqualTo(1);
      assertThat(bobOnB.next().getReaction().getEmoji()).isEqualTo("👋");
      assertThat(bobOnB.next().getTyping().getUserId()).isEqualTo(alice.id());
      assertThat(b.as(bob).pullMessages(PullMessagesRequest.newBuilder().setConversationId(sent.getConversationId())
          .build()).getMessages(0).getContent().getText().getText()).isEqualTo("hello");
    } finally {
      bobOnB.cancel();
    }
  }

  @Test
  void theSendLimitHoldsAcrossReplicas() {
    MessageSettings limited = MessageRig.settings()
        .withSendLimit(RateLimit.parse(MessageSettings.SEND_LIMIT, "1/1h,burst=3"));
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    try (Replica c = Replica.inProcess(platformA, limited, upstreams.target(), database);
        Replica d = Replica.inProcess(platformB, limited, upstreams.target(), database)) {
      User alice = user();
      User bob = user();
      upstreams.friends.befriend(alice.id(), bob.id());
      c.as(alice).sendMessage(to(bob, "1 via C"));
      d.as(alice).sendMessage(to(bob, "2 via D"));
      c.as(alice).sendMessage(to(bob, "3 via C"));

      for (Replica via : List.of(c, d)) {
        Throwable thrown = assertFails(() -> via.as(alice).sendMessage(to(bob, "4")), Status.Code.RESOURCE_EXHAUSTED,
            ErrorReason.RATE_LIMITED);
        assertThat(Errors.retryInfo(thrown).getRetryDelay().getSeconds()).isBetween(3590L, 3600L);
      }
      assertThat(d.as(bob).sendMessage(to(alice, "bob has his own")).getSeq()).isEqualTo(4);
    }
  }

  @Test
  void sendsThroughBothReplicasToOneConversationArriveInSeqOrder() throws Exception {
    User owner = user();
    User member = user();
    User watcher = user();
    String group = upstreams.groups.create(owner.id());
    upstreams.groups.add(group, member.id(), GroupRole.MEMBER);
    upstreams.groups.add(group, watcher.id(), GroupRole.MEMBER);
    EventStream onA = EventStream.subscribed(a.asyncAs(watcher));
    try {
      // A replica orders a conversation from the first event of it that it reads (EventOrder): were
      // the first two sends racing, seq 2 could be read first and seq 1 dropped as late. So one
      // message goes first, and the race is the one that ordering is for: the sends after it.
      b.as(member).sendMessage(text(Ids.newId("c"), "first").toBuilder().setToGroupId(group).build());
      assertThat(onA.next().getMessage().getSeq()).isEqualTo(1);
      int each = 40;
      CountDownLatch done = new CountDownLatch(2);
      for (Replica via : List.of(a, b)) {
        User sender = via == a ? owner : member;
        new Thread(() -> {
          for (int i = 0; i < each; i++) {
            via.as(sender).sendMessage(text(Ids.newId("c"), "m" + i).toBuilder().setToGroupId(group).build());
          }
          done.countDown();
        }).start();
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < 2 * each; i++) {
        seqs.add(onA.next().getMessage().getSeq());
      }
      assertThat(seqs).isEqualTo(LongStream.rangeClosed(2, 1 + 2 * each).boxed().toList());
    } finally {
      onA.cancel();
    }
  }

  @Test
  void aReadOnOneReplicaSendsTheReceiptThroughTheOther() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    EventStream aliceOnA = EventStream.subscribed(a.asyncAs(alice));
    try {
      SendMessageResponse sent = a.as(alice).sendMessage(to(bob, "read me"));
      b.as(bob).markRead(MarkReadRequest.newBuilder().setConversationId(sent.getConversationId()).setSeq(1).build());
      Event receipt = aliceOnA.next();
      assertThat(receipt.getReadReceipt().getUserId()).isEqualTo(bob.id());
      assertThat(receipt.getReadReceipt().getReadSeq()).isEqualTo(1);
      assertThat(a.as(bob).listConversations(ListConversationsRequest.getDefaultInstance())
          .getConversations(0).getUnreadCount()).isZero();
    } finally {
      aliceOnA.cancel();
    }
  }

  @Test
  void aRetryThroughTheOtherReplicaReturnsTheFirstResult() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    SendMessageRequest request = to(bob, "once");
    SendMessageResponse first = a.as(alice).sendMessage(request);
    SendMessageResponse retry = b.as(alice).sendMessage(request);
    assertThat(retry).isEqualTo(first.toBuilder().setDuplicate(true).build());
    assertThat(b.as(bob).sendMessage(to(alice, "reply")).getSeq()).isEqualTo(2);
  }

  @Test
  void aLoginOnOneReplicaEndsTheKickedSessionsStreamOnTheOther() {
    User alice = user();
    EventStream onB = EventStream.subscribed(b.asyncAs(alice));
    TestSessions.login(platformA, alice.id(), Terminal.WEB);
    assertThat(onB.next().getSessionEnded().getReason()).isEqualTo("SESSION_KICKED");
    assertStatus(onB.awaitEnd(), Status.Code.UNAUTHENTICATED, ErrorReason.SESSION_KICKED);
  }

  @Test
  void aMembershipChangeAnnouncedOnceIsHeardByEveryReplica() throws Exception {
    User owner = user();
    User member = user();
    String group = upstreams.groups.create(owner.id());
    upstreams.groups.add(group, member.id(), GroupRole.MEMBER);
    SendMessageRequest hello = text(Ids.newId("c"), "hello").toBuilder().setToGroupId(group).build();
    assertThat(b.as(member).sendMessage(hello).getSeq()).isEqualTo(1);

    upstreams.groups.remove(group, member.id());  // announced through platform A's event bus

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Throwable failure = null;
    while (failure == null && System.nanoTime() < deadline) {
      failure = catchThrowable(() -> b.as(member).sendMessage(
          text(Ids.newId("c"), "still here?").toBuilder().setToGroupId(group).build()));
      if (failure == null) {
        Thread.sleep(10);
      }
    }
    assertThat(failure).as("replica B heard of the removal, long before its cache expires").isNotNull();
    assertFails(() -> b.as(member).sendMessage(hello.toBuilder().setClientMsgId(Ids.newId("c")).build()),
        Status.Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND);
  }
}
