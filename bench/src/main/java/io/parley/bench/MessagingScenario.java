package io.parley.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Private messages from several senders ({@code --concurrency}, 16 by default) to 1,000 subscribed
 * users through two message-svc replicas on one Redis, at an offered rate (10,000/s by default):
 * messages delivered per second, send-to-receive latency, and, after the run, every message
 * accounted for exactly once. Targets: ≥ 10,000 delivered/s, p99 ≤ 50 ms, none lost, none
 * duplicated.
 *
 * <p>Each recipient is the friend of one sender (recipient {@code i} of sender {@code i % senders})
 * and receives in turn; senders are spread over both replicas, each on its own connection as a
 * device would be. A recipient's stream is on the replica its sender sends through; every event
 * still goes through the event log in Redis, which each replica reads. The 1,000 Subscribe streams
 * share one connection per replica, as a load generator's would; the server writes the same events
 * either way, but 1,000 client connections in the bench's own process would spend the cores the
 * servers are measured on.
 *
 * <p>{@code messaging-two-way} is the same with every other message of each conversation a reply:
 * the recipient sends it back to its sender through the other replica (on that replica's shared
 * connection, with the recipient's token), and the senders are subscribed too. Both replicas then
 * write every conversation, as they do when the two users of a chat are on different replicas:
 * their batches meet on the conversation's row.
 *
 * <p>Printed beside: the bare grpc-java unary ceiling of the same run (measured for 10 s, or the
 * run's duration if shorter, once the deployment is idle, with as many client threads as senders),
 * and, on the bench's own PostgreSQL, the write-ahead log written per message stored in the
 * measured window ({@link WalMeter}).
 */
final class MessagingScenario implements Scenario {
  private static final int IN_FLIGHT = 512;
  /** How long, at most, the bare grpc-java ceiling is measured after the scenario. */
  private static final Duration CEILING_WINDOW = Duration.ofSeconds(10);

  /** Whether every other message of each conversation is a reply, through the other replica. */
  private final boolean twoWay;

  MessagingScenario(boolean twoWay) {
    this.twoWay = twoWay;
  }

  @Override
  public String name() {
    return twoWay ? "messaging-two-way" : "messaging";
  }

  @Override
  public String description() {
    return twoWay
        ? "as messaging, every other message a reply through the other replica, so both replicas write every "
            + "conversation; same targets"
        : "private messages from several senders (--concurrency) to 1,000 subscribed users, 2 message-svc replicas; "
            + "targets >= 10,000/s, p99 <= 50 ms, none lost or doubled";
  }

  /**
   * Whether message {@code n} is a recipient's reply to its sender: in two-way, every other round
   * of the {@code users} conversations, so that each conversation's messages alternate direction.
   */
  private boolean isReply(int n, int users) {
    return twoWay && (n / users) % 2 == 1;
  }

  @Override
  public void checkTargets(Targets targets) {
    if (!targets.isEmpty()) {
      targets.allowOnly(name(), "user", "friend", "message");
      targets.require(name(), "user");
      targets.require(name(), "friend");
      targets.require(name(), "message", 1);
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int userCount = options.scaleOr(1000);
    int senderCount = Math.min(options.concurrency(), userCount);
    int rate = options.rateOr(10_000);
    try (Deployment deployment = Deployment.of(options.targets(), 2)) {
      List<Deployment.BenchUser> users = deployment.users("chat", userCount);
      List<Deployment.BenchUser> senders = deployment.users("send", senderCount);
      for (int i = 0; i < userCount; i++) {
        deployment.befriend(senders.get(i % senderCount), users.get(i));
      }
      int capacity = Math.toIntExact((long) rate * (options.warmup().toSeconds() + options.jitWait().toSeconds()
          + Deployment.JIT_CHECK.toSeconds() + options.duration().toSeconds() + 2));
      // Recipients 0 .. userCount - 1 are the users; in two-way, userCount + s is sender s.
      Ledger ledger = new Ledger(capacity, n -> isReply(n, userCount)
          ? userCount + (n % userCount) % senderCount : n % userCount);
      Delivery delivery = new Delivery(ledger);
      List<Deployment.BenchUser> subscribers = new ArrayList<>(users);
      if (twoWay) {
        subscribers.addAll(senders);
      }
      delivery.subscribe(subscribers, deployment.messageChannels);

      AtomicLong failures = new AtomicLong();
      Semaphore window = new Semaphore(IN_FLIGHT);
      List<ManagedChannel> senderConnections = deployment.messageConnections(senders);
      List<MessageServiceGrpc.MessageServiceFutureStub> stubs = new ArrayList<>();
      for (int i = 0; i < senderCount; i++) {
        stubs.add(RevocationScenario.as(MessageServiceGrpc.newFutureStub(senderConnections.get(i)), senders.get(i).token()));
      }
      // A reply from user i goes through the replica after its sender's (sender s sends through
      // replica s % replicas), on that replica's shared connection. Each call there carries another
      // user's token, which HPACK cannot index: a little more work for the bench's client.
      List<MessageServiceGrpc.MessageServiceFutureStub> replyStubs = new ArrayList<>();
      if (twoWay) {
        List<ManagedChannel> channels = deployment.messageChannels;
        for (int i = 0; i < userCount; i++) {
          ManagedChannel other = channels.get((i % senderCount + 1) % channels.size());
          replyStubs.add(RevocationScenario.as(MessageServiceGrpc.newFutureStub(other), users.get(i).token()));
        }
      }
      AtomicInteger sequence = new AtomicInteger();
      Runnable sendOne = () -> {
        int n = sequence.getAndIncrement();
        if (n >= capacity) {
          throw new IllegalStateException("the pacer sent more than " + capacity + " messages");
        }
        int user = n % userCount;
        int sender = user % senderCount;
        boolean reply = isReply(n, userCount);
        SendMessageRequest request = SendMessageRequest.newBuilder()
            .setToUserId(reply ? senders.get(sender).id() : users.get(user).id())
            .setClientMsgId(Ledger.clientMsgId(n))
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
            .build();
        window.acquireUninterruptibly();
        MessageServiceGrpc.MessageServiceFutureStub stub = reply ? replyStubs.get(user) : stubs.get(sender);
        Futures.addCallback(stub.sendMessage(request), new FutureCallback<SendMessageResponse>() {
          @Override
          public void onSuccess(SendMessageResponse response) {
            ledger.acknowledged(n);
            window.release();
          }

          @Override
          public void onFailure(Throwable t) {
            failures.incrementAndGet();
            window.release();
          }
        }, MoreExecutors.directExecutor());
      };

      Deployment.WarmUp warmUp =
          deployment.warmUp(options.warmup(), options.jitWait(), d -> Pacer.run(sendOne, rate, d));
      long compiledBefore = deployment.servicesCompilationMillis();
      WalMeter.Reading walBefore = deployment.database == null ? null : WalMeter.read(deployment.database);
      delivery.latency.reset();
      long deliveredBefore = delivery.delivered.get();
      long started = System.nanoTime();
      long offered = Pacer.run(sendOne, rate, options.duration());
      double seconds = (System.nanoTime() - started) / 1e9;
      long compiledInWindow = deployment.servicesCompilationMillis() - compiledBefore;
      long deliveredInWindow = delivery.delivered.get() - deliveredBefore;
      Histogram latency = delivery.latency.getIntervalHistogram();
      WalMeter.Reading walAfter = walBefore == null ? null : WalMeter.read(deployment.database);

      window.acquire(IN_FLIGHT);
      int sent = sequence.get();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ledger.lost(sent) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      long lost = ledger.lost(sent);
      long duplicates = ledger.duplicated();
      delivery.close();
      // With the deployment idle: what gRPC alone makes of this machine in the same run.
      Duration ceilingWindow = options.duration().compareTo(CEILING_WINDOW) < 0 ? options.duration() : CEILING_WINDOW;
      Measurement ceiling = UnaryCeiling.measure(senderCount, ceilingWindow);

      Measurement measurement = new Measurement("send-to-receive", deliveredInWindow, seconds, latency);
      Report report = new Report(name())
          .measurement(measurement)
          .measurement(ceiling);
      if (walBefore != null) {
        WalMeter.report(report, walBefore, walAfter);
      }
      report.note("warm-up " + warmUp);
      if (compiledBefore >= 0) {
        report.figure("services' JIT compilation in the window (share of a core)", compiledInWindow / (seconds * 1000));
      }
      return report
          .figure("subscribed users", userCount)
          .figure("senders", senderCount)
          .figure("offered messages per second", offered / seconds)
          .figure("delivered messages per second", deliveredInWindow / seconds)
          .figure("p99 send-to-receive (ms)", measurement.percentileMillis(99))
          .figure("messages sent in the run", ledger.acknowledgedCount(sent))
          .figure("failed sends", failures.get())
          .figure("lost", lost)
          .figure("duplicated", duplicates)
          .figure("delivered to the wrong user", ledger.misdelivered() + ledger.foreign())
          .figure("stream errors", delivery.streamErrors.get())
          .atLeast("delivered messages per second >= 10,000", deliveredInWindow / seconds, 10_000)
          .atMost("p99 send-to-receive (ms) <= 50", measurement.percentileMillis(99), 50)
          .atMost("lost == 0", lost, 0)
          .atMost("duplicated == 0", duplicates, 0)
          .atMost("delivered to the wrong user == 0", ledger.misdelivered() + ledger.foreign(), 0);
    }
  }
}
