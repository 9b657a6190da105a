package io.parley.server;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.parley.error.ErrorMapping;
import io.parley.metrics.LatencyHistograms;
import io.parley.session.PeerCertificateServerInterceptor;
import io.parley.session.SessionServerInterceptor;
import io.parley.tls.ClientAuth;
import io.parley.tls.TlsCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one server bootstrap every Parley service uses: a port, a bounded executor, the interceptor
 * chain, health, reflection (v1 and v1alpha) and graceful shutdown.
 *
 * <p>Interceptor order, outermost first, for every Parley service:
 *
 * <ol>
 *   <li>tracing, when the server has an {@linkplain Builder#openTelemetry OpenTelemetry}: a server
 *       span per call, child of the caller's W3C {@code traceparent}, current while every callback
 *       of the call runs;
 *   <li>{@link RequestIdServerInterceptor}: the request id (and the span's trace id), so that
 *       everything below logs it;
 *   <li>{@link ExceptionMappingServerInterceptor}: catches whatever the interceptors below and the
 *       handler throw;
 *   <li>the client address, for {@link ClientAddresses#current()}: the peer's, or the one it
 *       forwards if it is one of the {@linkplain Builder#trustedProxies trusted proxies};
 *   <li>with {@linkplain Builder#tls TLS}, {@link PeerCertificateServerInterceptor}: the peer's
 *       identity from its client certificate and, with client certificates on, the refusal of
 *       INTERNAL calls that come without one;
 *   <li>{@link SessionServerInterceptor}: the caller's session, by the method's auth option.
 * </ol>
 *
 * <p>Health and reflection get the request id and the exception mapping only: they are public, so
 * that grpcurl and load balancers need no token, and untraced, so that probes make no spans.
 *
 * <p>Given a {@linkplain Builder#meterRegistry registry}, every call of every service (health and
 * reflection included) is counted and timed outside all of these, so the status recorded is the one
 * the client gets: Micrometer's {@code grpc.server.*} meters, by service, method, method type and
 * status code, the latency with {@linkplain LatencyHistograms Parley's buckets}.
 *
 * <p>The executor runs handlers on a fixed number of threads. It queues rather than rejects (a
 * rejecting executor leaks calls in grpc-java, see grpc-java#636), so the queue is bounded only by
 * the limit of concurrent calls per connection times the connections; put a limit on connections
 * in front (a load balancer) if clients are untrusted.
 *
 * <p>Health has three kinds of name: the overall service {@code ""} and each service's name follow
 * readiness ({@link #ready(boolean)}: NOT_SERVING while a {@link ReadinessMonitor} finds the
 * process's Redis or PostgreSQL unreachable), while {@value #LIVENESS_SERVICE} stays SERVING for as
 * long as the server runs, for a liveness probe that must not restart a process whose store is down.
 *
 * <p>{@link #close()} drains: health turns NOT_SERVING, new calls are refused, calls in flight get
 * the grace period to finish, then the rest are cancelled.
 */
public final class ParleyServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ParleyServer.class);

  /** The health service name that answers SERVING while the process runs, whatever its readiness. */
  public static final String LIVENESS_SERVICE = "liveness";

  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService executor;
  private final Duration shutdownGrace;
  private final List<String> serviceNames;
  private final String description;
  private final TrustedProxies trustedProxies;
  private final String transport;
  private volatile String boundDescription;
  private boolean started;
  private boolean ready = true;

  private ParleyServer(Builder builder) {
    this.health = new HealthStatusManager();
    this.shutdownGrace = builder.shutdownGrace;
    this.trustedProxies = builder.trustedProxies;
    this.transport = builder.inProcessName != null ? "in-process" : builder.tls == null ? "plaintext"
        : "TLS, client certificates " + builder.tls.settings().clientAuth().name().toLowerCase(java.util.Locale.ROOT);
    this.executor = builder.directExecutor ? null : newExecutor(builder.threads);
    ServerBuilder<?> serverBuilder;
    if (builder.inProcessName != null) {
      serverBuilder = InProcessServerBuilder.forName(builder.inProcessName);
      description = "in-process:" + builder.inProcessName;
    } else {
      InetSocketAddress address = new InetSocketAddress(builder.host, builder.port);
      NettyServerBuilder netty = (builder.tls == null
          ? NettyServerBuilder.forAddress(address)
          : NettyServerBuilder.forAddress(address, builder.tls.serverCredentials()))
          .maxConcurrentCallsPerConnection(builder.maxConcurrentCallsPerConnection)
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS)
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true);
      serverBuilder = netty;
      description = builder.host + ":" + builder.port;
    }
    if (builder.directExecutor) {
      serverBuilder.directExecutor();
    } else {
      serverBuilder.executor(executor);
    }
    serverBuilder.maxInboundMessageSize(builder.maxInboundMessageSize);
    serverBuilder.maxInboundMetadataSize(builder.maxInboundMetadataSize);
    if (builder.meterRegistry != null) {
      // A server-wide interceptor wraps every service's own chain: it sees the final status.
      serverBuilder.intercept(new MetricCollectingServerInterceptor(builder.meterRegistry, counter -> counter,
          LatencyHistograms::withBuckets));
    }

    RequestIdServerInterceptor requestIds = new RequestIdServerInterceptor();
    ExceptionMappingServerInterceptor errors = new ExceptionMappingServerInterceptor(builder.errorMapping);
    ClientAddressServerInterceptor clientAddresses = new ClientAddressServerInterceptor(builder.trustedProxies);
    PeerCertificateServerInterceptor peerCertificates = builder.tls == null ? null
        : new PeerCertificateServerInterceptor(builder.tls.settings().clientAuth() != ClientAuth.NONE);
    // OpenTelemetry.noop() installs nothing, so that an untraced server pays nothing for tracing.
    ServerInterceptor tracing = builder.openTelemetry == OpenTelemetry.noop()
        ? null : GrpcTelemetry.create(builder.openTelemetry).createServerInterceptor();
    List<String> names = new ArrayList<>();
    for (BindableService service : builder.services) {
      ServerServiceDefinition definition = service.bindService();
      names.add(definition.getServiceDescriptor().getName());
      List<ServerInterceptor> chain = new ArrayList<>(builder.extraInterceptors);
      if (builder.sessions != null) {
        chain.add(builder.sessions);
      }
      if (peerCertificates != null) {
        chain.add(peerCertificates);
      }
      chain.add(clientAddresses);
      chain.add(errors);
      chain.add(requestIds);
      if (tracing != null) {
        chain.add(tracing);
      }
      // ServerInterceptors.intercept calls the last interceptor first.
      serverBuilder.addService(ServerInterceptors.intercept(definition, chain));
    }
    serverBuilder.addService(ServerInterceptors.intercept(health.getHealthService(), errors, requestIds));
    serverBuilder.addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), errors, requestIds));
    serverBuilder.addService(ServerInterceptors.intercept(legacyReflection(), errors, requestIds));
    this.serviceNames = List.copyOf(names);
    this.server = serverBuilder.build();
  }

  @SuppressWarnings("deprecation") // v1alpha reflection, still what many grpcurl builds ask for
  private static BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts serving; health turns SERVING for every service, unless {@link #ready(boolean) not ready}. */
  public ParleyServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gRPC server on " + description + ": " + e.getMessage(), e);
    }
    boundDescription = server.getPort() > 0 ? description.replaceAll(":\\d+$", ":" + server.getPort()) : description;
    health.setStatus(LIVENESS_SERVICE, ServingStatus.SERVING);
    synchronized (this) {
      started = true;
      applyReadiness();
    }
    logger.info("gRPC server listening on {} ({}) with {}; client addresses forwarded by {} are believed", description(),
        transport, serviceNames, trustedProxies);
    return this;
  }

  /**
   * Turns the health of {@code ""} and of every service SERVING ({@code true}) or NOT_SERVING; the
   * {@value #LIVENESS_SERVICE} name is left alone. Before {@link #start()} it sets what start
   * reports; after {@link #close()} it does nothing. Thread-safe.
   */
  public synchronized void ready(boolean ready) {
    this.ready = ready;
    if (started) {
      applyReadiness();
    }
  }

  private void applyReadiness() {
    ServingStatus status = ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", status);
    serviceNames.forEach(name -> health.setStatus(name, status));
  }

  /** The port bound, useful when built with port 0; -1 for an in-process server. */
  public int port() {
    return server.getPort();
  }

  /** Where the server listens, e.g. {@code 0.0.0.0:9090}, once started. */
  public String description() {
    return boundDescription != null ? boundDescription : description;
  }

  public List<String> serviceNames() {
    return serviceNames;
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops at once, as a crash would for clients: every call is cancelled, nothing more is written. */
  public void shutdownNow() {
    health.enterTerminalState();
    server.shutdownNow();
    if (executor != null) {
      executor.shutdown();
    }
  }

  /** Graceful shutdown: stop accepting, let calls finish within the grace period, then cancel the rest. */
  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        logger.warn("calls still running after {}; cancelling them", shutdownGrace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      if (executor != null) {
        executor.shutdown();
      }
    }
    logger.info("gRPC server on {} stopped", description());
  }

  private static ExecutorService newExecutor(int threads) {
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "parley-grpc-" + counter.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Builds a {@link ParleyServer}. Not thread-safe. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 9090;
    private String inProcessName;
    private boolean directExecutor;
    private int threads = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    private int maxConcurrentCallsPerConnection = 1000;
    private int maxInboundMessageSize = 1024 * 1024;
    private int maxInboundMetadataSize = 16 * 1024;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private ErrorMapping errorMapping = ErrorMapping.defaults();
    private SessionServerInterceptor sessions;
    private TrustedProxies trustedProxies = TrustedProxies.loopback();
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private boolean withoutSessions;
    private TlsCredentials tls;
    private MeterRegistry meterRegistry;
    private final List<ServerInterceptor> extraInterceptors = new ArrayList<>();
    private final List<BindableService> services = new ArrayList<>();

    private Builder() {}

    /** The TCP port; 0 picks a free one. 9090 by default. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The address to bind; all interfaces by default. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** Serve in-process under {@code name} instead of on TCP (tests). */
    public Builder inProcess(String name) {
      this.inProcessName = requireNonNull(name, "name");
      return this;
    }

    /** Run handlers on the transport thread (tests with an in-process server). */
    public Builder directExecutor() {
      this.directExecutor = true;
      return this;
    }

    /** Handler threads; 4 per core, at least 8, by default. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be positive: " + threads);
      }
      this.threads = threads;
      return this;
    }

    public Builder maxConcurrentCallsPerConnection(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConcurrentCallsPerConnection must be positive: " + max);
      }
      this.maxConcurrentCallsPerConnection = max;
      return this;
    }

    /** Largest request message accepted; 1 MiB by default. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxInboundMessageSize must be at least 1024: " + bytes);
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = requireNonNull(grace, "grace");
      return this;
    }

    public Builder errorMapping(ErrorMapping errorMapping) {
      this.errorMapping = requireNonNull(errorMapping, "errorMapping");
      return this;
    }

    /** The session check for every service added. Required, unless {@link #withoutSessions()}. */
    public Builder sessions(SessionServerInterceptor sessions) {
      this.sessions = requireNonNull(sessions, "sessions");
      return this;
    }

    /**
     * Serves without any session check: every method, INTERNAL ones included, is open. Only for
     * tests of the other interceptors, or services that have no session at all.
     */
    public Builder withoutSessions() {
      this.withoutSessions = true;
      return this;
    }

    /**
     * The peers whose {@code x-forwarded-for} gives the client address (see {@link
     * ClientAddresses}): the REST gateway's addresses, and those of any proxy in front of the
     * services. {@link TrustedProxies#loopback()} by default; in-process peers are always trusted.
     */
    public Builder trustedProxies(TrustedProxies trustedProxies) {
      this.trustedProxies = requireNonNull(trustedProxies, "trustedProxies");
      return this;
    }

    /**
     * Serves TLS on TCP with {@code tls}'s certificate chain, renewed files included, asking for
     * client certificates as its settings say; with client certificates on, INTERNAL methods are
     * refused to a peer without one (see {@link PeerCertificateServerInterceptor}). Plaintext by
     * default. The credentials stay the caller's to close.
     *
     * @throws IllegalArgumentException if {@code tls} has no certificate to serve with
     */
    public Builder tls(TlsCredentials tls) {
      requireNonNull(tls, "tls");
      if (!tls.hasIdentity()) {
        throw new IllegalArgumentException("a TLS server needs a certificate chain and key");
      }
      this.tls = tls;
      return this;
    }

    /**
     * Where the server spans of the services' calls go; {@link OpenTelemetry#noop()} (the default)
     * traces nothing and installs no tracing interceptor.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Where the calls served are counted and timed; none (no call metrics) by default. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** An interceptor run inside the session interceptor, closest to the handler. */
    public Builder intercept(ServerInterceptor interceptor) {
      extraInterceptors.add(0, requireNonNull(interceptor, "interceptor"));
      return this;
    }

    public Builder addService(BindableService service) {
      services.add(requireNonNull(service, "service"));
      return this;
    }

    public ParleyServer build() {
      if (services.isEmpty()) {
        throw new IllegalStateException("a ParleyServer needs at least one service");
      }
      if (tls != null && inProcessName != null) {
        throw new IllegalStateException("an in-process server has no TLS: use tls(...) with a TCP port");
      }
      if (sessions == null && !withoutSessions) {
        throw new IllegalStateException("a ParleyServer needs sessions(...) (or, for tests, withoutSessions())");
      }
      return new ParleyServer(this);
    }
  }
}
