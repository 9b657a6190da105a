package io.parley.launcher;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.data.Ids;
import io.parley.database.DatabaseProbe;
import io.parley.database.DatabaseSettings;
import io.parley.friend.FriendModule;
import io.parley.gateway.GatewayServer;
import io.parley.group.GroupModule;
import io.parley.message.MessageModule;
import io.parley.redis.RedisClients;
import io.parley.server.Dependency;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.server.ReadinessMonitor;
import io.parley.tls.TlsCredentials;
import io.parley.user.UserModule;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Parley process: the {@link Platform}, the service modules its {@link Role} calls for,
 * their gRPC server and, for ALL and GATEWAY, the REST gateway ({@link GatewayServer}). The one wiring method that {@code
 * main} and the end-to-end tests both call.
 *
 * <p>Every part of the node counts in one Prometheus registry ({@link NodeMetrics}), served on the
 * admin port at {@code /metrics}: one per JVM, whatever the role.
 *
 * <p>In ALL mode the services reach each other, and the gateway reaches them, through an
 * in-process server holding the same services: no loopback TCP inside one JVM. Otherwise each
 * peer is reached at its configured target.
 *
 * <p>A node that serves gRPC watches its Redis and PostgreSQL ({@link ReadinessMonitor}): while one
 * cannot be reached its gRPC health (the overall service and each service) is NOT_SERVING, and the
 * health name {@value ParleyServer#LIVENESS_SERVICE} stays SERVING.
 *
 * <p>{@link #close()} shuts down in order, gateway first, so that nothing accepts work that the
 * next layer can no longer do; calls in flight get the server's grace period to finish.
 */
public final class ParleyNode implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ParleyNode.class);

  private final NodeConfig config;
  private final Platform platform;
  private final String inProcessName;
  private final List<AutoCloseable> modules = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final NodeMetrics metrics = new NodeMetrics();
  private ParleyServer grpcServer;
  private ParleyServer localServer;
  private MessageModule messages;
  private GatewayServer gateway;
  private ReadinessMonitor readiness;
  private DatabaseProbe databaseProbe;

  private ParleyNode(NodeConfig config) {
    this.config = config;
    this.inProcessName = config.role() == Role.ALL ? "parley-" + Ids.newId("n") : null;
    Platform.Builder platform = Platform.builder(config.keys());
    platform.meterRegistry(metrics.registry());
    if (config.serviceKeys() != null) {
      platform.serviceKeys(config.serviceKeys());
    }
    this.platform = platform
        .store(config.store())
        .storePassword(config.storePassword())
        .sessionCacheSize(config.sessionCacheSize())
        .issuer(config.issuer())
        .sessionPolicy(config.sessionPolicy())
        .tls(config.tls())
        .openTelemetry(config.openTelemetry())
        .build();
  }

  /**
   * Starts a node.
   *
   * @throws IllegalArgumentException if the configuration cannot work (e.g. a missing peer target)
   * @throws UncheckedIOException if a port cannot be bound
   */
  public static ParleyNode start(NodeConfig config) {
    requireNonNull(config, "config");
    ParleyNode node = new ParleyNode(config);
    try {
      node.startServices();
      node.metrics.serve(config.host(), config.adminPort());
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void startServices() {
    Role role = config.role();
    DatabaseSettings database = config.database() == null ? null
        : config.database().withOpenTelemetry(config.openTelemetry());
    List<BindableService> services = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (role.serves(Role.USER)) {
      UserModule users = database == null
          ? UserModule.create(platform, config.users())
          : UserModule.create(platform, config.users(), database);
      modules.add(users);
      services.addAll(users.services());
      names.add("user");
    }
    if (role.serves(Role.FRIEND)) {
      FriendModule friends = database == null
          ? FriendModule.create(platform, config.friends(), peer(Role.USER))
          : FriendModule.create(platform, config.friends(), peer(Role.USER), database);
      modules.add(friends);
      services.addAll(friends.services());
      names.add("friend");
    }
    if (role.serves(Role.GROUP)) {
      GroupModule groups = GroupModule.create(platform, config.groups(), peer(Role.USER), peer(Role.FRIEND), database,
          config.webhooks());
      modules.add(groups);
      services.addAll(groups.services());
      names.add("group");
    }
    if (role.serves(Role.MESSAGE)) {
      messages = MessageModule.create(platform, config.messages(), peer(Role.FRIEND), peer(Role.GROUP), database,
          config.webhooks());
      modules.add(messages);
      services.addAll(messages.services());
      names.add("message");
    }
    if (!services.isEmpty()) {
      startGrpc(services, names);
      startReadiness();
    }
    if (role == Role.ALL || role == Role.GATEWAY) {
      startGateway();
    }
  }

  private void startGrpc(List<BindableService> services, List<String> names) {
    Role role = config.role();
    if (inProcessName != null) {
      ParleyServer.Builder local = platform.serverBuilder().inProcess(inProcessName).trustedProxies(config.trustedProxies());
      services.forEach(local::addService);
      localServer = local.build().start();
    }
    ParleyServer.Builder tcp = platform.serverBuilder().host(config.host()).port(config.grpcPort())
        .trustedProxies(config.trustedProxies());
    if (servingTls() != null) {
      tcp.tls(servingTls());
    }
    services.forEach(tcp::addService);
    grpcServer = tcp.build().start();
    logger.info("Parley {} serving {} on gRPC {}:{}, sessions in {}, data in {}", role.command(), names, config.host(),
        grpcServer.port(), RedisClients.redact(config.store()),
        config.database() == null ? "memory" : config.database().jdbcUrl());
  }

  /** Readiness checks: how often, and how long one dependency may take to answer. */
  static final Duration READINESS_INTERVAL = Duration.ofSeconds(2);
  static final Duration READINESS_TIMEOUT = Duration.ofSeconds(1);

  /** Turns the gRPC health of this node's servers NOT_SERVING while its Redis or PostgreSQL is unreachable. */
  private void startReadiness() {
    List<Dependency> dependencies = new ArrayList<>(platform.dependencies());
    if (config.database() != null) {
      databaseProbe = DatabaseProbe.of(config.database(), READINESS_TIMEOUT);
      dependencies.add(databaseProbe);
    }
    if (dependencies.isEmpty()) {
      return; // memory only: nothing to lose touch with, always ready
    }
    readiness = ReadinessMonitor.builder().interval(READINESS_INTERVAL).dependencies(dependencies).build();
    readiness.onChange(grpcServer::ready);
    if (localServer != null) {
      readiness.onChange(localServer::ready);
    }
    readiness.start();
  }

  private void startGateway() {
    GatewayServer.Builder builder = GatewayServer.builder()
        .host(config.host())
        .port(config.httpPort())
        .corsOrigins(config.corsOrigins())
        .maxConnections(config.http().maxConnections())
        .requestReadTimeout(config.http().requestReadTimeout())
        .maxGrpcTimeout(config.http().maxGrpcTimeout())
        .trustedProxies(config.http().trustedProxies())
        .openTelemetry(config.openTelemetry());
    if (servingTls() != null) {
      builder.tls(servingTls());
    }
    builder.meterRegistry(metrics.registry());
    if (inProcessName != null) {
      builder.defaultChannel(platform.channel("in-process:" + inProcessName));
    } else {
      builder.route("parley.user.v1.UserService", peer(Role.USER))
          .route("parley.friend.v1.FriendService", peer(Role.FRIEND))
          .route("parley.group.v1.GroupService", peer(Role.GROUP))
          .route("parley.message.v1.MessageService", peer(Role.MESSAGE));
    }
    gateway = builder.build().start();
    logger.info("Parley {}: REST gateway on {}://{}:{} (web chat client at /, API page at /docs)",
        config.role().command(), servingTls() != null ? "https" : "http", config.host(), gateway.port());
  }

  /** The TLS material the gRPC server and the gateway serve with, or null to serve plaintext. */
  private TlsCredentials servingTls() {
    TlsCredentials tls = platform.tls();
    return tls != null && tls.hasIdentity() ? tls : null;
  }

  /** The channel to the service of {@code role}: in-process in ALL mode, else its configured target. */
  private Channel peer(Role service) {
    if (inProcessName != null) {
      return platform.channel("in-process:" + inProcessName);
    }
    String target = config.target(service);
    if (target == null) {
      throw new IllegalArgumentException("parley " + config.role().command() + " needs --" + service.command()
          + "-target (or PARLEY_" + service.name() + "_TARGET): where " + service.command() + "-svc runs, "
          + "e.g. localhost:9090, dns:///" + service.command() + "-svc:9090 or h1:9090,h2:9090");
    }
    return platform.channel(target);
  }

  /** The bound gRPC port, or -1 if this node serves no gRPC service. */
  public int grpcPort() {
    return grpcServer == null ? -1 : grpcServer.port();
  }

  /** The gateway's port, or -1 if this node runs no gateway. */
  public int httpPort() {
    return gateway == null ? -1 : gateway.port();
  }

  /** The admin port serving {@code /metrics}, or -1 if this node serves none. */
  public int adminPort() {
    return metrics.port();
  }

  public Platform platform() {
    return platform;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Shuts down outside in: the gateway finishes its requests; Subscribe streams end (clients
   * reconnect elsewhere), since they would hold the drain for its whole grace period; the TCP
   * server drains (unary calls in flight finish, and may still reach their peers in-process);
   * then the in-process server, the modules, and the platform.
   */
  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    logger.info("Parley {} shutting down", config.role().command());
    List<AutoCloseable> order = new ArrayList<>();
    if (readiness != null) {
      order.add(readiness);
    }
    if (gateway != null) {
      order.add(gateway);
    }
    if (messages != null) {
      order.add(messages::drain);
    }
    if (grpcServer != null) {
      order.add(grpcServer);
    }
    if (localServer != null) {
      order.add(localServer);
    }
    order.addAll(modules);
    if (databaseProbe != null) {
      order.add(databaseProbe);
    }
    order.add(platform);
    order.add(metrics);
    for (AutoCloseable resource : order) {
      try {
        resource.close();
      } catch (Exception e) {
        logger.warn("closing {} failed", resource, e);
      }
    }
    closed.countDown();
  }
}
