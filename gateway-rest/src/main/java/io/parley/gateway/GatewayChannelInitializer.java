package io.parley.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one connection, from the socket inwards: idle timeout, HTTP/1.1 codec (request
 * line up to 8 KiB, else 414; headers up to 16 KiB, else 431), keep-alive bookkeeping, response
 * compression, CORS (when configured), body aggregation with the size limit (else 413), and the
 * gateway.
 */
final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE_BYTES = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_CHUNK_BYTES = 8 * 1024;

  private final Gateway gateway;
  private final ChannelGroup connections;
  private final CorsConfig cors;
  private final int maxRequestBytes;
  private final Duration idleTimeout;

  GatewayChannelInitializer(Gateway gateway, ChannelGroup connections, CorsConfig cors, int maxRequestBytes,
      Duration idleTimeout) {
    this.gateway = gateway;
    this.connections = connections;
    this.cors = cors;
    this.maxRequestBytes = maxRequestBytes;
    this.idleTimeout = idleTimeout;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel);
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
    pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxChunkSize(MAX_CHUNK_BYTES)));
    pipeline.addLast("keep-alive", new HttpServerKeepAliveHandler());
    pipeline.addLast("compressor", new ResponseCompressor());
    if (cors != null) {
      pipeline.addLast("cors", new CorsHandler(cors));
    }
    pipeline.addLast("aggregator", new RequestAggregator(maxRequestBytes, gateway.json()));
    pipeline.addLast("gateway", new GatewayHandler(gateway));
  }
}
