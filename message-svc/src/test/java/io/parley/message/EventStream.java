package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SubscribeRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The client side of a Subscribe stream, collecting what arrives. */
final class EventStream implements ClientResponseObserver<SubscribeRequest, Event> {
  private static final long WAIT_SECONDS = 10;

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
  private final int initialRequests;
  private volatile ClientCallStreamObserver<SubscribeRequest> call;

  private EventStream(int initialRequests) {
    this.initialRequests = initialRequests;
  }

  /** Opens a stream that reads as fast as events come. */
  static EventStream open(MessageServiceGrpc.MessageServiceStub stub) {
    return open(stub, -1);
  }

  /** Opens a stream that reads only {@code requests} events until {@link #request} asks for more. */
  static EventStream open(MessageServiceGrpc.MessageServiceStub stub, int requests) {
    EventStream stream = new EventStream(requests);
    stub.subscribe(SubscribeRequest.getDefaultInstance(), stream);
    return stream;
  }

  /** Opens a stream that resumes from {@code cursor}. */
  static EventStream resume(MessageServiceGrpc.MessageServiceStub stub, String cursor) {
    EventStream stream = new EventStream(-1);
    stub.subscribe(SubscribeRequest.newBuilder().setCursor(cursor).build(), stream);
    return stream;
  }

  /** Opens a stream with {@code request} that reads as fast as events come. */
  static EventStream open(MessageServiceGrpc.MessageServiceStub stub, SubscribeRequest request) {
    EventStream stream = new EventStream(-1);
    stub.subscribe(request, stream);
    return stream;
  }

  /**
   * Opens a stream that watches the presence of {@code userIds} and waits for its {@code subscribed}
   * event.
   */
  static EventStream watching(MessageServiceGrpc.MessageServiceStub stub, String... userIds) {
    EventStream stream = new EventStream(-1);
    stub.subscribe(SubscribeRequest.newBuilder().addAllPresenceUserIds(java.util.List.of(userIds)).build(), stream);
    assertThat(stream.next().hasSubscribed()).as("the first event is subscribed").isTrue();
    return stream;
  }

  /** The next event, or null if none comes within {@code millis} (to show that nothing comes). */
  Event poll(long millis) {
    try {
      return events.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Opens a stream and waits for its {@code subscribed} event. */
  static EventStream subscribed(MessageServiceGrpc.MessageServiceStub stub) {
    EventStream stream = open(stub);
    assertThat(stream.next().hasSubscribed()).as("the first event is subscribed").isTrue();
    return stream;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
    this.call = requestStream;
    if (initialRequests >= 0) {
      requestStream.disableAutoRequestWithInitial(initialRequests);
    }
  }

  @Override
  public void onNext(Event event) {
    events.add(event);
  }

  @Override
  public void onError(Throwable t) {
    ended.complete(t);
  }

  @Override
  public void onCompleted() {
    ended.complete(null);
  }

  /** The next event, waiting up to 10 s. */
  Event next() {
    try {
      Event event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(event).as("an event within %s s (stream ended: %s)", WAIT_SECONDS, ended.getNow(null)).isNotNull();
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first event, or null if the stream ends without one (waiting up to 10 s). */
  Event firstOrNull() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    try {
      while (System.nanoTime() < deadline) {
        Event event = events.poll(10, TimeUnit.MILLISECONDS);
        if (event != null) {
          return event;
        }
        if (ended.isDone()) {
          return events.poll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no event and no end within " + WAIT_SECONDS + " s");
  }

  /** How the stream ended (null if completed OK), waiting up to 10 s. */
  Throwable awaitEnd() {
    try {
      return ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stream did not end within " + WAIT_SECONDS + " s", e);
    }
  }

  /** The next event if one comes within {@code wait}, else null. */
  Event poll(java.time.Duration wait) {
    try {
      return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  boolean isEnded() {
    return ended.isDone();
  }

  void request(int count) {
    call.request(count);
  }

  void cancel() {
    call.cancel("test done", null);
  }
}
