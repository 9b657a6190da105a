package io.parley.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.parley.data.Ids;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.message.store.ConversationId;
import io.parley.message.store.Draft;
import io.parley.message.store.PostgresMessageStore;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import io.parley.testing.RedisStats;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * History at scale in PostgreSQL: 10 million stored messages over 100,000 conversations.
 *
 * <ol>
 *   <li>100 users, each the friend of the next in a ring, send 1 million messages through the
 *       services (message-svc, friend-svc, the Redis event log): Redis memory and key count are read
 *       before and after (once the event log's resume window, 5 seconds here, has passed: it keeps
 *       that long's worth of live events), and must not grow with the history.
 *   <li>The other 9 million are written straight through message-svc's own PostgreSQL store (its
 *       batched append, the same code a send runs), 90 messages in each of 1,000 conversations of
 *       every one of the 100 users: each then has 1,002 conversations. Then {@code VACUUM
 *       (ANALYZE)} and a {@code CHECKPOINT}, which autovacuum and the checkpointer would do to so
 *       many new rows within minutes, and would otherwise do during the measurement.
 *   <li>Through gRPC, three windows each, alternating: PullMessages of 200 messages from a random
 *       point of a 10,000-message conversation (target p99 ≤ 5 ms), and ListConversations of a user
 *       with 1,002 conversations (target p99 ≤ 20 ms). First 4 clients in a closed loop, which
 *       saturates the machine and gives its throughput; then calls arriving as users make them
 *       (Poisson, open loop) at half that rate, each load warmed up unmeasured first as the loop's
 *       first windows are. The targets are judged on these (median of the three): a latency
 *       target is a promise at a load a service is run at, not in the queue a saturating loop
 *       builds. Both are reported.
 *   <li>Bytes on disk per stored message, indexes included, and the bare grpc-java unary ceiling
 *       of the same run.
 * </ol>
 *
 * <p>{@code --scale} sets the total number of messages (10,000,000 by default; the sends are a
 * tenth of it, at most 1 million). Needs a few GB of disk and several minutes.
 */
final class HistoryScenario implements Scenario {
  private static final int USERS = 100;
  private static final int PEERS_PER_USER = 1000;
  private static final int IN_FLIGHT = 256;
  private static final int BULK_BATCH = 500;
  private static final int CLIENTS = 4;
  private static final int ROUNDS = 3;
  /** The steady load's rate, as a share of the rate a saturating loop reached. */
  private static final double LOAD = 0.5;

  /**
   * PullMessages, its answer read as the number of messages it holds: the bench reads every byte
   * of each page and counts its messages without building them. Building 200 messages per call is
   * the client device's work in production; here the load generator shares the two cores it
   * measures on, and its parsing would be taken from the services.
   */
  private static final MethodDescriptor<PullMessagesRequest, Integer> PULL_COUNTED =
      MessageServiceGrpc.getPullMessagesMethod().toBuilder(
          ProtoUtils.marshaller(PullMessagesRequest.getDefaultInstance()), new MessageCounter()).build();

  /** Counts the {@code messages} fields (number 1) of a PullMessagesResponse's wire form. */
  static final class MessageCounter implements MethodDescriptor.Marshaller<Integer> {
    @Override
    public InputStream stream(Integer value) {
      throw new IllegalStateException("a client only reads answers");
    }

    @Override
    public Integer parse(InputStream stream) {
      try {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        int count = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          if (WireFormat.getTagFieldNumber(tag) == PullMessagesResponse.MESSAGES_FIELD_NUMBER) {
            count++;
          }
          in.skipField(tag);
        }
        return count;
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("unreadable PullMessages answer").withCause(e).asRuntimeException();
      }
    }
  }

  @Override
  public String name() {
    return "history";
  }

  @Override
  public String description() {
    return "10 million messages in PostgreSQL over 100,000 conversations; at half the saturated rate, PullMessages "
        + "of 200 p99 <= 5 ms and ListConversations of 1,000 conversations p99 <= 20 ms; bytes per message, Redis "
        + "memory unchanged";
  }

  @Override
  public void checkTargets(Targets targets) {
    targets.allowOnly(name());
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    long total = options.scale() > 0 ? options.scale() : 10_000_000L;
    long sends = Math.min(1_000_000L, total / 10);
    // 1,000 conversations of 90 messages per user at full scale; fewer conversations when smaller.
    int peers = (int) Math.max(1, Math.min(PEERS_PER_USER, (total - sends) / (USERS * 90L)));
    long bulkPerConversation = Math.max(1, (total - sends) / ((long) USERS * peers));
    Report report = new Report(name());
    try (Deployment deployment = Deployment.start(1)) {
      List<Deployment.BenchUser> users = deployment.users("hist", USERS);
      for (int i = 0; i < USERS; i++) {
        deployment.befriend(users.get(i), users.get((i + 1) % USERS));
      }
      List<ManagedChannel> connections = deployment.messageConnections(users);
      List<MessageServiceGrpc.MessageServiceFutureStub> senders = new ArrayList<>();
      List<MessageServiceGrpc.MessageServiceBlockingStub> readers = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        senders.add(RevocationScenario.as(MessageServiceGrpc.newFutureStub(connections.get(i)), users.get(i).token()));
        readers.add(RevocationScenario.as(MessageServiceGrpc.newBlockingStub(connections.get(i)), users.get(i).token()));
      }

      long memoryBefore;
      long keysBefore;
      try (RedisStats redis = new RedisStats(deployment.redisUrl())) {
        memoryBefore = redis.usedMemory();
        keysBefore = deployment.redisKeys();
      }
      long started = System.nanoTime();
      long failed = sendThroughServices(senders, users, sends);
      double sendSeconds = (System.nanoTime() - started) / 1e9;
      // The event log keeps the last window's live events for streams to resume from: wait it out.
      Thread.sleep(Deployment.RESUME_WINDOW.plusSeconds(8).toMillis());
      long memoryAfter;
      try (RedisStats redis = new RedisStats(deployment.redisUrl())) {
        memoryAfter = redis.usedMemory();
      }
      long keysAfter = deployment.redisKeys();

      started = System.nanoTime();
      long bulk;
      try (Database database = PostgresMessageStore.openDatabase(deployment.database.withMaxPoolSize(4))) {
        bulk = bulkLoad(new PostgresMessageStore(database), users, peers, bulkPerConversation);
        double bulkSeconds = (System.nanoTime() - started) / 1e9;
        long settleStarted = System.nanoTime();
        settle(deployment.database);
        report.figure("VACUUM (ANALYZE) and CHECKPOINT after the load (s)", (System.nanoTime() - settleStarted) / 1e9);
        report.figure("messages sent through the services", sends - failed)
            .figure("failed sends", failed)
            .figure("sends per second", (sends - failed) / sendSeconds)
            .figure("messages written through the store", bulk)
            .figure("store writes per second", bulk / bulkSeconds);
        diskFigures(database, report);
      }

      long ringSize = sends / USERS;
      PoissonLoad.Call pullAsync = () -> {
        int i = ThreadLocalRandom.current().nextInt(USERS);
        String conversation = ConversationId.ofUsers(users.get(i).id(), users.get((i + 1) % USERS).id()).value();
        long after = ThreadLocalRandom.current().nextLong(Math.max(1, ringSize - 200));
        MessageServiceGrpc.MessageServiceFutureStub stub = senders.get(i);
        return Futures.transform(ClientCalls.futureUnaryCall(stub.getChannel().newCall(PULL_COUNTED,
            stub.getCallOptions()), PullMessagesRequest.newBuilder().setConversationId(conversation)
            .setAfterSeq(after).setLimit(200).build()), count -> {
              if (count < Math.min(200, ringSize - after)) {
                throw new IllegalStateException("PullMessages returned " + count + " messages");
              }
              return count;
            }, MoreExecutors.directExecutor());
      };
      LoadRunner.Operation pullOne = () -> pullAsync.start().get();
      LoadRunner.Operation listOne = () -> {
        int i = ThreadLocalRandom.current().nextInt(USERS);
        int count = readers.get(i).listConversations(ListConversationsRequest.getDefaultInstance()).getConversationsCount();
        if (count == 0) {
          throw new IllegalStateException("ListConversations returned nothing");
        }
      };
      // At saturation: a closed loop of 4 clients, three windows each, alternating, so that the spread
      // of repeated runs is in the report.
      List<Measurement> pulls = new ArrayList<>();
      List<Measurement> lists = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        pulls.add(new LoadRunner(CLIENTS).run("PullMessages, 200 of a " + ringSize + "-message conversation, "
            + CLIENTS + " clients in a loop, run " + round, pullOne, round == 1 ? options.warmup() : Duration.ZERO,
            options.duration()));
        lists.add(new LoadRunner(CLIENTS).run("ListConversations, a user with " + (peers + 2) + " conversations, "
            + CLIENTS + " clients in a loop, run " + round, listOne, round == 1 ? options.warmup() : Duration.ZERO,
            options.duration()));
      }
      // As users call: Poisson arrivals at half the rate the loop reached, three windows each.
      double pullRate = median(pulls.stream().mapToDouble(Measurement::throughput).toArray()) * LOAD;
      double listRate = median(lists.stream().mapToDouble(Measurement::throughput).toArray()) * LOAD;
      PoissonLoad.Call listAsync = () -> senders.get(ThreadLocalRandom.current().nextInt(USERS))
          .listConversations(ListConversationsRequest.getDefaultInstance());
      // Unmeasured first, as the loop's first windows are: the asynchronous calls' code is new to the
      // bench's JIT, and its first run would otherwise be measured while it compiles.
      PoissonLoad.run("PullMessages, warm-up", pullAsync, pullRate, options.warmup()).answeredAll();
      PoissonLoad.run("ListConversations, warm-up", listAsync, listRate, options.warmup()).answeredAll();
      List<Measurement> steadyPulls = new ArrayList<>();
      List<Measurement> steadyLists = new ArrayList<>();
      double late = 0;
      for (int round = 1; round <= ROUNDS; round++) {
        PoissonLoad.Result pull = PoissonLoad.run(String.format("PullMessages, 200 of a %d-message conversation, "
            + "%.0f a second (Poisson), run %d", ringSize, pullRate, round), pullAsync, pullRate, options.duration());
        steadyPulls.add(pull.answeredAll());
        PoissonLoad.Result list = PoissonLoad.run(String.format("ListConversations, a user with %d conversations, "
            + "%.0f a second (Poisson), run %d", peers + 2, listRate, round), listAsync, listRate, options.duration());
        steadyLists.add(list.answeredAll());
        late = Math.max(late, Math.max(pull.lateP99Millis(), list.lateP99Millis()));
      }
      Measurement ceiling = UnaryCeiling.measure(CLIENTS, options.duration());
      pulls.forEach(report::measurement);
      lists.forEach(report::measurement);
      steadyPulls.forEach(report::measurement);
      steadyLists.forEach(report::measurement);
      double pullP99 = median(steadyPulls.stream().mapToDouble(m -> m.percentileMillis(99)).toArray());
      double listP99 = median(steadyLists.stream().mapToDouble(m -> m.percentileMillis(99)).toArray());
      double pullLoopP99 = median(pulls.stream().mapToDouble(m -> m.percentileMillis(99)).toArray());
      double listLoopP99 = median(lists.stream().mapToDouble(m -> m.percentileMillis(99)).toArray());

      double bytesPerMessage = report.figures().get("bytes on disk per message, indexes included");
      return report.measurement(ceiling)
          .figure("Redis used memory before the sends (bytes)", memoryBefore)
          .figure("Redis used memory after the sends (bytes)", memoryAfter)
          .figure("Redis keys before the sends", keysBefore)
          .figure("Redis keys after the sends", keysAfter)
          .figure("PullMessages p99 (ms) in a loop of " + CLIENTS + " (saturated), median of " + ROUNDS + " runs",
              pullLoopP99)
          .figure("ListConversations p99 (ms) in a loop of " + CLIENTS + " (saturated), median of " + ROUNDS + " runs",
              listLoopP99)
          .figure("PullMessages p99 (ms) at half the loop's rate, median of " + ROUNDS + " runs", pullP99)
          .figure("ListConversations p99 (ms) at half the loop's rate, median of " + ROUNDS + " runs", listP99)
          // How much of those p99s could be the load generator's own: how late it started calls.
          .figure("the load generator's lateness in starting calls, p99 (ms), worst of the Poisson runs", late)
          .atMost("PullMessages of 200 p99 (ms) <= 5 at half the saturated rate, median of the runs", pullP99, 5)
          .atMost("ListConversations of 1,000 conversations p99 (ms) <= 20 at half the saturated rate, median of the runs",
              listP99, 20)
          .atMost("Redis keys after == before", keysAfter - keysBefore, 0)
          .atMost("Redis memory growth (bytes) <= 1 MiB (allocator noise, not history)",
              memoryAfter - memoryBefore, 1 << 20)
          .note(String.format("%.0f bytes on disk per message", bytesPerMessage));
    }
  }

  /** Sends {@code count} messages around the ring of friends; returns how many failed. */
  private static long sendThroughServices(List<MessageServiceGrpc.MessageServiceFutureStub> senders,
      List<Deployment.BenchUser> users, long count) throws InterruptedException {
    Semaphore window = new Semaphore(IN_FLIGHT);
    AtomicLong failures = new AtomicLong();
    for (long n = 0; n < count; n++) {
      int from = (int) (n % USERS);
      SendMessageRequest request = SendMessageRequest.newBuilder()
          .setToUserId(users.get((from + 1) % USERS).id())
          .setClientMsgId("h-" + n)
          .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text(n))))
          .build();
      window.acquire();
      Futures.addCallback(senders.get(from).sendMessage(request), new FutureCallback<SendMessageResponse>() {
        @Override
        public void onSuccess(SendMessageResponse response) {
          window.release();
        }

        @Override
        public void onFailure(Throwable t) {
          failures.incrementAndGet();
          window.release();
        }
      }, MoreExecutors.directExecutor());
    }
    window.acquire(IN_FLIGHT);
    return failures.get();
  }

  /**
   * Appends {@code perConversation} messages to each of {@code peers} conversations of every user,
   * in batches, on two threads (each its own conversations); returns how many.
   */
  private static long bulkLoad(PostgresMessageStore store, List<Deployment.BenchUser> users, int peers,
      long perConversation) throws Exception {
    List<ConversationId> conversations = new ArrayList<>();
    List<String[]> parties = new ArrayList<>();
    for (Deployment.BenchUser user : users) {
      for (int p = 0; p < peers; p++) {
        String peer = Ids.newId("u");
        conversations.add(ConversationId.ofUsers(user.id(), peer));
        parties.add(new String[] {user.id(), peer});
      }
    }
    int threads = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Long>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int part = t;
      done.add(pool.submit(() -> {
        long written = 0;
        List<Draft> batch = new ArrayList<>(BULK_BATCH);
        for (long round = 0; round < perConversation; round++) {
          for (int c = part; c < conversations.size(); c += threads) {
            ConversationId conversation = conversations.get(c);
            String sender = parties.get(c)[(int) (round % 2)];
            Message message = Message.newBuilder()
                .setMessageId(Ids.newId("m"))
                .setConversationId(conversation.value())
                .setSenderId(sender)
                .setClientMsgId("b-" + round)
                .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text(round + c))))
                .build();
            batch.add(new Draft(conversation, message, "", System.currentTimeMillis()));
            if (batch.size() == BULK_BATCH) {
              written += store.append(batch).size();
              batch.clear();
            }
          }
        }
        if (!batch.isEmpty()) {
          written += store.append(batch).size();
        }
        return written;
      }));
    }
    long written = 0;
    for (Future<Long> f : done) {
      written += f.get();
    }
    pool.shutdown();
    return written;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Text of 10 to 100 characters, like chat. */
  private static String text(long n) {
    String words = "the quick brown fox jumps over the lazy dog while the hikers plan saturday's route up the hill "
        + "before it rains";
    int length = 10 + (int) (Math.floorMod(n * 7919, 91));
    return words.substring(0, length);
  }

  /**
   * What a database that has held its history for a while has done to it, done before measuring
   * rather than during it: autovacuum's pass over the new rows (planner statistics, commit hint
   * bits, which otherwise the first read of each row writes, and the visibility map), then a
   * checkpoint, which writes the pages that pass dirtied (otherwise a read that needs a buffer may
   * first have to write one out). On a plain connection: the pool's statements time out sooner
   * than these may take. The bench's PostgreSQL user is its superuser.
   */
  private static void settle(DatabaseSettings settings) throws SQLException {
    try (Connection c = WalMeter.connect(settings); Statement s = c.createStatement()) {
      s.execute("VACUUM (ANALYZE)");
      s.execute("CHECKPOINT");
    }
  }

  private static void diskFigures(Database database, Report report) {
    database.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT (SELECT count(*) FROM message), pg_total_relation_size('message'), pg_relation_size('message'),"
              + " pg_total_relation_size('conversation') + pg_total_relation_size('reader')"
              + " + pg_total_relation_size('user_conversation')")) {
        rs.next();
        long messages = rs.getLong(1);
        report.figure("messages stored", messages)
            .figure("bytes on disk per message, indexes included", (double) rs.getLong(2) / messages)
            .figure("bytes on disk per message, table only", (double) rs.getLong(3) / messages)
            .figure("conversation, read-state and membership tables (MB)", rs.getLong(4) / 1e6);
      }
      return null;
    });
  }
}
