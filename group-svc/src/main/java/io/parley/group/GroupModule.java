package io.parley.group;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.server.Platform;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * group-svc, wired: the one entry point that the launcher and the tests call.
 *
 * <pre>{@code
 * GroupModule groups = GroupModule.create(platform, GroupSettings.defaults(), platform.channel(userTarget));
 * ParleyServer.Builder server = platform.serverBuilder();
 * groups.services().forEach(server::addService);
 * }</pre>
 *
 * <p>The store follows the platform: {@link RedisGroupStore} on the platform's Redis (keys
 * prefixed {@value RedisGroupStore#PREFIX}) when {@link Platform#isRedis()}, else {@link
 * MemoryGroupStore}. Membership events go to {@link Platform#events()} (see {@link
 * MembershipEvents}). The services must be served behind the platform's session interceptor
 * ({@link Platform#serverBuilder()}), which enforces each method's auth level.
 *
 * <p>The module owns neither the platform nor the user channel; {@link #close()} releases only what
 * the module created. Thread-safe.
 */
public final class GroupModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(GroupModule.class);

  private final GroupStore store;
  private final GroupGrpcService service;

  private GroupModule(GroupStore store, GroupGrpcService service) {
    this.store = store;
    this.service = service;
  }

  /**
   * Wires group-svc.
   *
   * @param userChannel a channel to user-svc, with {@link io.parley.client.PropagatingClientInterceptor}
   *     installed (as {@link Platform#channel(String)} and {@link io.parley.client.ParleyChannels}
   *     build them), so that user lookups act for the caller
   */
  public static GroupModule create(Platform platform, GroupSettings settings, Channel userChannel) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    GroupStore store = platform.isRedis()
        ? new RedisGroupStore(platform.redis(), platform.clock())
        : new MemoryGroupStore(platform.clock());
    GroupGrpcService service = new GroupGrpcService(store, new UserDirectory(userChannel, settings.userLookupTimeout()),
        new MembershipEvents(platform.events()), settings);
    logger.info("group-svc ready: {} store, at most {} members per group",
        platform.isRedis() ? "redis" : "memory", settings.maxMembers());
    return new GroupModule(store, service);
  }

  /** The gRPC services to serve: {@code parley.group.v1.GroupService}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** The store, for tests of this package. */
  GroupStore store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }
}
