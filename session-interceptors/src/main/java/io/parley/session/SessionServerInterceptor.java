package io.parley.session;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.parley.auth.TokenType;
import io.parley.auth.TokenVerifier;
import io.parley.auth.VerifiedToken;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the {@code authorization} metadata into the caller of the call, by the method's {@code
 * (parley.common.v1.auth)} option:
 *
 * <ul>
 *   <li>{@code PUBLIC}: no check.
 *   <li>{@code INTERNAL}: a valid service token ({@code typ: svc+jwt}); a user token fails
 *       PERMISSION_DENIED with SERVICE_CREDENTIAL_REQUIRED. The service's name is in {@link
 *       Sessions#callingService()}.
 *   <li>{@code SESSION} (the default): a valid user token whose session the store holds, ACTIVE
 *       and not expired. The session is in {@link Sessions#current()} for the handler, and its
 *       activity is recorded at most once per {@link SessionPolicy#touchInterval()}, in the
 *       background where the store allows ({@link SessionStore#touchLater}).
 * </ul>
 *
 * <p>A refusal is thrown as a {@link ParleyException} with its own reason (SESSION_KICKED,
 * TOKEN_EXPIRED, ...), for {@link io.parley.server.ExceptionMappingServerInterceptor}, which runs
 * outside this interceptor, to close the call with. A store that cannot be reached fails
 * UNAVAILABLE with SESSION_STORE_UNAVAILABLE, never UNAUTHENTICATED, so that clients retry rather
 * than log the user out.
 *
 * <p>Attributes the handler changes are written back once, as a delta, when the call ends (closed
 * by the handler, failed, or cancelled), and only if they changed. Thread-safe.
 */
public final class SessionServerInterceptor implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(SessionServerInterceptor.class);

  /** The metadata key of the bearer token. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenVerifier verifier;
  private final SessionStore store;
  private final Duration touchInterval;
  private final Clock clock;
  private final AuthLevels authLevels = new AuthLevels();

  public SessionServerInterceptor(TokenVerifier verifier, SessionStore store, SessionPolicy policy, Clock clock) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.store = requireNonNull(store, "store");
    this.touchInterval = requireNonNull(policy, "policy").touchInterval();
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    AuthLevel level = authLevels.of(call.getMethodDescriptor());
    if (level == AuthLevel.PUBLIC) {
      return next.startCall(call, headers);
    }
    String authorization = headers.get(AUTHORIZATION);
    VerifiedToken token = verifier.verifyAuthorization(authorization);
    if (level == AuthLevel.INTERNAL) {
      if (token.type() != TokenType.SERVICE) {
        throw new ParleyException(ErrorReason.SERVICE_CREDENTIAL_REQUIRED,
            call.getMethodDescriptor().getFullMethodName() + " is internal: it needs a service credential");
      }
      Context context = Context.current().withValue(Sessions.SERVICE, token.subject());
      return Contexts.interceptCall(context, call, headers, next);
    }
    if (token.type() != TokenType.USER) {
      throw new ParleyException(ErrorReason.TOKEN_TYPE_INVALID, "a service credential cannot act as a user session");
    }
    Session session = new Session(resolve(token));
    Context context = Context.current()
        .withValue(Sessions.SESSION, session)
        .withValue(Sessions.AUTHORIZATION, authorization);
    WriteBackCall<ReqT, RespT> writeBack = new WriteBackCall<>(call, session);
    ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, writeBack, headers, next);
    // A call closed by the handler writes back before its response leaves, so the client's next
    // call sees the change; a call closed otherwise (an error mapped outside, a cancellation) as
    // it completes.
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          writeBack.writeBack();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          writeBack.writeBack();
        }
      }
    };
  }

  /**
   * The stored session behind a verified user token, or the reason it cannot be used. A session
   * whose recorded activity is a touch interval old or more is noted active now ({@link
   * SessionStore#touchLater}): the check does not wait for that write, and needs nothing from it.
   */
  private StoredSession resolve(VerifiedToken token) {
    StoredSession stored = store.find(token.subject(), token.sessionId())
        .orElseThrow(() -> new ParleyException(ErrorReason.SESSION_NOT_FOUND, "session not found: log in again"));
    Instant now = clock.instant();
    check(stored, token, now);
    if (!now.isBefore(stored.lastAccess().plus(touchInterval))) {
      try {
        store.touchLater(stored, now);
      } catch (ParleyException e) {
        if (e.reason() != ErrorReason.SESSION_STORE_UNAVAILABLE) {
          throw e;
        }
        // The session was just verified; recording activity can wait for the next call.
        logger.debug("could not record activity of session {}: {}", stored.sessionId(), e.getMessage());
      }
    }
    return stored;
  }

  private static void check(StoredSession stored, VerifiedToken token, Instant now) {
    if (stored.state() != SessionState.ACTIVE) {
      throw new ParleyException(stored.state().reason(), stored.state() == SessionState.KICKED
          ? "session replaced by a newer login on the same terminal"
          : "session was ended: log in again");
    }
    if (stored.terminal() != token.terminal()) {
      throw new ParleyException(ErrorReason.SESSION_MISMATCH, "token does not match its session");
    }
    if (stored.isExpired(now)) {
      throw new ParleyException(ErrorReason.SESSION_EXPIRED, "session expired: log in again");
    }
  }

  /** Writes changed attributes back once, when the call ends. */
  private final class WriteBackCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final Session session;
    private final AtomicBoolean done = new AtomicBoolean();

    WriteBackCall(ServerCall<ReqT, RespT> delegate, Session session) {
      super(delegate);
      this.session = session;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      writeBack();
      super.close(status, trailers);
    }

    void writeBack() {
      if (!session.isChanged() || !done.compareAndSet(false, true)) {
        return;
      }
      try {
        if (!store.updateAttributes(session.userId(), session.sessionId(), session.changes())) {
          logger.debug("session {} ended before its attributes could be written", session.sessionId());
        }
      } catch (RuntimeException e) {
        logger.warn("could not write back attributes of session {}", session.sessionId(), e);
      }
    }
  }
}
