package io.parley.bench;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SubscribeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The receiving side of the messaging scenarios: one Subscribe stream per user, recording
 * send-to-receive latency from the send time each bench message carries in its text
 * ({@code "t=<nanoTime>"}; senders and receivers share this JVM's clock) and handing every message
 * to a {@link Receiver} that keeps the books (so that loss and duplicates show).
 */
final class Delivery {
  /** Told of every message a stream receives, with the index of the user whose stream it was. */
  interface Receiver {
    void received(int recipient, Message message);
  }

  final Recorder latency = new Recorder(3);
  final AtomicLong delivered = new AtomicLong();
  final AtomicInteger streamErrors = new AtomicInteger();
  private final Receiver receiver;
  private final List<Context.CancellableContext> streams = new ArrayList<>();
  private volatile boolean closing;

  Delivery(Receiver receiver) {
    this.receiver = receiver;
  }

  /**
   * Subscribes every user, user {@code i} on {@code channels[i % size]} (each user's own
   * connection, or a few shared ones); returns once every stream is live.
   */
  void subscribe(List<Deployment.BenchUser> users, List<ManagedChannel> channels) throws InterruptedException {
    CountDownLatch live = new CountDownLatch(users.size());
    for (int i = 0; i < users.size(); i++) {
      int recipient = i;
      Deployment.BenchUser user = users.get(i);
      ManagedChannel channel = channels.get(i % channels.size());
      Context.CancellableContext context = Context.current().withCancellation();
      streams.add(context);
      context.run(() -> RevocationScenario.as(MessageServiceGrpc.newStub(channel), user.token())
          .subscribe(SubscribeRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Event event) {
              if (event.hasSubscribed()) {
                live.countDown();
              } else if (event.hasMessage()) {
                received(recipient, event.getMessage());
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

  private void received(int recipient, Message message) {
    long sent = sentNanos(message);
    if (sent > 0) {
      latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
    }
    delivered.incrementAndGet();
    receiver.received(recipient, message);
  }

  /** The {@link System#nanoTime()} a bench message was sent at, or -1 if it carries none. */
  static long sentNanos(Message message) {
    String text = message.getContent().getText().getText();
    return text.startsWith("t=") ? Long.parseLong(text, 2, text.length(), 10) : -1;
  }

  /** Ends every stream; errors after this are the shutdown's, not the run's. */
  void close() {
    closing = true;
    streams.forEach(c -> c.cancel(null));
  }
}
