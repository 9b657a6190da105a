package io.parley.friend;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.parley.server.Platform;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * friend-svc, wired: the one entry point that the launcher and the tests call.
 *
 * <pre>{@code
 * FriendModule friends = FriendModule.create(platform, FriendSettings.defaults(), platform.channel(userTarget));
 * ParleyServer.Builder server = platform.serverBuilder();
 * friends.services().forEach(server::addService);
 * }</pre>
 *
 * <p>The store follows the platform's: in memory with the memory store, in the platform's Redis
 * (keys under {@code parley:friend:}) otherwise. Relation events go to {@link Platform#events()}
 * (see {@link RelationEvents}). Closing the module releases what it holds of its own; the platform
 * and the user channel stay open, since their owner closes them.
 */
public final class FriendModule implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(FriendModule.class);

  private final FriendStore store;
  private final FriendGrpcService service;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FriendModule(FriendStore store, FriendGrpcService service) {
    this.store = store;
    this.service = service;
  }

  /**
   * Wires friend-svc.
   *
   * @param userChannel a channel to user-svc that propagates the caller's session, as those of
   *     {@link Platform#channel(String)} and {@link io.parley.client.ParleyChannels} do: friend-svc
   *     asks {@code UserService.GetUser} whether users exist, acting for its caller
   */
  public static FriendModule create(Platform platform, FriendSettings settings, Channel userChannel) {
    requireNonNull(platform, "platform");
    requireNonNull(settings, "settings");
    requireNonNull(userChannel, "userChannel");
    FriendStore store = platform.isRedis()
        ? new RedisFriendStore(platform.redis(), platform.clock(), settings.writeAttempts())
        : new MemoryFriendStore(platform.clock());
    UserDirectory users = new UserDirectory(UserServiceGrpc.newBlockingStub(userChannel), settings.userLookupTimeout());
    FriendGrpcService service = new FriendGrpcService(store, users, platform.events());
    logger.info("friend-svc uses the {} store", platform.isRedis() ? "Redis" : "memory");
    return new FriendModule(store, service);
  }

  /** The gRPC services to add to a server: {@code parley.friend.v1.FriendService}. */
  public List<BindableService> services() {
    return List.of(service);
  }

  /** Releases the store; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.close();
    }
  }
}
