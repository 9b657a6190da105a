package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SubscribeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The receiving side of the messaging scenarios: one Subscribe stream per user, spread over the
 * message-svc replicas, counting every delivery by message id (so loss and duplicates show) and
 * recording send-to-receive latency from the send time each bench message carries in its text
 * ({@code "t=<nanoTime>"}; senders and receivers share this JVM's clock).
 */
final class Delivery {
  final Recorder latency = new Recorder(3);
  final AtomicLong delivered = new AtomicLong();
  final AtomicInteger streamErrors = new AtomicInteger();
  /** Deliveries per "message id/recipient". */
  final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<io.grpc.Context.CancellableContext> streams = new ArrayList<>();
  /** For fan-out: recipients per message, and when the last of them had it. */
  private final Map<String, AtomicInteger> perMessage = new ConcurrentHashMap<>();
  private volatile int fanOut;
  final Recorder allReceived = new Recorder(3);
  private volatile boolean closing;

  /** Records, for each message, the time until {@code recipients} streams had it. */
  void expectFanOut(int recipients) {
    this.fanOut = recipients;
  }

  /** Subscribes every user, round-robin over {@code replicas}; returns once every stream is live. */
  void subscribe(List<Deployment.BenchUser> users, List<ManagedChannel> replicas) throws InterruptedException {
    CountDownLatch live = new CountDownLatch(users.size());
    for (int i = 0; i < users.size(); i++) {
      Deployment.BenchUser user = users.get(i);
      ManagedChannel channel = replicas.get(i % replicas.size());
      io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
      streams.add(context);
      context.run(() -> RevocationScenario.as(MessageServiceGrpc.newStub(channel), user.token())
          .subscribe(SubscribeRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Event event) {
              if (event.hasSubscribed()) {
                live.countDown();
              } else if (event.hasMessage()) {
                received(user.id(), event);
              }
            }

            @Override
            public void onError(Throwable t) {
              if (!closing) {
                streamErrors.incrementAndGet();
              }
            }

            @Override
            public void onCompleted() {}
          }));
    }
    if (!live.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("only " + (users.size() - live.getCount()) + " of " + users.size()
          + " streams went live");
    }
  }

  private void received(String recipient, Event event) {
    String text = event.getMessage().getContent().getText().getText();
    long sent = text.startsWith("t=") ? Long.parseLong(text.substring(2)) : -1;
    if (sent > 0) {
      latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
    }
    if (fanOut > 0 && sent > 0
        && perMessage.computeIfAbsent(event.getMessage().getMessageId(), k -> new AtomicInteger()).incrementAndGet()
            == fanOut) {
      allReceived.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
    }
    delivered.incrementAndGet();
    counts.computeIfAbsent(event.getMessage().getMessageId() + "/" + recipient, k -> new AtomicInteger())
        .incrementAndGet();
  }

  long duplicates() {
    return counts.values().stream().filter(c -> c.get() > 1).count();
  }

  /** Ends every stream; errors after this are the shutdown's, not the run's. */
  void close() {
    closing = true;
    streams.forEach(c -> c.cancel(null));
  }
}
