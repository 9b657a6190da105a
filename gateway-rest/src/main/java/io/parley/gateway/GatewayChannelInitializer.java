package io.parley.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.RequestIds;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of one connection, from the socket inwards: lingering close, TLS (when configured),
 * the whole-request deadline, idle timeout, HTTP/1.1 codec (request line up to 8 KiB, else 414; headers up to 16 KiB,
 * else 431), keep-alive bookkeeping, response compression, CORS (when configured), body
 * aggregation with the size limit (else 413), and the gateway.
 *
 * <p>It also caps the connections open at once: one over {@link ConnectionLimits#maxConnections()}
 * gets a 503 (SERVER_BUSY, {@code Retry-After: 1}) as soon as it opens, without its request being
 * read, and is closed. While more than {@link #MAX_REFUSING} such answers are still going out, a
 * further connection is closed without one.
 */
final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final Logger logger = LoggerFactory.getLogger(GatewayChannelInitializer.class);
  private static final int MAX_INITIAL_LINE_BYTES = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_CHUNK_BYTES = 8 * 1024;
  private static final int MAX_REFUSING = 1024;
  private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Gateway gateway;
  private final ChannelGroup connections;
  private final CorsConfig cors;
  private final ConnectionLimits limits;
  private final SslContext tls;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusing = new AtomicInteger();
  private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);

  /** @param tls the server's TLS context, or null for plaintext HTTP */
  GatewayChannelInitializer(Gateway gateway, ChannelGroup connections, CorsConfig cors, ConnectionLimits limits,
      SslContext tls) {
    this.gateway = gateway;
    this.connections = connections;
    this.cors = cors;
    this.limits = limits;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel);
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      refuse(channel);
      return;
    }
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("linger", new LingeringCloseHandler());
    addTls(channel);
    channel.closeFuture().addListener(closed -> open.decrementAndGet());
    RequestDeadline deadline = new RequestDeadline(limits.requestReadTimeout());
    pipeline.addLast("deadline", deadline.bytes());
    pipeline.addLast("idle", new IdleStateHandler(true, 0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxChunkSize(MAX_CHUNK_BYTES)));
    pipeline.addLast("request-end", deadline.messages());
    pipeline.addLast("keep-alive", new HttpServerKeepAliveHandler());
    pipeline.addLast("compressor", new ResponseCompressor());
    if (cors != null) {
      pipeline.addLast("cors", new CorsHandler(cors));
    }
    pipeline.addLast("aggregator", new RequestAggregator(limits.maxRequestBytes(), gateway.json(), gateway.trustedProxies()));
    pipeline.addLast("gateway", new GatewayHandler(gateway, limits));
  }

  private void refuse(SocketChannel channel) {
    if (refusing.incrementAndGet() > MAX_REFUSING) {
      refusing.decrementAndGet();
      channel.close();
      return;
    }
    channel.closeFuture().addListener(closed -> refusing.decrementAndGet());
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
      logger.warn("{} connections are open, the most allowed: refusing new ones with 503", limits.maxConnections());
    }
    channel.pipeline().addLast("linger", new LingeringCloseHandler());
    addTls(channel);
    channel.pipeline().addLast("busy", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(serverBusy(ctx)).addListener(ChannelFutureListener.CLOSE);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
      }
    });
  }

  /** TLS right inside the lingering close, so that a close sends close_notify before the socket's end. */
  private void addTls(SocketChannel channel) {
    if (tls != null) {
      channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
    }
  }

  private ByteBuf serverBusy(ChannelHandlerContext ctx) {
    String requestId = RequestIds.newId();
    ParleyException busy = ParleyException.builder(ErrorReason.SERVER_BUSY)
        .message("too many connections; retry shortly")
        .retryAfter(Duration.ofSeconds(1))
        .build();
    String body = ApiError.of(busy, requestId, Locale.ENGLISH).toJson(gateway.json());
    int length = ByteBufUtil.utf8Bytes(body);
    return ByteBufUtil.writeUtf8(ctx.alloc(), "HTTP/1.1 503 Service Unavailable\r\n"
        + "content-type: application/json\r\n"
        + "content-length: " + length + "\r\n"
        + "retry-after: 1\r\n"
        + "x-request-id: " + requestId + "\r\n"
        + "x-content-type-options: nosniff\r\n"
        + "connection: close\r\n\r\n"
        + body);
  }
}
