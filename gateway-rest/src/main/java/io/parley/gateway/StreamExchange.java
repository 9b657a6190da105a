package io.parley.gateway;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.RequestIds;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server-streaming call, answered as a chunked stream of Server-Sent Events ({@code
 * text/event-stream}: one {@code data:} event per message, with the message's {@code cursor} as its
 * {@code id:} when it has one, a comment every heartbeat interval, and an error as a last {@code
 * event: error}) or of newline-delimited JSON ({@code
 * application/x-ndjson}: one message per line, an error as a last {@code {"error":…}} line).
 *
 * <p>The HTTP response starts when the service sends its headers, so a call refused at once (a
 * kicked session, say) is answered as a plain HTTP error with its own status code, not as a 200
 * stream that fails.
 *
 * <p>Flow control: the next message is requested from the service only while the connection is
 * writable, so a slow client holds the service back instead of filling the gateway's memory.
 */
final class StreamExchange extends ClientCall.Listener<DynamicMessage> implements Exchange {
  private static final Logger logger = LoggerFactory.getLogger(StreamExchange.class);

  /** The two ways to stream. */
  enum Format {
    SSE("text/event-stream"),
    NDJSON("application/x-ndjson");

    private final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }

    String contentType() {
      return contentType;
    }

    /** SSE if the Accept header prefers it, NDJSON otherwise (its default). */
    static Format negotiate(String accept) {
      if (accept == null) {
        return NDJSON;
      }
      double sse = 0;
      double ndjson = 0;
      for (String range : accept.split(",")) {
        // With the limit, a range of separators only (";;") still has a first part, empty.
        String[] parts = range.split(";", -1);
        String type = parts[0].strip().toLowerCase(Locale.ROOT);
        double q = 1;
        for (int i = 1; i < parts.length; i++) {
          String parameter = parts[i].strip();
          if (parameter.startsWith("q=")) {
            try {
              q = Double.parseDouble(parameter.substring(2));
            } catch (NumberFormatException e) {
              q = 0;
            }
          }
        }
        if (type.equals("text/event-stream")) {
          sse = Math.max(sse, q);
        } else if (type.equals("application/x-ndjson") || type.equals("application/jsonl")) {
          ndjson = Math.max(ndjson, q);
        }
      }
      return sse > 0 && sse >= ndjson ? SSE : NDJSON;
    }
  }

  private final GatewayHandler handler;
  private final ChannelHandlerContext ctx;
  private final HttpCall call;
  private final Route route;
  private final ClientCall<DynamicMessage, DynamicMessage> clientCall;
  private final DynamicMessage request;
  private final Metadata headers;
  private final Format format;
  private final Duration heartbeat;
  private String requestId;
  private boolean headSent;
  private boolean finished;
  private boolean awaitingWritable;
  private ScheduledFuture<?> heartbeatTask;

  StreamExchange(GatewayHandler handler, HttpCall call, Route route, ClientCall<DynamicMessage, DynamicMessage> clientCall,
      DynamicMessage request, Metadata headers, Format format, Duration heartbeat) {
    this.handler = handler;
    this.ctx = handler.context();
    this.call = call;
    this.route = route;
    this.clientCall = clientCall;
    this.request = request;
    this.headers = headers;
    this.format = format;
    this.heartbeat = heartbeat;
    this.requestId = call.requestId();
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
    String upstream = headers.get(RequestIds.METADATA_KEY);
    if (upstream != null) {
      requestId = upstream;
    }
    if (!finished) {
      sendHead();
    }
  }

  @Override
  public void onMessage(DynamicMessage message) {
    if (finished) {
      return;
    }
    sendHead();
    String json = handler.gateway().json().printResponse(route, message);
    write(format == Format.SSE ? eventId(message) + "data: " + json + "\n\n" : json + "\n");
    if (ctx.channel().isWritable()) {
      clientCall.request(1);
    } else {
      awaitingWritable = true;
    }
  }

  /**
   * The SSE {@code id:} line of a message with a {@code cursor} (what a reconnecting EventSource
   * sends back as {@code Last-Event-ID}), else nothing.
   */
  private String eventId(DynamicMessage message) {
    Descriptors.FieldDescriptor field = message.getDescriptorForType().findFieldByName(GatewayHandler.CURSOR);
    if (field == null || field.getJavaType() != Descriptors.FieldDescriptor.JavaType.STRING) {
      return "";
    }
    String cursor = (String) message.getField(field);
    if (cursor.isEmpty() || cursor.indexOf('\n') >= 0 || cursor.indexOf('\r') >= 0) {
      return "";
    }
    return "id: " + cursor + "\n";
  }

  @Override
  public void writabilityChanged() {
    if (awaitingWritable && !finished && ctx.channel().isWritable()) {
      awaitingWritable = false;
      clientCall.request(1);
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (finished) {
      return;
    }
    finished = true;
    stopHeartbeat();
    String trailerId = trailers.get(RequestIds.METADATA_KEY);
    if (!headSent && trailerId != null) {
      requestId = trailerId;
    }
    if (status.isOk()) {
      sendHead();
      end();
      return;
    }
    ApiError error = ApiError.fromUpstream(status, trailers, requestId, call.locale());
    if (!headSent) {
      handler.respondError(call, error, requestId);
      return;
    }
    logger.debug("{} stream ended with {} [request_id={}]", route.fullMethodName(), error.describe(), requestId);
    writeError(error);
    end();
  }

  @Override
  public void cancel() {
    if (!finished) {
      finished = true;
      stopHeartbeat();
      clientCall.cancel("the HTTP client went away", null);
    }
  }

  @Override
  public void shutdown() {
    if (finished) {
      return;
    }
    finished = true;
    stopHeartbeat();
    clientCall.cancel("the gateway is shutting down", null);
    ApiError error = ApiError.of(
        ParleyException.builder(ErrorReason.SERVER_BUSY).message("the gateway is shutting down; reconnect").build(),
        requestId, call.locale());
    if (!headSent) {
      handler.respondError(call, error, requestId);
      return;
    }
    writeError(error);
    end();
  }

  private void sendHead() {
    if (headSent) {
      return;
    }
    headSent = true;
    HttpResponse head = new DefaultHttpResponse(call.version(), HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, format.contentType())
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set("x-accel-buffering", "no");
    HttpUtil.setTransferEncodingChunked(head, true);
    handler.decorate(call, head, requestId);
    ctx.writeAndFlush(head);
    if (format == Format.SSE) {
      long every = heartbeat.toNanos();
      heartbeatTask = ctx.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.NANOSECONDS);
    }
  }

  private void heartbeat() {
    if (!finished && ctx.channel().isWritable()) {
      write(": heartbeat\n\n");
    }
  }

  private void writeError(ApiError error) {
    String json = error.toJson(handler.gateway().json());
    write(format == Format.SSE ? "event: error\ndata: " + json + "\n\n" : json + "\n");
  }

  private void write(String text) {
    ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text)));
  }

  private void end() {
    boolean keepAlive = handler.keepAlive(call);
    ChannelFuture written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    handler.finished(call, HttpResponseStatus.OK.code(), requestId);
  }

  private void stopHeartbeat() {
    if (heartbeatTask != null) {
      heartbeatTask.cancel(false);
      heartbeatTask = null;
    }
  }
}
