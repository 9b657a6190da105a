package io.parley.gateway;

import com.google.gson.JsonObject;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.LogFields;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the requests of one HTTP/1.1 connection, one at a time and in order: pipelined requests
 * wait in a short queue, so responses never overtake each other.
 *
 * <p>What a connection holds is bounded. Reading pauses while a request waits behind the one in
 * flight, and while the client is not taking its answers (the channel is not writable: more than
 * the write buffer's high watermark waits to go out), and the next request is not served until the
 * client takes them. What one socket read held beyond that is queued, up to {@link
 * ConnectionLimits#maxPipelinedRequests()}; a request past those is answered 503 in its turn and
 * the connection closes after it. A connection whose client takes no byte of an answer for the
 * idle timeout is closed.
 *
 * <p>Built-in endpoints: {@code /} and {@code /app/} (the web chat client), {@code /healthz} (the
 * gateway itself), {@code /readyz} (its upstreams' grpc.health.v1 status), {@code /openapi.json} and
 * {@code /docs/} (Swagger UI). Everything else goes through the {@link Router} to a gRPC call. Every
 * answer carries {@code X-Request-Id}; every error has the AIP-193 body.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop only.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
  /** The user event that tells a connection the gateway is closing. */
  static final Object SHUTDOWN = new Object() {
    @Override
    public String toString() {
      return "GatewayHandler.SHUTDOWN";
    }
  };

  private static final Logger logger = LoggerFactory.getLogger(GatewayHandler.class);
  private static final String ACCESS_TOKEN = "access_token";
  /** A streaming request's field resumed from the SSE {@code Last-Event-ID} header. */
  static final String CURSOR = "cursor";
  private static final List<HttpMethod> BUILT_IN_METHODS = List.of(HttpMethod.GET, HttpMethod.OPTIONS);

  private final Gateway gateway;
  private final ConnectionLimits limits;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  /** The server span of the routed request in flight ({@link HttpServerTracing}), or the invalid span. */
  private Span span = Span.getInvalid();
  /**
   * What the log lines about the request in flight carry (see {@link LogFields}): its request id,
   * and its trace and span ids once its span has started. Its gRPC call's callbacks run with them.
   */
  private LogFields logFields;
  /** The route label of the request being answered (see {@link GatewayMetrics}). */
  private String routeLabel = GatewayMetrics.UNMATCHED;
  private boolean closing;
  /** No more requests are read: the connection closes once those queued are answered. */
  private boolean refusing;

  GatewayHandler(Gateway gateway, ConnectionLimits limits) {
    this.gateway = gateway;
    this.limits = limits;
  }

  Gateway gateway() {
    return gateway;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (refusing) {
      request.release();
      return;
    }
    if (request instanceof RefusedRequest refused && refused.mustClose()) {
      // Too slow or too large to read on: answered in its turn, and nothing after it is read.
      refuse(refused);
    } else if (current == null && queued.isEmpty() && ctx.channel().isWritable()) {
      handle(request);
    } else if (queued.size() < limits.maxPipelinedRequests()) {
      queued.add(request);
    } else {
      logger.debug("connection {} pipelined more than {} requests; closing it", ctx.channel().remoteAddress(),
          limits.maxPipelinedRequests());
      ParleyException busy = ParleyException.builder(ErrorReason.SERVER_BUSY)
          .message("more than " + limits.maxPipelinedRequests() + " pipelined requests; send fewer at once")
          .retryAfter(Duration.ofSeconds(1))
          .build();
      RefusedRequest refused = new RefusedRequest(request, busy, HttpResponseStatus.SERVICE_UNAVAILABLE, true);
      request.release();
      refuse(refused);
    }
    updateReading();
  }

  /**
   * Reads no more requests, and answers {@code refused} once those before it are: that answer
   * closes the connection.
   */
  private void refuse(RefusedRequest refused) {
    refusing = true;
    if (current == null && queued.isEmpty()) {
      handle(refused);
    } else {
      queued.add(refused);
    }
  }

  /** Reads while no request waits and the client takes its answers. */
  private void updateReading() {
    boolean read = !refusing && queued.isEmpty() && ctx.channel().isWritable();
    if (ctx.channel().config().isAutoRead() != read) {
      ctx.channel().config().setAutoRead(read);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      current.cancel();
      current = null;
    }
    HttpServerTracing.abandon(span);
    span = Span.getInvalid();
    releaseQueued();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.writabilityChanged();
    } else if (ctx.channel().isWritable() && !queued.isEmpty()) {
      serveQueued();
    }
    updateReading();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      if (current == null || !ctx.channel().isWritable()) {
        logger.debug("closing idle connection {}", ctx.channel().remoteAddress());
        ctx.close();
      }
    } else if (event == SHUTDOWN) {
      closing = true;
      if (current == null) {
        ctx.close();
      } else {
        current.shutdown();
      }
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  // ---- answering ----------------------------------------------------------------------------

  /** Whether the connection stays open after answering {@code call}. */
  boolean keepAlive(HttpCall call) {
    return call.keepAlive() && !closing;
  }

  /** Adds what every response carries: the request id, nosniff, and whether the connection stays open. */
  void decorate(HttpCall call, HttpResponse response, String requestId) {
    response.headers()
        .set(ForwardedHeaders.X_REQUEST_ID, requestId)
        .set("x-content-type-options", "nosniff");
    HttpUtil.setKeepAlive(response, keepAlive(call));
  }

  void respondJson(HttpCall call, HttpResponseStatus status, String json, String requestId) {
    FullHttpResponse response = response(call, status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8),
        "application/json");
    respond(call, response, requestId);
  }

  void respondError(HttpCall call, ApiError error, String requestId) {
    FullHttpResponse response = response(call, error.httpStatus(),
        Unpooled.copiedBuffer(error.toJson(gateway.json()), StandardCharsets.UTF_8), "application/json");
    error.addHeaders(response.headers());
    logger.debug("{} {} failed: {} {} [request_id={}]", call.method(), call.path(), error.describe(),
        error.status().getMessage(), requestId);
    respond(call, response, requestId);
  }

  private void respondError(HttpCall call, ParleyException error) {
    respondError(call, ApiError.of(error, call.requestId(), call.locale()), call.requestId());
  }

  private void respond(HttpCall call, FullHttpResponse response, String requestId) {
    decorate(call, response, requestId);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive(call)) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    finished(call, response.status().code(), requestId);
  }

  /** The exchange of {@code call} is over: log it and serve the next queued request. */
  void finished(HttpCall call, int status, String requestId) {
    current = null;
    HttpServerTracing.end(span, status);
    span = Span.getInvalid();
    gateway.metrics().answered(routeLabel, status, System.nanoTime() - call.startNanos());
    routeLabel = GatewayMetrics.UNMATCHED;
    if (logger.isDebugEnabled()) {
      logger.debug("{} {} -> {} in {} ms [request_id={}]", call.method(), call.path(), status,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.startNanos()), requestId);
    }
    if (!keepAlive(call)) {
      // The connection closes after this response: requests pipelined behind it go unanswered,
      // as Connection: close tells the client.
      refusing = true;
      releaseQueued();
    } else if (!queued.isEmpty()) {
      ctx.executor().execute(this::serveQueued);
    }
    updateReading();
  }

  private void serveQueued() {
    if (current != null || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
      return;
    }
    FullHttpRequest next = queued.poll();
    if (next == null) {
      return;
    }
    handle(next);
    updateReading();
  }

  private void releaseQueued() {
    queued.forEach(ReferenceCountUtil::release);
    queued.clear();
  }

  private static FullHttpResponse response(HttpCall call, HttpResponseStatus status, ByteBuf body, String contentType) {
    FullHttpResponse response = new DefaultFullHttpResponse(call.version(), status, body);
    if (contentType != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    return response;
  }

  // ---- dispatching --------------------------------------------------------------------------

  private void handle(FullHttpRequest request) {
    routeLabel = GatewayMetrics.UNMATCHED;
    HttpCall call = HttpCall.of(request, ctx.channel().remoteAddress(), gateway.trustedProxies());
    logFields = new LogFields(call.requestId(), null, null);
    logFields.run(() -> serve(call, request));
  }

  private void serve(HttpCall call, FullHttpRequest request) {
    try {
      if (request instanceof RefusedRequest refused) {
        HttpCall answered = refused.mustClose() ? call.withoutKeepAlive() : call;
        respondError(answered, refused.error(call.requestId(), call.locale()), call.requestId());
      } else if (request.decoderResult().isFailure()) {
        rejectUnreadable(call, request.decoderResult().cause());
      } else {
        dispatch(call, request);
      }
    } catch (ParleyException e) {
      abandonCurrent();
      // With the trace id too, if the request got as far as its span.
      logFields.run(() -> respondError(call, e));
    } catch (RuntimeException e) {
      abandonCurrent();
      logFields.run(() -> {
        logger.error("{} {} failed unexpectedly [request_id={}]", call.method(), call.path(), call.requestId(), e);
        respondError(call, ParleyException.builder(ErrorReason.INTERNAL_ERROR).message("internal error").build());
      });
    } finally {
      request.release();
    }
  }

  /** Drops an exchange that failed while starting, so that none of its callbacks answers too. */
  private void abandonCurrent() {
    if (current != null) {
      current.cancel();
      current = null;
    }
  }

  private void rejectUnreadable(HttpCall call, Throwable cause) {
    ParleyException error;
    HttpResponseStatus status;
    if (cause instanceof TooLongHttpLineException) {
      error = new ParleyException(ErrorReason.REQUEST_TOO_LARGE, "the request line is too long");
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ParleyException(ErrorReason.REQUEST_TOO_LARGE, "the request headers are too large");
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    } else if (cause instanceof TooLongFrameException) {
      error = new ParleyException(ErrorReason.REQUEST_TOO_LARGE, "the request is too large");
      status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    } else {
      error = new ParleyException(ErrorReason.INVALID_ARGUMENT, "malformed HTTP request");
      status = HttpResponseStatus.BAD_REQUEST;
    }
    respondError(call, ApiError.of(error, call.requestId(), call.locale()).withHttpStatus(status), call.requestId());
  }

  private void dispatch(HttpCall call, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8, true, 1024, true);
    String path = uri.rawPath();
    if (serveBuiltIn(call, path)) {
      return;
    }
    Router.Resolution resolution = gateway.router().resolve(call.method(), path);
    if (resolution instanceof Router.Matched matched) {
      routeLabel = GatewayMetrics.label(matched.route());
      startCall(call, request, uri, matched.route(), matched.variables());
    } else if (resolution instanceof Router.MethodNotAllowed notAllowed) {
      Set<HttpMethod> allowed = new LinkedHashSet<>(notAllowed.allowed());
      allowed.add(HttpMethod.OPTIONS);
      rejectMethod(call, allowed);
    } else {
      respondError(call, new ParleyException(ErrorReason.ROUTE_NOT_FOUND, "no route for " + call.method() + " " + path));
    }
  }

  /** Answers OPTIONS with the methods a path allows, anything else not among them with 405. */
  private void rejectMethod(HttpCall call, Collection<HttpMethod> allowed) {
    StringJoiner allow = new StringJoiner(", ");
    allowed.forEach(method -> allow.add(method.name()));
    if (call.method().equals(HttpMethod.OPTIONS)) {
      FullHttpResponse response = response(call, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER, null);
      response.headers().set(HttpHeaderNames.ALLOW, allow.toString());
      respond(call, response, call.requestId());
      return;
    }
    ParleyException error = new ParleyException(ErrorReason.METHOD_NOT_ALLOWED,
        call.method() + " is not allowed on " + call.path() + "; use " + allow);
    ApiError apiError = ApiError.of(error, call.requestId(), call.locale());
    FullHttpResponse response = response(call, apiError.httpStatus(),
        Unpooled.copiedBuffer(apiError.toJson(gateway.json()), StandardCharsets.UTF_8), "application/json");
    response.headers().set(HttpHeaderNames.ALLOW, allow.toString());
    respond(call, response, call.requestId());
  }

  private void startCall(HttpCall call, FullHttpRequest request, QueryStringDecoder uri, Route route,
      Map<String, String> variables) {
    span = gateway.tracing().start(request.headers(), call, route);
    logFields = LogFields.of(call.requestId(), span.getSpanContext());
    try (Scope ignored = span.makeCurrent()) {
      logFields.run(() -> startCallInSpan(call, request, uri, route, variables));
    }
  }

  /** Starts the gRPC call of a routed request, with its span current so that the call is its child. */
  private void startCallInSpan(HttpCall call, FullHttpRequest request, QueryStringDecoder uri, Route route,
      Map<String, String> variables) {
    Map<String, List<String>> query;
    try {
      query = new LinkedHashMap<>(uri.parameters());
    } catch (IllegalArgumentException e) {
      throw ParleyException.builder(ErrorReason.INVALID_ARGUMENT)
          .message("malformed percent-encoding in the query")
          .violation("query", "malformed percent-encoding")
          .build();
    }
    ForwardedHeaders forwarded = call.forwarded();
    if (route.isStreaming() && route.method().getInputType().findFieldByName(ACCESS_TOKEN) == null) {
      // EventSource cannot send headers, so a browser's stream may carry its token here (RFC 6750 §2.3).
      List<String> token = query.remove(ACCESS_TOKEN);
      if (token != null) {
        if (token.size() != 1 || forwarded.authorization() != null) {
          throw ParleyException.invalidField(ACCESS_TOKEN, "send the token once: in the Authorization header or as access_token");
        }
        forwarded = forwarded.withAuthorization("Bearer " + token.get(0));
      }
    }
    if (route.isStreaming() && route.method().getInputType().findFieldByName(CURSOR) != null
        && !query.containsKey(CURSOR)) {
      // An EventSource that reconnects sends the id of the last event it received (SSE §9.2.4).
      String lastEventId = request.headers().get("Last-Event-ID");
      if (lastEventId != null && !lastEventId.isEmpty()) {
        query.put(CURSOR, List.of(lastEventId));
      }
    }
    forwarded.checkSize();
    Duration timeout = timeout(request, route);
    Channel channel = gateway.upstreams().channelFor(route.serviceName());
    if (channel == null) {
      throw ParleyException.builder(ErrorReason.UPSTREAM_UNAVAILABLE)
          .message("no upstream is configured for " + route.serviceName())
          .build();
    }
    DynamicMessage message = gateway.binder().bind(route, variables, query,
        request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content());
    // The call's callbacks run on the event loop, with the request's log fields in the MDC.
    LogFields fields = logFields;
    Executor eventLoop = ctx.channel().eventLoop();
    CallOptions options = CallOptions.DEFAULT.withExecutor(task -> eventLoop.execute(() -> fields.run(task)));
    if (timeout != null) {
      options = options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    ClientCall<DynamicMessage, DynamicMessage> clientCall = channel.newCall(gateway.grpcMethod(route), options);
    Exchange exchange = route.isStreaming()
        ? new StreamExchange(this, call, route, clientCall, message, forwarded.toMetadata(),
            StreamExchange.Format.negotiate(request.headers().get(HttpHeaderNames.ACCEPT)), gateway.heartbeatInterval())
        : new UnaryExchange(this, call, route, clientCall, message, forwarded.toMetadata());
    current = exchange;
    exchange.start();
  }

  /** The call's deadline: Grpc-Timeout if sent, else the default for unary calls and none for streams. */
  private Duration timeout(FullHttpRequest request, Route route) {
    String header = request.headers().get("grpc-timeout");
    if (header == null) {
      return route.isStreaming() ? null : gateway.defaultTimeout();
    }
    Duration timeout = GrpcTimeouts.parse(header);
    if (timeout == null) {
      throw ParleyException.invalidField("Grpc-Timeout", "'" + header + "' is not a gRPC timeout such as 5S or 200m");
    }
    if (timeout.compareTo(gateway.maxGrpcTimeout()) > 0) {
      throw ParleyException.invalidField("Grpc-Timeout",
          "'" + header + "' is longer than the " + GrpcTimeouts.format(gateway.maxGrpcTimeout()) + " this gateway allows");
    }
    return timeout;
  }

  // ---- built-in endpoints -------------------------------------------------------------------

  private boolean serveBuiltIn(HttpCall call, String path) {
    boolean docs = path.startsWith("/docs/");
    boolean app = path.startsWith("/app/");
    if (!docs && !app && !path.equals("/") && !path.equals("/docs") && !path.equals("/healthz")
        && !path.equals("/readyz") && !path.equals("/openapi.json")) {
      return false;
    }
    if (!call.method().equals(HttpMethod.GET)) {
      rejectMethod(call, BUILT_IN_METHODS);
      return true;
    }
    routeLabel = "GET " + (docs || path.equals("/") ? "/docs" : path);
    if (docs) {
      serveDocs(call, path.substring("/docs/".length()));
      return true;
    }
    if (app) {
      serveWebClient(call, path, gateway.webClient().asset(path.substring("/app/".length())));
      return true;
    }
    switch (path) {
      case "/" -> serveWebClient(call, path, gateway.webClient().page());
      case "/docs" -> {
        FullHttpResponse response = response(call, HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER, null);
        // Relative, so that it also works behind a proxy that mounts the gateway under a prefix.
        response.headers().set(HttpHeaderNames.LOCATION, "docs/");
        respond(call, response, call.requestId());
      }
      case "/healthz" -> respondJson(call, HttpResponseStatus.OK, "{\"status\":\"SERVING\"}", call.requestId());
      case "/readyz" -> checkReadiness(call);
      default -> {
        FullHttpResponse response = response(call, HttpResponseStatus.OK, Unpooled.wrappedBuffer(gateway.openApi()),
            "application/json");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        respond(call, response, call.requestId());
      }
    }
    return true;
  }

  private void serveDocs(HttpCall call, String name) {
    SwaggerUi.Asset asset = gateway.docs().asset(name);
    if (asset == null) {
      respondError(call, new ParleyException(ErrorReason.ROUTE_NOT_FOUND, "no such file: /docs/" + name));
      return;
    }
    FullHttpResponse response = response(call, HttpResponseStatus.OK, Unpooled.wrappedBuffer(asset.bytes()),
        asset.contentType());
    boolean page = name.isEmpty() || name.equals("index.html") || name.equals("swagger-initializer.js");
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, page ? "no-cache" : "public, max-age=86400");
    respond(call, response, call.requestId());
  }

  /** Answers with a file of the web client; every one is revalidated, so a new jar is picked up at once. */
  private void serveWebClient(HttpCall call, String path, WebClient.Asset asset) {
    if (asset == null) {
      respondError(call, new ParleyException(ErrorReason.ROUTE_NOT_FOUND, "no such file: " + path));
      return;
    }
    FullHttpResponse response = response(call, HttpResponseStatus.OK, Unpooled.wrappedBuffer(asset.bytes()),
        asset.contentType());
    response.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, WebClient.CONTENT_SECURITY_POLICY)
        .set("referrer-policy", "no-referrer");
    respond(call, response, call.requestId());
  }

  private void checkReadiness(HttpCall call) {
    ReadinessCheck check = new ReadinessCheck(call);
    current = check;
    check.start();
  }

  /** A /readyz request: asks every upstream for its health, answers when all have said. */
  private final class ReadinessCheck implements Exchange {
    private final HttpCall call;
    private boolean cancelled;

    ReadinessCheck(HttpCall call) {
      this.call = call;
    }

    @Override
    public void start() {
      gateway.upstreams().check(gateway.router().serviceNames(), ctx.channel().eventLoop(), gateway.readinessTimeout())
          .whenComplete((answers, failure) -> ctx.executor().execute(() -> {
            if (cancelled) {
              return;
            }
            if (failure != null) {
              logger.error("readiness check failed [request_id={}]", call.requestId(), failure);
              respondError(call, ParleyException.builder(ErrorReason.INTERNAL_ERROR).message("internal error").build());
              return;
            }
            answerReadiness(call, answers);
          }));
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public void shutdown() {
      // The checks end within the readiness timeout; the answer then closes the connection.
    }
  }

  private void answerReadiness(HttpCall call, Map<String, String> answers) {
    JsonObject services = new JsonObject();
    answers.forEach(services::addProperty);
    Map<String, String> notReady = new LinkedHashMap<>();
    answers.forEach((service, status) -> {
      if (!status.equals("SERVING")) {
        notReady.put(service, status);
      }
    });
    if (notReady.isEmpty()) {
      JsonObject body = new JsonObject();
      body.addProperty("status", "SERVING");
      body.add("services", services);
      respondJson(call, HttpResponseStatus.OK, body.toString(), call.requestId());
      return;
    }
    StringJoiner list = new StringJoiner(", ");
    notReady.forEach((service, status) -> list.add(service + " (" + status + ")"));
    ParleyException.Builder error = ParleyException.builder(ErrorReason.UPSTREAM_UNAVAILABLE).message("not ready: " + list);
    notReady.forEach(error::metadata);
    respondError(call, error.build());
  }
}
