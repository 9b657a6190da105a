package io.parley.gateway;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.friend.FriendModule;
import io.parley.friend.FriendSettings;
import io.parley.group.GroupModule;
import io.parley.group.GroupSettings;
import io.parley.message.MessageModule;
import io.parley.message.MessageSettings;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.user.UserModule;
import io.parley.user.UserSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four real Parley services (user, friend, group, message) on one in-process server (or one on
 * a TCP port) behind the platform's real interceptors, with the memory store, and a {@link
 * GatewayServer} in front of them on a free port: the embedded deployment, wired as the launcher
 * wires it. The services reach
 * each other through the platform's channels, which carry the caller's session.
 *
 * <p>Start one per test class; {@link #close()} shuts down outside in, as the launcher does.
 */
final class RealParley implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RealParley.class);

  private final Platform platform;
  private final UserModule users;
  private final FriendModule friends;
  private final GroupModule groups;
  private final MessageModule messages;
  private final Channel channel;
  private final ParleyServer server;
  private final GatewayServer gateway;
  private final HttpTester http;

  private RealParley(boolean overTcp) {
    platform = TestPlatforms.platform();
    String name = TestPlatforms.uniqueName("real");
    int port = overTcp ? freePort() : 0;
    // One channel to the one server that holds every service; it carries the caller's session.
    Channel peers = platform.channel(overTcp ? "127.0.0.1:" + port : "in-process:" + name);
    channel = peers;
    users = UserModule.create(platform, UserSettings.forTests());
    friends = FriendModule.create(platform, FriendSettings.defaults(), peers);
    groups = GroupModule.create(platform, GroupSettings.defaults(), peers, peers);
    messages = MessageModule.create(platform, MessageSettings.defaults(), peers, peers);
    List<BindableService> services = new ArrayList<>();
    services.addAll(users.services());
    services.addAll(friends.services());
    services.addAll(groups.services());
    services.addAll(messages.services());
    ParleyServer.Builder builder = platform.serverBuilder().threads(4).shutdownGrace(Duration.ofSeconds(1));
    if (overTcp) {
      builder.host("127.0.0.1").port(port);
    } else {
      builder.inProcess(name);
    }
    services.forEach(builder::addService);
    server = builder.build().start();
    gateway = GatewayServer.builder().host("127.0.0.1").port(0).defaultChannel(peers).build().start();
    http = new HttpTester(gateway.port());
  }

  /** Starts the services and a gateway with its default settings. */
  static RealParley start() {
    return new RealParley(false);
  }

  /**
   * The same, with gRPC between the gateway and the services (and among the services) over TCP on
   * localhost, as in the distributed topology: what crosses the wire meets the transport's limits.
   */
  static RealParley startOverTcp() {
    return new RealParley(true);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Platform platform() {
    return platform;
  }

  /** The in-process channel to the services, as the gateway and the services themselves use it. */
  Channel channel() {
    return channel;
  }

  GatewayServer gateway() {
    return gateway;
  }

  HttpTester http() {
    return http;
  }

  @Override
  public void close() {
    List<AutoCloseable> order = List.of(gateway, messages::drain, server, messages, groups, friends, users, platform);
    for (AutoCloseable resource : order) {
      try {
        resource.close();
      } catch (Exception e) {
        logger.warn("closing {} failed", resource, e);
      }
    }
  }
}
