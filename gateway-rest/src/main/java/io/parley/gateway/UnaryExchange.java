package io.parley.gateway;

import com.google.protobuf.DynamicMessage;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A unary call: one request message, one response, answered as one JSON document or an error. */
final class UnaryExchange extends ClientCall.Listener<DynamicMessage> implements Exchange {
  private static final Logger logger = LoggerFactory.getLogger(UnaryExchange.class);

  private final GatewayHandler handler;
  private final HttpCall call;
  private final Route route;
  private final ClientCall<DynamicMessage, DynamicMessage> clientCall;
  private final DynamicMessage request;
  private final Metadata headers;
  private String upstreamRequestId;
  private DynamicMessage response;
  private boolean finished;

  UnaryExchange(GatewayHandler handler, HttpCall call, Route route,
      ClientCall<DynamicMessage, DynamicMessage> clientCall, DynamicMessage request, Metadata headers) {
    this.handler = handler;
    this.call = call;
    this.route = route;
    this.clientCall = clientCall;
    this.request = request;
    this.headers = headers;
  }

  @Override
  public void start() {
    clientCall.start(this, headers);
    clientCall.request(1);
    clientCall.sendMessage(request);
    clientCall.halfClose();
  }

  @Override
  public void onHeaders(Metadata headers) {
    upstreamRequestId = headers.get(RequestIds.METADATA_KEY);
  }

  @Override
  public void onMessage(DynamicMessage message) {
    response = message;
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (finished) {
      return;
    }
    finished = true;
    String requestId = upstreamRequestId != null ? upstreamRequestId
        : trailers.get(RequestIds.METADATA_KEY) != null ? trailers.get(RequestIds.METADATA_KEY) : call.requestId();
    if (!status.isOk()) {
      handler.respondError(call, ApiError.fromUpstream(status, trailers, requestId, call.locale()), requestId);
      return;
    }
    String json;
    try {
      if (response == null) {
        throw new IllegalStateException(route.fullMethodName() + " closed OK without a response");
      }
      json = handler.gateway().json().printResponse(route, response);
    } catch (RuntimeException e) {
      logger.error("cannot answer {} [request_id={}]", route.fullMethodName(), requestId, e);
      ParleyException internal = ParleyException.builder(ErrorReason.INTERNAL_ERROR).message("internal error").build();
      handler.respondError(call, ApiError.of(internal, requestId, call.locale()), requestId);
      return;
    }
    handler.respondJson(call, HttpResponseStatus.OK, json, requestId);
  }

  @Override
  public void cancel() {
    if (!finished) {
      finished = true;
      clientCall.cancel("the HTTP client went away", null);
    }
  }

  @Override
  public void shutdown() {
    // Let the call finish: its response is the last on this connection.
  }
}
