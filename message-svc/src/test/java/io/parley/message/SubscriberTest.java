package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.stub.ServerCallStreamObserver;
import io.parley.events.EventLog.EntryId;
import io.parley.message.v1.Event;
import io.parley.message.v1.ResyncRequired;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One stream's queue: where it writes, in what order, and how it ends a reader that falls behind. */
class SubscriberTest {
  private static final Event RESYNC = Event.newBuilder().setResyncRequired(ResyncRequired.getDefaultInstance()).build();
  private static final RuntimeException TOO_SLOW = new IllegalStateException("too slow");

  private final RecordingObserver observer = new RecordingObserver();
  private final ManualExecutor executor = new ManualExecutor();
  private final AtomicInteger closed = new AtomicInteger();

  private final StreamPositions positions = new StreamPositions();

  {
    positions.start("ep1", new EntryId(10, 0));
  }

  private Subscriber subscriber(int capacity) {
    Subscriber subscriber = newSubscriber(capacity, null);
    subscriber.start(event(0));
    return subscriber;
  }

  private Subscriber newSubscriber(int capacity, StreamCursor resumedFrom) {
    return new Subscriber("u1", "s1", observer, executor, capacity, RESYNC, TOO_SLOW,
        s -> closed.incrementAndGet(), positions, resumedFrom);
  }

  private static LogPosition at(long millis, int index) {
    return new LogPosition(new EntryId(millis, 0), index);
  }

  private StreamCursor cursor(int written) {
    return StreamCursor.decode(observer.cursors.get(written));
  }

  @Test
  void eachWrittenEventCarriesACursorBelowWhatIsStillInFlightOrQueued() {
    LogPosition held = at(11, 0);
    LogPosition routed = at(11, 1);
    positions.reading(held);
    positions.reading(routed);
    positions.readThrough(held.entry());
    Subscriber subscriber = subscriber(10);
    assertThat(cursor(0)).isEqualTo(new StreamCursor("ep1", held, new TreeSet<>()));

    subscriber.offer(event(2), routed);
    positions.done(routed);
    assertThat(cursor(1)).as("the held event is not written yet").isEqualTo(new StreamCursor("ep1", held, set(routed)));

    subscriber.offer(event(1), held);
    positions.done(held);
    LogPosition next = at(12, 0);
    positions.reading(next);
    positions.readThrough(next.entry());
    subscriber.offer(event(3), next);
    positions.done(next);
    assertThat(cursor(3)).as("everything before it written").isEqualTo(new StreamCursor("ep1", next, set(next)));
    StreamCursor decoded = StreamCursor.decode(cursor(3).encode());
    assertThat(decoded).isEqualTo(cursor(3));
  }

  @Test
  void aResumedStreamWritesWhatItMissedFirstAndDropsWhatItHad() {
    StreamCursor from = new StreamCursor("ep1", at(11, 1), set(at(11, 3)));
    Subscriber subscriber = newSubscriber(10, from);
    subscriber.startPaused();
    subscriber.offer(event(5), at(11, 0));
    subscriber.offer(event(6), at(11, 3));
    subscriber.offer(event(7), at(12, 0));
    assertThat(observer.written).as("paused").isEmpty();

    subscriber.release(event(0), List.of(new Subscriber.Queued(event(1), at(11, 2))));

    assertThat(observer.written).containsExactly(event(0), event(1), event(7));
    assertThat(cursor(1).base()).as("never below the cursor it resumed from").isGreaterThanOrEqualTo(from.base());
    assertThat(cursor(1).ahead()).contains(at(11, 2), at(11, 3));
  }

  private static TreeSet<LogPosition> set(LogPosition... positions) {
    return new TreeSet<>(List.of(positions));
  }

  @Test
  void anOfferWritesOnTheOfferingThreadWhenNothingElseIsQueued() {
    Subscriber subscriber = subscriber(10);
    subscriber.offer(event(1), null);

    assertThat(observer.written).containsExactly(event(0), event(1));
    assertThat(executor.tasks).isEmpty();
  }

  @Test
  void anOfferFromALockLeavesTheWritingToTheExecutorAndKeepsTheOrder() {
    Subscriber subscriber = subscriber(10);
    subscriber.offerFromLock(event(1), null);
    subscriber.offerFromLock(event(2), null);
    // A drain is already claimed: this one queues behind it rather than writing first.
    subscriber.offer(event(3), null);

    assertThat(observer.written).containsExactly(event(0));
    executor.runAll();
    assertThat(observer.written).containsExactly(event(0), event(1), event(2), event(3));
  }

  @Test
  void aStreamThatIsNotReadyQueuesUntilItIsThenWritesInOrder() {
    Subscriber subscriber = subscriber(10);
    observer.ready = false;
    subscriber.offer(event(1), null);
    subscriber.offer(event(2), null);
    assertThat(observer.written).containsExactly(event(0));

    observer.ready = true;
    observer.onReady.run();
    assertThat(observer.written).containsExactly(event(0), event(1), event(2));
  }

  @Test
  void aReaderThatFallsBehindIsToldToResyncAndEndedOnce() {
    Subscriber subscriber = subscriber(2);
    observer.ready = false;
    subscriber.offer(event(1), null);
    subscriber.offer(event(2), null);
    subscriber.offer(event(3), null);
    subscriber.offer(event(4), null);

    // The queue is dropped; the final event and the error go out even though the stream is not ready.
    assertThat(observer.written).containsExactly(event(0), RESYNC);
    assertThat(observer.error).isSameAs(TOO_SLOW);
    assertThat(closed.get()).isEqualTo(1);
    assertThat(subscriber.isFinished()).isTrue();
  }

  @Test
  void aReaderThatFallsBehindAfterShutdownIsStillEnded() {
    Subscriber subscriber = subscriber(1);
    observer.ready = false;
    executor.shutDown = true;
    subscriber.offerFromLock(event(1), null);
    subscriber.offerFromLock(event(2), null);

    assertThat(observer.written).containsExactly(event(0), RESYNC);
    assertThat(observer.error).isSameAs(TOO_SLOW);
    assertThat(closed.get()).isEqualTo(1);
  }

  @Test
  void aCancelledStreamTakesNoMoreEvents() {
    Subscriber subscriber = subscriber(10);
    observer.onCancel.run();
    subscriber.offer(event(1), null);
    subscriber.offerFromLock(event(2), null);
    executor.runAll();

    assertThat(observer.written).containsExactly(event(0));
    assertThat(closed.get()).isEqualTo(1);
  }

  private static Event event(int n) {
    return Event.newBuilder().setTime(Timestamp.newBuilder().setSeconds(n)).build();
  }

  /** Runs tasks only when told to; refuses them once shut down. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    boolean shutDown;

    @Override
    public void execute(Runnable task) {
      if (shutDown) {
        throw new RejectedExecutionException("shut down");
      }
      tasks.add(task);
    }

    void runAll() {
      for (Runnable task; (task = tasks.poll()) != null; ) {
        task.run();
      }
    }
  }

  /** A call's stream that records what is written to it, ready unless told otherwise. */
  private static final class RecordingObserver extends ServerCallStreamObserver<Event> {
    final List<Event> written = new ArrayList<>();
    final List<String> cursors = new ArrayList<>();
    volatile boolean ready = true;
    Throwable error;
    Runnable onReady;
    Runnable onCancel;

    @Override
    public void onNext(Event value) {
      written.add(value.toBuilder().clearCursor().build());
      cursors.add(value.getCursor());
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      throw new AssertionError("a Subscribe stream never completes normally");
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
      onReady = handler;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
