package io.parley.message;

import static io.parley.message.Errors.assertStatus;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.events.RedisEventBus;
import io.parley.events.RedisEventLog;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.Event;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.redis.RedisClients;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * What clients see while Redis is down, and after it is back: Redis carries only sessions and live
 * events, so history, read state and seqs survive it, even when it comes back empty.
 */
class RedisOutageTest {
  private static DatabaseSettings database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.shared().createDatabase();
  }

  private static User login(Platform platform, String userId) {
    return new User(userId, TestSessions.login(platform, userId, Terminal.WEB));
  }

  private static List<Long> pulled(Replica replica, User user, String conversation) {
    return replica.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversation).build())
        .getMessagesList().stream().map(Message::getSeq).toList();
  }

  /** Sessions in memory and live events on a Redis that dies: only the live events stop. */
  @Test
  void whileTheEventBusIsDownStreamsAreToldToResyncAndSendsAndPullsStillWork() {
    try (RedisServer redis = RedisServer.start();
        UnifiedJedis jedis = RedisClients.create(redis.url());
        RedisEventBus bus = new RedisEventBus(jedis);
        RedisEventLog log = new RedisEventLog(jedis, "msg-events", Duration.ofMinutes(2));
        Platform platform = TestPlatforms.create("memory", Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platform);
        Replica replica = Replica.inProcess(platform, bus, log, MessageRig.settings(), upstreams.target(), database)) {
      User alice = login(platform, Ids.newId("u"));
      User bob = login(platform, Ids.newId("u"));
      upstreams.friends.befriend(alice.id(), bob.id());
      EventStream stream = EventStream.subscribed(replica.asyncAs(bob));
      String conversation = replica.as(alice).sendMessage(to(bob, "before")).getConversationId();
      assertThat(stream.next().getMessage().getSeq()).isEqualTo(1);

      redis.kill();

      Event last = stream.next();
      assertThat(last.hasResyncRequired()).as("told that events may be lost: %s", last).isTrue();
      assertStatus(stream.awaitEnd(), Status.Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
      assertStatus(EventStream.open(replica.asyncAs(bob)).awaitEnd(), Status.Code.UNAVAILABLE,
          ErrorReason.STORE_UNAVAILABLE);
      assertThat(replica.as(alice).sendMessage(to(bob, "during")).getSeq()).isEqualTo(2);
      assertThat(pulled(replica, bob, conversation)).containsExactly(1L, 2L);

      redis.restart();

      EventStream again = await().atMost(Duration.ofSeconds(15)).until(() -> {
        EventStream attempt = EventStream.open(replica.asyncAs(bob));
        Event first = attempt.firstOrNull();
        return first != null && first.hasSubscribed() ? attempt : null;
      }, s -> s != null);
      try {
        assertThat(replica.as(alice).sendMessage(to(bob, "after")).getSeq()).isEqualTo(3);
        assertThat(again.next().getMessage().getContent().getText().getText()).isEqualTo("after");
      } finally {
        again.cancel();
      }
    }
  }

  /** Sessions and live events on one Redis that dies and comes back empty: users log in again, nothing else. */
  @Test
  void aRedisThatComesBackEmptyLosesNoMessageReadStateOrSeq() {
    try (RedisServer redis = RedisServer.start();
        Platform platform = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platform);
        Replica replica = Replica.inProcess(platform, MessageRig.settings(), upstreams.target(), database)) {
      String aliceId = Ids.newId("u");
      String bobId = Ids.newId("u");
      User alice = login(platform, aliceId);
      User bob = login(platform, bobId);
      upstreams.friends.befriend(aliceId, bobId);
      String conversation = null;
      for (int i = 1; i <= 3; i++) {
        conversation = replica.as(alice).sendMessage(to(bob, "m" + i)).getConversationId();
      }
      replica.as(bob).markRead(MarkReadRequest.newBuilder().setConversationId(conversation).setSeq(1).build());

      redis.kill();
      // Refused (the session cannot be checked), unless a session cached a moment longer lets it through.
      long sent = 3;
      Throwable send = catchThrowable(() -> replica.as(alice).sendMessage(to(bob, "while down")));
      if (send == null) {
        sent++;
      } else {
        assertThat(Status.fromThrowable(send).getCode()).as("%s", send).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(errorInfo(send).getReason())
            .isIn(ErrorReason.STORE_UNAVAILABLE.name(), ErrorReason.SESSION_STORE_UNAVAILABLE.name());
      }
      redis.restart();  // not persistent: it comes back empty, as if flushed

      User aliceAgain = await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
          .until(() -> login(platform, aliceId), u -> true);
      User bobAgain = login(platform, bobId);
      String id = conversation;
      List<Long> all = java.util.stream.LongStream.rangeClosed(1, sent).boxed().toList();
      await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
          .untilAsserted(() -> assertThat(pulled(replica, bobAgain, id)).isEqualTo(all));
      Conversation listed = replica.as(bobAgain).listConversations(ListConversationsRequest.getDefaultInstance())
          .getConversations(0);
      assertThat(listed.getReadSeq()).isEqualTo(1);
      assertThat(listed.getUnreadCount()).isEqualTo(sent - 1);
      assertThat(replica.as(aliceAgain).sendMessage(to(bob, "next")).getSeq()).as("seqs continue").isEqualTo(sent + 1);
    }
  }

  private static SendMessageRequest to(User user, String text) {
    return text(Ids.newId("c"), text).toBuilder().setToUserId(user.id()).build();
  }
}
