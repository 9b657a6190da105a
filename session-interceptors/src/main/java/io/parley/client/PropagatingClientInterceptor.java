package io.parley.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.parley.server.RequestIds;
import io.parley.session.Sessions;

/**
 * Makes a service-to-service call act for the same caller as the call being served. From the
 * current call's {@link Context} it copies:
 *
 * <ul>
 *   <li>the {@code authorization} value, unless the outgoing call carries its own {@link
 *       io.grpc.CallCredentials} (as calls to INTERNAL methods do, with {@link
 *       ServiceTokenCredentials});
 *   <li>the request id, as {@code x-request-id}, so one id follows the work across services;
 *   <li>the deadline, so that the downstream call never outlives the upstream one.
 * </ul>
 *
 * <p>(Errors need no language propagation: the upstream service re-renders a downstream error in
 * its own caller's language.) Install it on every channel a service uses to reach another.
 * Thread-safe.
 */
public final class PropagatingClientInterceptor implements ClientInterceptor {
  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    String authorization = callOptions.getCredentials() == null ? Sessions.currentAuthorization() : null;
    String requestId = RequestIds.current();
    Deadline deadline = Context.current().getDeadline();
    CallOptions options = callOptions;
    if (deadline != null && (options.getDeadline() == null || deadline.isBefore(options.getDeadline()))) {
      options = options.withDeadline(deadline);
    }
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        if (authorization != null && !headers.containsKey(BearerTokenCredentials.AUTHORIZATION)) {
          headers.put(BearerTokenCredentials.AUTHORIZATION, authorization);
        }
        if (requestId != null && !headers.containsKey(RequestIds.METADATA_KEY)) {
          headers.put(RequestIds.METADATA_KEY, requestId);
        }
        super.start(responseListener, headers);
      }
    };
  }
}
