package io.parley.message;

import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL killed with SIGKILL under a send load through two replicas (sharing the database,
 * events on a real Redis), then started again: every acknowledged send is stored once, seqs stay
 * gapless, every failure meanwhile is UNAVAILABLE with a reason, and sends work again without
 * restarting anything.
 */
class PostgresOutageTest {
  private static final Logger logger = LoggerFactory.getLogger(PostgresOutageTest.class);

  private static final int THREADS = 6;

  /** One send as the client saw it. */
  private record Attempt(User sender, SendMessageRequest request) {}

  @Test
  void killingPostgresUnderLoadLosesAndDoublesNothingAndSendsWorkAgainWithoutARestart() throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        RedisServer redis = RedisServer.start();
        Platform platformA = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Platform platformB = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platformA)) {
      DatabaseSettings database = postgres.createDatabase().withConnectTimeout(Duration.ofSeconds(1));
      try (Replica a = Replica.inProcess(platformA, MessageRig.settings(), upstreams.target(), database);
          Replica b = Replica.inProcess(platformB, MessageRig.settings(), upstreams.target(), database)) {
        User hub = login(platformA);
        String group = upstreams.groups.create(hub.id());
        List<User> senders = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          User sender = login(platformA);
          senders.add(sender);
          upstreams.friends.befriend(hub.id(), sender.id());
          upstreams.groups.add(group, sender.id(), GroupRole.MEMBER);
        }

        Map<String, SendMessageResponse> acked = new ConcurrentHashMap<>();
        Map<String, Attempt> failed = new ConcurrentHashMap<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ackedAfterRestart = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          User sender = senders.get(t);
          Thread thread = new Thread(() -> {
            for (int k = 0; running.get(); k++) {
              Replica via = k % 2 == 0 ? a : b;
              SendMessageRequest.Builder request = text(Ids.newId("c"), "load " + k).toBuilder();
              SendMessageRequest send = (k % 3 == 0 ? request.setToGroupId(group) : request.setToUserId(hub.id())).build();
              try {
                acked.put(send.getClientMsgId(),
                    via.as(sender).withDeadlineAfter(20, TimeUnit.SECONDS).sendMessage(send));
                if (restarted.get()) {
                  ackedAfterRestart.incrementAndGet();
                }
              } catch (StatusRuntimeException e) {
                failed.put(send.getClientMsgId(), new Attempt(sender, send));
                failures.add(e);
                sleep(20);  // a client backs off
              }
            }
          }, "load-" + t);
          thread.start();
          threads.add(thread);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 300);
        postgres.kill();
        int ackedAtKill = acked.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> failures.size() >= 2 * THREADS);
        postgres.restart();
        restarted.set(true);
        await().atMost(Duration.ofSeconds(60)).until(() -> ackedAfterRestart.get() >= 200);
        running.set(false);
        for (Thread thread : threads) {
          thread.join(30_000);
        }
        logger.warn("outage run: {} acknowledged before the kill, {} in all, {} failed during the outage",
            ackedAtKill, acked.size(), failures.size());

        // Every failure was UNAVAILABLE with a reason, never INTERNAL or UNKNOWN.
        for (Throwable failure : failures) {
          Errors.assertStatus(failure, Status.Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
        }
        // A failed send's outcome is unknown to its client (the commit may have happened): its retry
        // settles it, stored once either way.
        for (Map.Entry<String, Attempt> retry : failed.entrySet()) {
          Attempt attempt = retry.getValue();
          acked.put(retry.getKey(), a.as(attempt.sender()).sendMessage(attempt.request()));
        }

        Map<String, List<Message>> stored = new HashMap<>();
        Map<String, Long> lastSeqs = new HashMap<>();
        acked.values().forEach(r -> lastSeqs.merge(r.getConversationId(), r.getSeq(), Math::max));
        for (String conversation : lastSeqs.keySet()) {
          List<Long> seqs = new ArrayList<>();
          long after = 0;
          PullMessagesResponse page;
          do {
            page = b.as(hub).pullMessages(PullMessagesRequest.newBuilder()
                .setConversationId(conversation).setAfterSeq(after).setLimit(200).build());
            for (Message message : page.getMessagesList()) {
              seqs.add(message.getSeq());
              stored.computeIfAbsent(message.getClientMsgId(), c -> new ArrayList<>()).add(message);
              after = message.getSeq();
            }
          } while (page.getHasMore());
          assertThat(seqs).as("seqs of %s", conversation)
              .isEqualTo(LongStream.rangeClosed(1, page.getLastSeq()).boxed().toList());
        }
        for (Map.Entry<String, SendMessageResponse> send : acked.entrySet()) {
          List<Message> copies = stored.get(send.getKey());
          assertThat(copies).as("stored copies of %s", send.getKey()).hasSize(1);
          assertThat(copies.get(0).getMessageId()).isEqualTo(send.getValue().getMessageId());
          assertThat(copies.get(0).getSeq()).isEqualTo(send.getValue().getSeq());
        }
        assertThat(stored.keySet()).isEqualTo(acked.keySet());
        assertThat(failures).as("the outage was seen").isNotEmpty();
      }
    }
  }

  private static User login(Platform platform) {
    String id = Ids.newId("u");
    return new User(id, TestSessions.login(platform, id, Terminal.WEB));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
