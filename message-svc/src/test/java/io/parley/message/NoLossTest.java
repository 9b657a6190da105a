package io.parley.message;

import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SubscribeRequest;
import io.parley.database.DatabaseSettings;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No loss, no duplicates, across replicas: two message-svc replicas, each its own platform and
 * server on a real port, their messages in one PostgreSQL database and their live events on one
 * real Redis. Several senders send 10,000 messages over several
 * private and group conversations through both replicas, pipelined, and retry some sends through
 * the other replica. One subscriber is connected to replica A, disconnects mid-way, reconnects to
 * replica B, and catches up the way a client does: subscribe, then pull each conversation from its
 * last seen seq, ignoring what it already has.
 *
 * <p>It then holds every message exactly once (by id), each stream pushed each message at most
 * once and every conversation's seqs without a gap, and every conversation's stored seqs are
 * gapless from 1.
 */
class NoLossTest {
  private static final Logger logger = LoggerFactory.getLogger(NoLossTest.class);

  private static final int MESSAGES = 10_000;
  private static final int SENDERS = 6;
  private static final int THREADS = 3;
  private static final int WINDOW = 64;
  private static final int RETRY_EVERY = 50;

  /** The subscriber's view, as a client keeps it: messages by conversation and seq. */
  private static final class Inbox {
    private final Map<String, TreeMap<Long, String>> bySeq = new HashMap<>();
    private final Map<String, Long> contiguous = new HashMap<>();
    private final Set<String> ids = new HashSet<>();
    private int duplicatesById;

    synchronized void accept(Message message) {
      TreeMap<Long, String> conversation = bySeq.computeIfAbsent(message.getConversationId(), c -> new TreeMap<>());
      if (conversation.containsKey(message.getSeq())) {
        return;  // already had it: a pull and a push overlapped
      }
      conversation.put(message.getSeq(), message.getMessageId());
      if (!ids.add(message.getMessageId())) {
        duplicatesById++;
      }
      long last = contiguous.getOrDefault(message.getConversationId(), 0L);
      while (conversation.containsKey(last + 1)) {
        last++;
      }
      contiguous.put(message.getConversationId(), last);
    }

    synchronized long lastSeen(String conversation) {
      return contiguous.getOrDefault(conversation, 0L);
    }

    synchronized Set<String> ids() {
      return Set.copyOf(ids);
    }

    synchronized int duplicatesById() {
      return duplicatesById;
    }
  }

  /** One Subscribe stream: what it pushed, checked as it arrives. */
  private static final class Stream implements ClientResponseObserver<SubscribeRequest, Event> {
    final Inbox inbox;
    final CountDownLatch subscribed = new CountDownLatch(1);
    final Map<String, Long> lastPushed = new ConcurrentHashMap<>();
    final Set<String> pushedIds = ConcurrentHashMap.newKeySet();
    final AtomicInteger pushed = new AtomicInteger();
    final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = new ArrayList<>();
    final AtomicReference<Throwable> ended = new AtomicReference<>();
    private volatile ClientCallStreamObserver<SubscribeRequest> call;

    Stream(Inbox inbox) {
      this.inbox = inbox;
    }

    static Stream open(Replica replica, User user, Inbox inbox) throws InterruptedException {
      Stream stream = new Stream(inbox);
      replica.asyncAs(user).subscribe(SubscribeRequest.getDefaultInstance(), stream);
      assertThat(stream.subscribed.await(10, TimeUnit.SECONDS)).as("subscribed").isTrue();
      return stream;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
      this.call = requestStream;
    }

    void cancel() {
      call.cancel("going offline", null);
    }

    @Override
    public void onNext(Event event) {
      if (event.hasSubscribed()) {
        subscribed.countDown();
        return;
      }
      if (!event.hasMessage()) {
        synchronized (problems) {
          problems.add("unexpected event " + event.getKindCase());
        }
        return;
      }
      Message message = event.getMessage();
      pushed.incrementAndGet();
      latencies.add(System.currentTimeMillis() - com.google.protobuf.util.Timestamps.toMillis(message.getServerTime()));
      if (!pushedIds.add(message.getMessageId())) {
        synchronized (problems) {
          problems.add("pushed twice: " + message.getMessageId());
        }
      }
      Long previous = lastPushed.put(message.getConversationId(), message.getSeq());
      if (previous != null && message.getSeq() != previous + 1) {
        synchronized (problems) {
          problems.add("gap or reorder in " + message.getConversationId() + ": " + previous + " then " + message.getSeq());
        }
      }
      inbox.accept(message);
    }

    @Override
    public void onError(Throwable t) {
      ended.set(t);
    }

    @Override
    public void onCompleted() {
      ended.set(new IllegalStateException("completed"));
    }
  }

  private record Job(int sender, SendMessageRequest request) {}

  @Test
  void tenThousandMessagesAcrossTwoReplicasAreReceivedExactlyOnce() throws Exception {
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    try (RedisServer redis = RedisServer.start();
        Platform platformA = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Platform platformB = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platformA);
        Replica a = Replica.tcp(platformA, MessageRig.settings(), upstreams.target(), database);
        Replica b = Replica.tcp(platformB, MessageRig.settings(), upstreams.target(), database)) {
      User subscriber = login(platformA);
      List<User> senders = new ArrayList<>();
      for (int i = 0; i < SENDERS; i++) {
        User sender = login(platformA);
        senders.add(sender);
        upstreams.friends.befriend(subscriber.id(), sender.id());
      }
      String bigGroup = upstreams.groups.create(subscriber.id());
      String smallGroup = upstreams.groups.create(senders.get(0).id());
      upstreams.groups.add(smallGroup, subscriber.id(), GroupRole.MEMBER);
      for (int i = 0; i < SENDERS; i++) {
        upstreams.groups.add(bigGroup, senders.get(i).id(), GroupRole.MEMBER);
        if (i % 2 == 0 && i > 0) {
          upstreams.groups.add(smallGroup, senders.get(i).id(), GroupRole.MEMBER);
        }
      }

      // Each sender writes to the subscriber and to each of its groups, in turn.
      List<Job> jobs = new ArrayList<>(MESSAGES);
      for (int k = 0; k < MESSAGES; k++) {
        int sender = k % SENDERS;
        SendMessageRequest.Builder request = text("c" + k, "message " + k).toBuilder();
        int turn = (k / SENDERS) % (sender % 2 == 0 ? 3 : 2);
        if (turn == 0) {
          request.setToUserId(subscriber.id());
        } else if (turn == 1) {
          request.setToGroupId(bigGroup);
        } else {
          request.setToGroupId(smallGroup);
        }
        jobs.add(new Job(sender, request.build()));
      }

      List<String> conversations = new ArrayList<>(List.of("g_" + bigGroup, "g_" + smallGroup));
      senders.forEach(s -> conversations.add(ConversationId.ofUsers(subscriber.id(), s.id()).value()));

      Inbox inbox = new Inbox();
      Stream first = Stream.open(a, subscriber, inbox);

      Map<String, SendMessageResponse> sent = new ConcurrentHashMap<>();
      Map<String, Long> lastSeqs = new ConcurrentHashMap<>();
      List<String> sendProblems = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger acked = new AtomicInteger();
      AtomicInteger retried = new AtomicInteger();
      CountDownLatch allDone = new CountDownLatch(MESSAGES + MESSAGES / RETRY_EVERY);
      long start = System.nanoTime();

      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t;
        Thread thread = new Thread(() -> {
          Semaphore window = new Semaphore(WINDOW);
          for (int k = offset; k < MESSAGES; k += THREADS) {
            Job job = jobs.get(k);
            Replica via = k % 2 == 0 ? a : b;
            Replica other = via == a ? b : a;
            User sender = senders.get(job.sender());
            boolean retry = k % RETRY_EVERY == 0;
            window.acquireUninterruptibly();
            via.asyncAs(sender).sendMessage(job.request(), new Unary<>(response -> {
              sent.put(response.getMessageId(), response);
              lastSeqs.merge(response.getConversationId(), response.getSeq(), Math::max);
              acked.incrementAndGet();
              window.release();
              allDone.countDown();
              if (retry) {
                other.asyncAs(sender).sendMessage(job.request(), new Unary<>(again -> {
                  if (!again.equals(response.toBuilder().setDuplicate(true).build())) {
                    sendProblems.add("retry answered " + again + " for " + response);
                  }
                  retried.incrementAndGet();
                  allDone.countDown();
                }, sendProblems, allDone));
              }
            }, sendProblems, allDone, window));
          }
        }, "sender-" + t);
        thread.start();
        threads.add(thread);
      }

      // Mid-way the subscriber drops off, misses a stretch, and comes back on the other replica.
      awaitAtLeast(acked, MESSAGES * 3 / 10);
      first.cancel();
      awaitAtLeast(acked, MESSAGES * 6 / 10);
      Stream second = Stream.open(b, subscriber, inbox);
      int pulled = 0;
      for (String conversation : conversations) {
        pulled += catchUp(b, subscriber, inbox, conversation);
      }

      assertThat(allDone.await(60, TimeUnit.SECONDS)).as("every send answered").isTrue();
      double sendSeconds = (System.nanoTime() - start) / 1e9;
      for (Thread thread : threads) {
        thread.join();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!caughtUp(inbox, lastSeqs) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double totalSeconds = (System.nanoTime() - start) / 1e9;
      logger.warn("no-loss run: {} messages sent in {} s ({} msg/s), all received after {} s; pushed {} + {}, "
              + "pulled {}, {} retries answered as duplicates",
          MESSAGES, String.format("%.2f", sendSeconds), Math.round(MESSAGES / sendSeconds),
          String.format("%.2f", totalSeconds), first.pushed.get(), second.pushed.get(), pulled, retried.get());
      logger.warn("push latency (server time to client): first stream {}, second stream {}",
          percentiles(first.latencies), percentiles(second.latencies));

      assertThat(sendProblems).isEmpty();
      assertThat(sent).hasSize(MESSAGES);
      assertThat(lastSeqs.keySet()).containsExactlyInAnyOrderElementsOf(conversations);
      assertThat(retried.get()).isEqualTo(MESSAGES / RETRY_EVERY);
      assertThat(first.problems).isEmpty();
      assertThat(second.problems).isEmpty();
      assertThat(second.ended.get()).as("the second stream is still open").isNull();
      assertThat(caughtUp(inbox, lastSeqs)).as("the subscriber caught up with every conversation").isTrue();
      assertThat(inbox.duplicatesById()).isZero();
      assertThat(inbox.ids()).isEqualTo(sent.keySet());
      assertThat(first.pushed.get()).isPositive();
      assertThat(second.pushed.get()).isPositive();
      assertThat(pulled).as("the disconnected stretch came back by pull").isPositive();

      // Stored: every conversation gapless from 1, every message once.
      Set<String> stored = new HashSet<>();
      for (Map.Entry<String, Long> conversation : lastSeqs.entrySet()) {
        long expected = 1;
        long after = 0;
        boolean more = true;
        while (more) {
          PullMessagesResponse page = a.as(subscriber).pullMessages(PullMessagesRequest.newBuilder()
              .setConversationId(conversation.getKey()).setAfterSeq(after).setLimit(200).build());
          for (Message message : page.getMessagesList()) {
            assertThat(message.getSeq()).isEqualTo(expected++);
            stored.add(message.getMessageId());
            after = message.getSeq();
          }
          more = page.getHasMore();
        }
        assertThat(expected - 1).isEqualTo(conversation.getValue());
      }
      assertThat(stored).isEqualTo(sent.keySet());
    }
  }

  private static User login(Platform platform) {
    String id = Ids.newId("u");
    return new User(id, TestSessions.login(platform, id, Terminal.WEB));
  }

  private static String percentiles(List<Long> latencies) {
    List<Long> sorted;
    synchronized (latencies) {
      sorted = latencies.stream().sorted().toList();
    }
    if (sorted.isEmpty()) {
      return "none";
    }
    return "p50 " + sorted.get(sorted.size() / 2) + " ms, p99 " + sorted.get(sorted.size() * 99 / 100)
        + " ms, max " + sorted.get(sorted.size() - 1) + " ms";
  }

  private static void awaitAtLeast(AtomicInteger counter, int target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (counter.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(counter.get()).isGreaterThanOrEqualTo(target);
  }

  /** Pulls a conversation from the last seen seq to its end, as a reconnecting client does. */
  private static int catchUp(Replica replica, User user, Inbox inbox, String conversation) {
    int pulled = 0;
    boolean more = true;
    while (more) {
      PullMessagesResponse page = replica.as(user).pullMessages(PullMessagesRequest.newBuilder()
          .setConversationId(conversation).setAfterSeq(inbox.lastSeen(conversation)).setLimit(200).build());
      page.getMessagesList().forEach(inbox::accept);
      pulled += page.getMessagesCount();
      more = page.getHasMore() && page.getMessagesCount() > 0;
    }
    return pulled;
  }

  private static boolean caughtUp(Inbox inbox, Map<String, Long> lastSeqs) {
    return lastSeqs.entrySet().stream().allMatch(e -> inbox.lastSeen(e.getKey()) == e.getValue());
  }

  /** A unary answer handler that records failures instead of throwing on gRPC's threads. */
  private static final class Unary<T> implements StreamObserver<T> {
    private final java.util.function.Consumer<T> onAnswer;
    private final List<String> problems;
    private final CountDownLatch done;
    private final Semaphore window;

    Unary(java.util.function.Consumer<T> onAnswer, List<String> problems, CountDownLatch done) {
      this(onAnswer, problems, done, null);
    }

    Unary(java.util.function.Consumer<T> onAnswer, List<String> problems, CountDownLatch done, Semaphore window) {
      this.onAnswer = onAnswer;
      this.problems = problems;
      this.done = done;
      this.window = window;
    }

    @Override
    public void onNext(T value) {
      onAnswer.accept(value);
    }

    @Override
    public void onError(Throwable t) {
      problems.add("send failed: " + t);
      if (window != null) {
        window.release();
      }
      done.countDown();
    }

    @Override
    public void onCompleted() {}
  }
}
