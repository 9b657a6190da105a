package io.parley.message;

import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.message.v1.Event;
import io.parley.message.v1.ResumeOutcome;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A client streaming from one message-svc replica that dies mid-stream resumes from its last cursor
 * on another, over TCP, with its data in PostgreSQL and the event log on a real Redis, while a
 * sender keeps sending: it ends up with every message exactly once, in seq order. The other replica
 * replays from what it read itself, or, if it started after the cursor, from the log in Redis.
 */
class ResumeAcrossReplicasTest {
  private static final int MESSAGES = 300;

  @Test
  void aClientResumesOnAReplicaThatSawTheEventsWithoutAGapOrADuplicate() throws Exception {
    killAndResume(false);
  }

  @Test
  void aClientResumesOnAReplicaStartedAfterItsCursorFromTheLogInRedis() throws Exception {
    killAndResume(true);
  }

  private static void killAndResume(boolean resumeOnANewReplica) throws Exception {
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    try (RedisServer redis = RedisServer.start();
        Platform platformA = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Platform platformB = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Platform platformC = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platformB);
        Replica b = Replica.tcp(platformB, MessageRig.settings(), upstreams.target(), database)) {
      Replica a = Replica.tcp(platformA, MessageRig.settings(), upstreams.target(), database);
      String aliceId = Ids.newId("u");
      String bobId = Ids.newId("u");
      User alice = new User(aliceId, TestSessions.login(platformB, aliceId, Terminal.WEB));
      User bob = new User(bobId, TestSessions.login(platformB, bobId, Terminal.WEB));
      upstreams.friends.befriend(aliceId, bobId);

      EventStream onA = EventStream.subscribed(a.asyncAs(bob));
      AtomicInteger sent = new AtomicInteger();
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        for (int i = 1; i <= MESSAGES; i++) {
          b.as(alice).sendMessage(text(Ids.newId("c"), "m" + i).toBuilder().setToUserId(bobId).build());
          sent.incrementAndGet();
        }
      });

      List<Long> seqs = new ArrayList<>();
      String cursor = null;
      while (seqs.size() < MESSAGES / 3) {
        Event event = onA.next();
        seqs.add(event.getMessage().getSeq());
        cursor = event.getCursor();
      }
      a.kill();
      // What A wrote before it died may still be on its way: read it, as a client would.
      assertThat(Status.fromThrowable(onA.awaitEnd()).getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
      for (Event event = onA.poll(Duration.ZERO); event != null; event = onA.poll(Duration.ZERO)) {
        seqs.add(event.getMessage().getSeq());
        cursor = event.getCursor();
      }
      int beforeResume = seqs.size();
      // Messages sent while the client is away: the resume must replay them.
      int sentAtDeath = sent.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> sent.get() >= Math.min(MESSAGES, sentAtDeath + 20));
      assertThat(sentAtDeath).as("the replica died mid-stream").isLessThan(MESSAGES);

      Replica c = resumeOnANewReplica ? Replica.tcp(platformC, MessageRig.settings(), upstreams.target(), database) : b;
      try {
        EventStream resumed = EventStream.resume(c.asyncAs(bob), cursor);
        try {
          assertThat(resumed.next().getSubscribed().getResume()).isEqualTo(ResumeOutcome.RESUME_OUTCOME_RESUMED);
          while (seqs.size() < MESSAGES) {
            seqs.add(resumed.next().getMessage().getSeq());
          }
          sender.get(30, TimeUnit.SECONDS);
          assertThat(resumed.poll(Duration.ofMillis(300))).as("nothing more").isNull();
        } finally {
          resumed.cancel();
        }
      } finally {
        if (c != b) {
          c.close();
        }
      }
      assertThat(seqs).as("%d before the resume", beforeResume)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, MESSAGES).boxed().toList());
    }
  }
}
