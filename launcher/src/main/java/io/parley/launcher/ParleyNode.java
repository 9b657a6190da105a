package io.parley.launcher;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.data.Ids;
import io.parley.friend.FriendModule;
import io.parley.friend.FriendSettings;
import io.parley.group.GroupModule;
import io.parley.group.GroupSettings;
import io.parley.redis.RedisClients;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.user.UserModule;
import io.parley.user.UserSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Parley process: the {@link Platform}, the service modules its {@link Role} calls for,
 * their gRPC server and, for ALL and GATEWAY, the REST gateway. The one wiring method that {@code
 * main} and the end-to-end tests both call.
 *
 * <p>In ALL mode the services reach each other, and the gateway reaches them, through an
 * in-process server holding the same services: no loopback TCP inside one JVM. Otherwise each
 * peer is reached at its configured target.
 *
 * <p>{@link #close()} shuts down in order, gateway first, so that nothing accepts work that the
 * next layer can no longer do; calls in flight get the server's grace period to finish.
 */
public final class ParleyNode implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ParleyNode.class);

  private final NodeConfig config;
  private final Platform platform;
  private final String inProcessName;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private int grpcPort = -1;

  private ParleyNode(NodeConfig config) {
    this.config = config;
    this.inProcessName = config.role() == Role.ALL ? "parley-" + Ids.newId("n") : null;
    this.platform = Platform.builder(config.keys())
        .store(config.store())
        .issuer(config.issuer())
        .sessionPolicy(config.sessionPolicy())
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
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void startServices() {
    Role role = config.role();
    List<BindableService> services = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (role.serves(Role.USER)) {
      UserModule users = UserModule.create(platform,
          config.fastPasswordHashing() ? UserSettings.forTests() : UserSettings.defaults());
      resources.add(users);
      services.addAll(users.services());
      names.add("user");
    }
    if (role.serves(Role.FRIEND)) {
      FriendModule friends = FriendModule.create(platform, FriendSettings.defaults(), peer(Role.USER));
      resources.add(friends);
      services.addAll(friends.services());
      names.add("friend");
    }
    if (role.serves(Role.GROUP)) {
      GroupModule groups = GroupModule.create(platform,
          GroupSettings.defaults().withMaxMembers(config.groupMaxMembers()), peer(Role.USER));
      resources.add(groups);
      services.addAll(groups.services());
      names.add("group");
    }
    if (services.isEmpty()) {
      return;
    }
    grpcPort = config.grpcPort() == 0 ? freePort() : config.grpcPort();
    ParleyServer.Builder tcp = platform.serverBuilder().host(config.host()).port(grpcPort);
    services.forEach(tcp::addService);
    ParleyServer server = tcp.build().start();
    resources.add(0, server);
    if (inProcessName != null) {
      ParleyServer.Builder local = platform.serverBuilder().inProcess(inProcessName);
      services.forEach(local::addService);
      resources.add(0, local.build().start());
    }
    logger.info("Parley {} serving {} on gRPC {}:{}, store {}", role.command(), names, config.host(), grpcPort,
        RedisClients.redact(config.store()));
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
    return grpcPort;
  }

  /** The gateway's port, or -1 if this node runs no gateway. */
  public int httpPort() {
    return -1;
  }

  public Platform platform() {
    return platform;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Closes the gateway, then the servers (draining calls in flight), the modules, and the platform. */
  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    logger.info("Parley {} shutting down", config.role().command());
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        logger.warn("closing {} failed", resource, e);
      }
    }
    platform.close();
    closed.countDown();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
