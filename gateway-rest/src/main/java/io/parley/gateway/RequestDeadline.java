package io.parley.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCounted;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The whole-request deadline of one connection: a request must arrive completely, request line,
 * headers and body, within the timeout of its first byte, so that a client that sends slowly (a
 * slowloris) cannot hold a connection. The first request's clock starts when the connection
 * opens; a connection that sends nothing in that time is closed without an answer.
 *
 * <p>Two handlers share the clock: {@link #bytes()} before the HTTP codec starts it on the first
 * byte, {@link #messages()} after it stops it at the end of each request. A request whose first
 * bytes came in the same read as the end of the one before starts its clock at its next read.
 * Time during which the gateway itself is not reading (it pauses while it cannot write, or while
 * pipelined requests wait) does not count: the clock is then given another period.
 *
 * <p>When the clock runs out, a {@link RefusedRequest} (408, DEADLINE_EXCEEDED) goes down the
 * pipeline from where requests come out of the codec, as if the request had arrived, so that
 * every handler after the codec sees one answer per request and {@link GatewayHandler} answers it
 * in its turn and closes the connection. Used on the connection's event loop only.
 */
final class RequestDeadline {
  private final Duration timeout;
  private final long timeoutNanos;
  private ChannelHandlerContext requests;
  private ScheduledFuture<?> timer;
  private boolean bytesSeen;
  private HttpRequest head;

  RequestDeadline(Duration timeout) {
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
  }

  /** The handler that goes before the HTTP codec, where bytes arrive. */
  ChannelInboundHandler bytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
          bytesSeen = true;
          if (timer == null) {
            start(ctx);
          }
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
      }

      @Override
      public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
      }
    };
  }

  /** The handler that goes after the HTTP codec, where requests come out. */
  ChannelInboundHandler messages() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        requests = ctx;
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && !(msg instanceof ReferenceCounted)) {
          head = request;
        }
        if (msg instanceof LastHttpContent) {
          stop();
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  private void start(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    bytesSeen = false;
    head = null;
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!ctx.channel().config().isAutoRead()) {
      start(ctx);
      return;
    }
    if (!bytesSeen || requests == null) {
      ctx.close();
      return;
    }
    HttpRequest expired = head;
    stop();
    ParleyException late = new ParleyException(ErrorReason.DEADLINE_EXCEEDED,
        "the request did not arrive within " + timeout.toMillis() + " ms");
    requests.fireChannelRead(new RefusedRequest(expired, late, HttpResponseStatus.REQUEST_TIMEOUT, true));
  }
}
