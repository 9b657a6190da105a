package io.parley.gateway;

import com.google.protobuf.Timestamp;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.parley.error.ParleyException;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SessionEnded;
import io.parley.message.v1.SubscribeRequest;
import io.parley.message.v1.Subscribed;
import io.parley.server.Platform;
import io.parley.session.Session;
import io.parley.session.SessionState;
import io.parley.session.Sessions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * MessageService.Subscribe as its contract says it behaves, for sessions of a real platform: a
 * {@code subscribed} event first; when the session ends (kicked by a newer login, or revoked), a
 * {@code session_ended} event and then the end of the stream with SESSION_KICKED or
 * SESSION_REVOKED, exactly the error the session interceptor gives that token from then on.
 */
final class SubscribeFake extends MessageServiceGrpc.MessageServiceImplBase {
  private final Platform platform;
  /** Session ids of subscriptions the client cancelled. */
  final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();

  SubscribeFake(Platform platform) {
    this.platform = platform;
  }

  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<Event> observer) {
    ServerCallStreamObserver<Event> events = (ServerCallStreamObserver<Event>) observer;
    Session session = Sessions.current();
    AtomicBoolean ended = new AtomicBoolean();
    events.setOnCancelHandler(() -> {
      ended.set(true);
      cancelled.add(session.sessionId());
    });
    synchronized (events) {
      events.onNext(Event.newBuilder()
          .setTime(now())
          .setSubscribed(Subscribed.newBuilder().setSessionId(session.sessionId()))
          .build());
    }
    platform.sessionStore().addListener((userId, sessionId, state) -> {
      if (!sessionId.equals(session.sessionId()) || !ended.compareAndSet(false, true)) {
        return;
      }
      synchronized (events) {
        events.onNext(Event.newBuilder()
            .setTime(now())
            .setSessionEnded(SessionEnded.newBuilder().setReason(state.reason().name()))
            .build());
        events.onError(new ParleyException(state.reason(), state == SessionState.KICKED
            ? "session replaced by a newer login on the same terminal"
            : "session was ended: log in again"));
      }
    });
  }

  private Timestamp now() {
    return Timestamp.newBuilder().setSeconds(platform.clock().instant().getEpochSecond()).build();
  }
}
