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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Private messages between 1,000 subscribed users (500 pairs of friends) through two message-svc
 * replicas on one Redis, at an offered rate (10,000/s by default): messages delivered per second,
 * send-to-receive latency, and, after the run, every message accounted for exactly once. Targets:
 * ≥ 10,000 delivered/s, p99 ≤ 50 ms, none lost, none duplicated.
 */
final class MessagingScenario implements Scenario {
  private static final int IN_FLIGHT = 512;

  @Override
  public String name() {
    return "messaging";
  }

  @Override
  public String description() {
    return "private messages, 1,000 subscribed users, 2 message-svc replicas; targets >= 10,000/s, p99 <= 50 ms, "
        + "none lost or doubled";
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int userCount = options.scaleOr(1000) / 2 * 2;
    int rate = options.rateOr(10_000);
    try (Deployment deployment = new Deployment(2)) {
      List<Deployment.BenchUser> users = deployment.users("chat", userCount);
      for (int i = 0; i < userCount; i += 2) {
        deployment.befriend(users.get(i), users.get(i + 1));
      }
      Delivery delivery = new Delivery();
      delivery.subscribe(users, deployment.messageChannels);

      Set<String> sent = ConcurrentHashMap.newKeySet();
      AtomicLong failures = new AtomicLong();
      Semaphore window = new Semaphore(IN_FLIGHT);
      List<MessageServiceGrpc.MessageServiceFutureStub> stubs = new ArrayList<>();
      for (Deployment.BenchUser user : users) {
        ManagedChannel replica = deployment.messageChannels.get(stubs.size() % deployment.messageChannels.size());
        stubs.add(RevocationScenario.as(MessageServiceGrpc.newFutureStub(replica), user.token()));
      }
      AtomicLong sequence = new AtomicLong();
      Runnable sendOne = () -> {
        long n = sequence.getAndIncrement();
        int from = (int) (n % userCount);
        int to = from % 2 == 0 ? from + 1 : from - 1;
        String recipient = users.get(to).id();
        SendMessageRequest request = SendMessageRequest.newBuilder()
            .setToUserId(recipient)
            .setClientMsgId("b" + n)
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
            .build();
        window.acquireUninterruptibly();
        Futures.addCallback(stubs.get(from).sendMessage(request), new FutureCallback<SendMessageResponse>() {
          @Override
          public void onSuccess(SendMessageResponse response) {
            sent.add(response.getMessageId() + "/" + recipient);
            window.release();
          }

          @Override
          public void onFailure(Throwable t) {
            failures.incrementAndGet();
            window.release();
          }
        }, MoreExecutors.directExecutor());
      };

      Pacer.run(sendOne, rate, options.warmup());
      delivery.latency.reset();
      long deliveredBefore = delivery.delivered.get();
      long started = System.nanoTime();
      long offered = Pacer.run(sendOne, rate, options.duration());
      double seconds = (System.nanoTime() - started) / 1e9;
      long deliveredInWindow = delivery.delivered.get() - deliveredBefore;
      Histogram latency = delivery.latency.getIntervalHistogram();

      window.acquire(IN_FLIGHT);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!delivery.counts.keySet().containsAll(sent) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long lost = sent.stream().filter(id -> !delivery.counts.containsKey(id)).count();
      long duplicates = delivery.duplicates();
      delivery.close();

      Measurement measurement = new Measurement("send-to-receive", deliveredInWindow, seconds, latency);
      return new Report(name())
          .measurement(measurement)
          .figure("subscribed users", userCount)
          .figure("offered messages per second", offered / seconds)
          .figure("delivered messages per second", deliveredInWindow / seconds)
          .figure("p99 send-to-receive (ms)", measurement.percentileMillis(99))
          .figure("messages sent in the run", sent.size())
          .figure("failed sends", failures.get())
          .figure("lost", lost)
          .figure("duplicated", duplicates)
          .figure("stream errors", delivery.streamErrors.get())
          .atLeast("delivered messages per second >= 10,000", deliveredInWindow / seconds, 10_000)
          .atMost("p99 send-to-receive (ms) <= 50", measurement.percentileMillis(99), 50)
          .atMost("lost == 0", lost, 0)
          .atMost("duplicated == 0", duplicates, 0);
    }
  }
}
