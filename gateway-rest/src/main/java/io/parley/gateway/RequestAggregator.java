package io.parley.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.nio.charset.StandardCharsets;

/**
 * {@link HttpObjectAggregator} that answers a body over the limit with the gateway's own 413 (an
 * AIP-193 body with REQUEST_TOO_LARGE) instead of Netty's empty one.
 *
 * <p>An oversized request becomes a {@link RefusedRequest} for {@link GatewayHandler}, so its
 * answer keeps its place among pipelined responses. As in Netty, the connection stays open when
 * the limit is known from Content-Length before any of the body is read (the rest of the body is
 * skipped), and closes when part of it already was.
 */
final class RequestAggregator extends HttpObjectAggregator {
  private final int limit;
  private final ProtoJson json;
  private final TrustedProxies proxies;

  RequestAggregator(int maxContentLength, ProtoJson json, TrustedProxies proxies) {
    super(maxContentLength, true);
    this.limit = maxContentLength;
    this.json = json;
    this.proxies = proxies;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
    if (!(oversized instanceof HttpRequest request)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    boolean mustClose = oversized instanceof FullHttpMessage
        || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
    ctx.fireChannelRead(new RefusedRequest(request, tooLarge(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, mustClose));
  }

  private ParleyException tooLarge() {
    return new ParleyException(ErrorReason.REQUEST_TOO_LARGE, "the request body is larger than " + limit + " bytes");
  }

  /**
   * A client that sent {@code Expect: 100-continue} for too large a body, or an {@code Expect}
   * the server does not know, gets a JSON error (413 or 417) rather than Netty's empty one.
   */
  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    String expect = start.headers().get(HttpHeaderNames.EXPECT);
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (!(response instanceof FullHttpResponse full) || full.status().code() < 400 || !(start instanceof HttpRequest request)) {
      return response;
    }
    HttpResponseStatus status = full.status();
    full.release();
    HttpCall call = HttpCall.of(request, pipeline.channel().remoteAddress(), proxies);
    ParleyException cause = status.code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()
        ? tooLarge()
        : new ParleyException(ErrorReason.INVALID_ARGUMENT, "unsupported Expect: " + expect);
    ApiError error = ApiError.of(cause, call.requestId(), call.locale()).withHttpStatus(status);
    FullHttpResponse answer = new DefaultFullHttpResponse(call.version(), error.httpStatus(),
        Unpooled.copiedBuffer(error.toJson(json), StandardCharsets.UTF_8));
    answer.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .set(ForwardedHeaders.X_REQUEST_ID, call.requestId())
        .set("x-content-type-options", "nosniff");
    HttpUtil.setContentLength(answer, answer.content().readableBytes());
    HttpUtil.setKeepAlive(answer, false);
    return answer;
  }
}
