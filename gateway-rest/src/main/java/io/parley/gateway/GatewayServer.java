package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.Channel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.opentelemetry.api.OpenTelemetry;
import io.parley.tls.TlsCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST gateway: HTTP/1.1 and JSON on one side, gRPC to the Parley services on the other, with
 * no per-endpoint code. Everything comes from the descriptor set (by default Parley's, from the
 * {@code parley-proto} jar) and its {@code google.api.http} annotations.
 *
 * <pre>{@code
 * try (GatewayServer gateway = GatewayServer.builder()
 *     .port(8080)
 *     .defaultChannel(channel)          // or .route("parley.user.v1.UserService", userChannel) ...
 *     .corsOrigins(List.of("https://app.example.com"))
 *     .build()
 *     .start()) {
 *   gateway.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Besides the API, it serves {@code /healthz} (the gateway itself), {@code /readyz} (its
 * upstreams' {@code grpc.health.v1} status), {@code /openapi.json} (OpenAPI 3.1, generated at
 * start-up) and {@code /docs/} (Swagger UI).
 *
 * <p>Every request answered is counted and timed by route template and status in the {@linkplain
 * Builder#meterRegistry registry} given.
 *
 * <p>What one client can hold is bounded: connections ({@link Builder#maxConnections}), bytes per
 * connection (request size, pipelined requests, answers it does not read) and the time a request
 * may take to arrive ({@link Builder#requestReadTimeout}); past a bound, a client gets a 503, 413,
 * 414, 431 or 408 with the usual error body.
 *
 * <p>The gateway never owns the channels it is given: closing it leaves them open. Its Netty
 * threads are daemons, so it keeps no JVM alive by itself; see {@link #awaitTermination()}.
 * Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(GatewayServer.class);

  private final String host;
  private final int requestedPort;
  private final int ioThreads;
  private final ConnectionLimits limits;
  private final Duration shutdownGrace;
  private final CorsConfig cors;
  private final Gateway gateway;
  private final SslContext tls;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private EventLoopGroup group;
  private ChannelGroup connections;
  private io.netty.channel.Channel serverChannel;
  private int port = -1;
  private boolean started;
  private boolean closed;

  private GatewayServer(Builder builder, Gateway gateway, SslContext tls) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.ioThreads = builder.ioThreads;
    this.limits = new ConnectionLimits(builder.maxConnections, builder.maxRequestBytes, builder.maxPipelinedRequests,
        builder.requestReadTimeout, builder.idleTimeout);
    this.shutdownGrace = builder.shutdownGrace;
    this.cors = corsConfig(builder.corsOrigins);
    this.gateway = gateway;
    this.tls = tls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port and starts serving.
   *
   * @return this
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if the port cannot be bound
   */
  public synchronized GatewayServer start() {
    if (started || closed) {
      throw new IllegalStateException(closed ? "the gateway is closed" : "the gateway is already started");
    }
    group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("parley-gateway", true),
        NioIoHandler.newFactory());
    connections = new DefaultChannelGroup("parley-gateway", group.next());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // A connection stops reading requests while more than this waits to go out to its client.
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
        .childHandler(new GatewayChannelInitializer(gateway, connections, cors, limits, tls));
    ChannelFuture bound = bootstrap.bind(host, requestedPort).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      Throwable cause = bound.cause();
      String message = "cannot start the REST gateway on " + host + ":" + requestedPort + ": " + cause.getMessage();
      throw cause instanceof IOException io ? new UncheckedIOException(message, io) : new IllegalStateException(message, cause);
    }
    serverChannel = bound.channel();
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    started = true;
    logger.info("REST gateway listening on {}://{}:{} with {} routes; API docs at /docs/", tls == null ? "http" : "https",
        host, port, gateway.router().routes().size());
    return this;
  }

  /**
   * The port bound, useful when built with port 0.
   *
   * @throws IllegalStateException if not started
   */
  public synchronized int port() {
    if (!started) {
      throw new IllegalStateException("the gateway is not started");
    }
    return port;
  }

  /** Blocks until the gateway is closed (the launcher's main thread, when it runs the gateway alone). */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /**
   * Graceful shutdown: stops accepting connections, closes idle ones, lets requests in flight
   * finish (their responses close the connection) and ends streams with an UNAVAILABLE error
   * event, for up to the shutdown grace period; then closes what is left. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (!started) {
        terminated.countDown();
        return;
      }
    }
    serverChannel.close().awaitUninterruptibly();
    connections.forEach(connection -> connection.pipeline().fireUserEventTriggered(GatewayHandler.SHUTDOWN));
    if (!connections.newCloseFuture().awaitUninterruptibly(shutdownGrace.toMillis())) {
      logger.warn("{} connections still busy after {}; closing them", connections.size(), shutdownGrace);
      connections.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    terminated.countDown();
    logger.info("REST gateway on port {} stopped", port);
  }

  private static CorsConfig corsConfig(List<String> origins) {
    if (origins.isEmpty()) {
      return null;
    }
    CorsConfigBuilder builder = origins.contains("*")
        ? CorsConfigBuilder.forAnyOrigin()
        : CorsConfigBuilder.forOrigins(origins.toArray(String[]::new));
    return builder
        .allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE,
            HttpMethod.OPTIONS)
        .allowedRequestHeaders("Authorization", "Content-Type", "Accept", "Accept-Language", "X-Request-Id",
            "Grpc-Timeout", "Last-Event-ID")
        .exposeHeaders("X-Request-Id", "WWW-Authenticate", "Retry-After", "Allow")
        .maxAge(600)
        .build();
  }

  /** Builds a {@link GatewayServer}. Not thread-safe. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private final Map<String, Channel> routes = new LinkedHashMap<>();
    private Channel defaultChannel;
    private List<String> corsOrigins = List.of();
    private int maxRequestBytes = 1024 * 1024;
    private int maxConnections = 10_000;
    private int maxPipelinedRequests = 16;
    private Duration requestReadTimeout = Duration.ofSeconds(10);
    private Duration defaultTimeout = Duration.ofSeconds(10);
    private Duration maxGrpcTimeout = Duration.ofHours(1);
    private List<String> trustedProxies = List.of();
    private Duration heartbeatInterval = Duration.ofSeconds(15);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private int ioThreads = 2;
    private FileDescriptorSet descriptorSet;
    private TlsCredentials tls;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** The address to bind; all interfaces by default. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The TCP port; 0 picks a free one. 8080 by default. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sends the calls of one gRPC service (e.g. {@code parley.user.v1.UserService}) to {@code
     * channel}. The channel stays the caller's to close.
     */
    public Builder route(String grpcServiceFullName, Channel channel) {
      requireNonNull(grpcServiceFullName, "grpcServiceFullName");
      requireNonNull(channel, "channel");
      if (routes.putIfAbsent(grpcServiceFullName, channel) != null) {
        throw new IllegalArgumentException("a channel is already routed for " + grpcServiceFullName);
      }
      return this;
    }

    /** The channel for every service without a {@link #route}: the all-in-one process. */
    public Builder defaultChannel(Channel channel) {
      this.defaultChannel = requireNonNull(channel, "channel");
      return this;
    }

    /**
     * The origins browsers may call from, each {@code scheme://host[:port]}, or {@code ["*"]} for
     * any; empty (the default) turns CORS off.
     */
    public Builder corsOrigins(List<String> origins) {
      List<String> copy = List.copyOf(requireNonNull(origins, "origins"));
      for (String origin : copy) {
        if (origin.equals("*")) {
          if (copy.size() > 1) {
            throw new IllegalArgumentException("corsOrigins: \"*\" cannot be combined with other origins: " + copy);
          }
          continue;
        }
        URI uri;
        try {
          uri = URI.create(origin);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("corsOrigins: not an origin: " + origin, e);
        }
        if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())
            || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
          throw new IllegalArgumentException("corsOrigins: an origin is scheme://host[:port], not " + origin);
        }
      }
      this.corsOrigins = copy;
      return this;
    }

    /** The largest request body accepted; larger ones get 413. 1 MiB by default. */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1024: " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * The most connections open at once; 10,000 by default. One more is answered 503 (SERVER_BUSY,
     * {@code Retry-After: 1}) as soon as it opens and is closed, its request unread. Keep it under
     * the process's file-descriptor limit.
     */
    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException("maxConnections must be positive: " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * How many requests one connection may pipeline behind the one being served; 16 by default.
     * A connection stops reading while a request waits, so only requests sent together in one
     * burst queue up; one past this many is answered 503 in its turn, and the connection closes
     * after it.
     */
    public Builder maxPipelinedRequests(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("maxPipelinedRequests must be positive: " + requests);
      }
      this.maxPipelinedRequests = requests;
      return this;
    }

    /**
     * How long a request may take to arrive, from its first byte (for a connection's first
     * request, from the connection's opening) to the end of its body; 10 s by default. A slower
     * one is answered 408 and the connection closes; a new connection that sends nothing in that
     * time is closed.
     */
    public Builder requestReadTimeout(Duration timeout) {
      this.requestReadTimeout = positive(timeout, "requestReadTimeout");
      return this;
    }

    /** The deadline of a unary call whose request has no Grpc-Timeout header; 10 s by default. */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = positive(timeout, "defaultTimeout");
      return this;
    }

    /**
     * The longest deadline a client may ask for with {@code Grpc-Timeout}; a longer one is a 400
     * naming the header. 1 hour by default; at least {@link #defaultTimeout}.
     */
    public Builder maxGrpcTimeout(Duration timeout) {
      positive(timeout, "maxGrpcTimeout");
      if (timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("maxGrpcTimeout must fit a gRPC deadline (about 292 years): " + timeout);
      }
      this.maxGrpcTimeout = timeout;
      return this;
    }

    /**
     * The proxies in front of the gateway, as IP addresses or CIDR blocks ({@code 10.0.0.0/8},
     * {@code fd00::/8}); empty by default. The services receive the client's address as the last
     * entry of {@code x-forwarded-for}: the TCP peer, unless the peer is one of these proxies, in
     * which case the rightmost address of its X-Forwarded-For that is not one of them.
     *
     * @throws IllegalArgumentException naming an entry that is neither an address nor a block
     */
    public Builder trustedProxies(List<String> proxies) {
      List<String> copy = List.copyOf(requireNonNull(proxies, "proxies"));
      TrustedProxies.of(copy);
      this.trustedProxies = copy;
      return this;
    }

    /** How often an idle Server-Sent Events stream gets a comment, so proxies keep it open; 15 s by default. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive(interval, "heartbeatInterval");
      return this;
    }

    /**
     * How long a connection may sit with no request in flight and no traffic, or with an answer its
     * client does not read, before it is closed; 60 s by default.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /** How long {@link GatewayServer#close()} waits for requests in flight; 5 s by default. */
    public Builder shutdownGrace(Duration grace) {
      requireNonNull(grace, "grace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative: " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** Netty event-loop threads, which do all the HTTP and JSON work; 2 by default. */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * The services to serve, as a descriptor set that includes its imports (with source info for
     * documentation); Parley's own by default.
     */
    public Builder descriptorSet(FileDescriptorSet set) {
      this.descriptorSet = requireNonNull(set, "set");
      return this;
    }

    /**
     * Serves HTTPS (HTTP/1.1 over TLS) with {@code tls}'s certificate chain, renewed files included:
     * each new connection's handshake uses the files last read. Clients are not asked for
     * certificates. Plaintext HTTP by default. The credentials stay the caller's to close.
     *
     * @throws IllegalArgumentException if {@code tls} has no certificate to serve with
     */
    public Builder tls(TlsCredentials tls) {
      requireNonNull(tls, "tls");
      if (!tls.hasIdentity()) {
        throw new IllegalArgumentException("an HTTPS gateway needs a TLS certificate chain and key");
      }
      this.tls = tls;
      return this;
    }

    /**
     * Where the server spans of routed requests go: one per request, child of the W3C {@code
     * traceparent} it carries, parent of its gRPC call (whose channel must be traced too for the
     * trace to go on). {@link OpenTelemetry#noop()} (the default) traces nothing, at no cost.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Where the requests answered are counted and timed ({@code parley.gateway.requests}, by route
     * template and status); a private registry, seen by no one, by default.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Reads the descriptors, builds the route table and the OpenAPI document.
     *
     * @throws IllegalArgumentException if a route names an unknown service, maxGrpcTimeout is
     *     shorter than defaultTimeout, or a binding in the descriptors is invalid or ambiguous
     */
    public GatewayServer build() {
      if (maxGrpcTimeout.compareTo(defaultTimeout) < 0) {
        throw new IllegalArgumentException("maxGrpcTimeout (" + maxGrpcTimeout + ") must not be shorter than defaultTimeout ("
            + defaultTimeout + ")");
      }
      ServiceCatalog catalog = ServiceCatalog.of(descriptorSet != null ? descriptorSet : ServiceCatalog.parleyDescriptorSet());
      List<String> unknown = new ArrayList<>();
      for (String service : routes.keySet()) {
        if (catalog.service(service) == null) {
          unknown.add(service);
        }
      }
      if (!unknown.isEmpty()) {
        List<String> known = catalog.services().stream().map(ServiceDescriptor::getFullName).toList();
        throw new IllegalArgumentException("route: no such gRPC service " + unknown + "; known: " + known);
      }
      Router router = Router.of(catalog);
      ProtoJson json = new ProtoJson(catalog);
      Upstreams upstreams = new Upstreams(routes, defaultChannel);
      for (String service : router.serviceNames()) {
        if (upstreams.channelFor(service) == null) {
          logger.warn("no channel for {}: its routes will answer 503", service);
        }
      }
      byte[] openApi = new OpenApiGenerator(catalog, router).generate().toString().getBytes(StandardCharsets.UTF_8);
      Gateway gateway = new Gateway(router, json, upstreams, openApi, SwaggerUi.fromWebjar(), WebClient.fromClasspath(),
          defaultTimeout, maxGrpcTimeout, heartbeatInterval, Duration.ofSeconds(2), TrustedProxies.of(trustedProxies),
          HttpServerTracing.of(openTelemetry),
          new GatewayMetrics(meterRegistry != null ? meterRegistry : new SimpleMeterRegistry()));
      return new GatewayServer(this, gateway, sslContext());
    }

    private SslContext sslContext() {
      if (tls == null) {
        return null;
      }
      try {
        return SslContextBuilder.forServer(tls.keyManager()).build();
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot set up HTTPS: " + e.getMessage(), e);
      }
    }

    private static Duration positive(Duration value, String name) {
      requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
