package io.parley.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the way an HTTP server must when the client may still be sending (RFC 9112
 * §9.6): once everything written has gone out, the output is shut, so the client reads the answer
 * and then the end of the stream; what still arrives is read and dropped until the client closes,
 * for at most {@link #LINGER_MILLIS}. Closing at once with unread input would make TCP reset the
 * connection, and a client still writing its request would lose the answer (a 408, 413 or 503).
 *
 * <p>First in the pipeline, so every close, whoever asks for it, goes through it. A close that
 * finds the connection unable to flush within the linger (a client that reads nothing) ends it
 * anyway. Not sharable; used on the connection's event loop only.
 */
final class LingeringCloseHandler extends ChannelDuplexHandler {
  private static final long LINGER_MILLIS = 1_000;

  private boolean lingering;

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    Channel channel = ctx.channel();
    if (lingering) {
      channel.closeFuture().addListener(closed -> promise.trySuccess());
      return;
    }
    if (!(channel instanceof SocketChannel socket) || !channel.isActive() || socket.isOutputShutdown()) {
      ctx.close(promise);
      return;
    }
    lingering = true;
    ScheduledFuture<?> deadline = ctx.executor().schedule(() -> {
      ctx.close();
    }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> {
      deadline.cancel(false);
      promise.trySuccess();
    });
    // Writes go out in order: once this empty one has, everything before it has too.
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
      if (flushed.isSuccess() && channel.isActive()) {
        socket.shutdownOutput();
      } else {
        ctx.close();
      }
    });
    channel.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
