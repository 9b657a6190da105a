package io.parley.session;

import io.grpc.Context;

/**
 * The accessor for the current call's caller, filled by {@link SessionServerInterceptor} in the
 * call's {@link Context} (never a ThreadLocal holder: a call's callbacks may run on different
 * threads).
 *
 * <pre>{@code
 * String me = Sessions.current().userId();
 * }</pre>
 */
public final class Sessions {
  static final Context.Key<Session> SESSION = Context.key("parley-session");
  static final Context.Key<String> SERVICE = Context.key("parley-calling-service");
  static final Context.Key<String> AUTHORIZATION = Context.key("parley-authorization");
  static final Context.Key<String> PEER = Context.key("parley-peer-identity");

  private Sessions() {}

  /**
   * The current call's session.
   *
   * @throws IllegalStateException outside a call, or in a PUBLIC or INTERNAL method, which have no
   *     session: a programming error, reported to the client as INTERNAL
   */
  public static Session current() {
    Session session = SESSION.get();
    if (session == null) {
      throw new IllegalStateException("no session in this context: the method is PUBLIC or INTERNAL, "
          + "or this code runs outside the call's Context");
    }
    return session;
  }

  /** The current call's session, or null in a PUBLIC or INTERNAL method. */
  public static Session currentOrNull() {
    return SESSION.get();
  }

  /** The name of the service calling an INTERNAL method, or null. */
  public static String callingService() {
    return SERVICE.get();
  }

  /**
   * The identity in the caller's TLS client certificate, verified against the deployment's CA (its
   * first DNS name, else its CN; see {@link PeerCertificateServerInterceptor}); null when the call
   * came without one (plaintext, in-process, or a client that presented none).
   */
  public static String peerIdentity() {
    return PEER.get();
  }

  /**
   * The current call's {@code authorization} value, for propagation to downstream calls (see
   * {@code io.parley.client.PropagatingClientInterceptor}); null if there is none. Never log it.
   */
  public static String currentAuthorization() {
    return AUTHORIZATION.get();
  }

  /** A context carrying {@code session} (and its token), for tests and background work. */
  public static Context withSession(Context context, Session session, String authorization) {
    Context withSession = context.withValue(SESSION, session);
    return authorization == null ? withSession : withSession.withValue(AUTHORIZATION, authorization);
  }
}
