package io.parley.message;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.parley.client.ParleyChannels;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.events.EventBus;
import io.parley.events.EventLog;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.webhook.WebhookSettings;

/**
 * One message-svc replica: the module on a platform (its data in memory, or in PostgreSQL when
 * given database settings), served by a {@link ParleyServer} (in-process with a direct executor, or
 * on a free TCP port), with a client channel to it.
 */
final class Replica implements AutoCloseable {
  final Platform platform;
  final MessageModule module;
  private final ParleyServer server;
  private final ManagedChannel channel;

  private Replica(Platform platform, EventBus bus, MessageSettings settings, String upstreams,
      DatabaseSettings database, boolean tcp) {
    this(platform, bus, null, settings, upstreams, database, tcp, WebhookSettings.none());
  }

  private Replica(Platform platform, EventBus bus, EventLog log, MessageSettings settings, String upstreams,
      DatabaseSettings database, boolean tcp, WebhookSettings webhooks) {
    this(platform, bus, log, settings, upstreams, database, tcp, webhooks, PresenceTracker.Timing.defaults());
  }

  private Replica(Platform platform, EventBus bus, EventLog log, MessageSettings settings, String upstreams,
      DatabaseSettings database, boolean tcp, WebhookSettings webhooks, PresenceTracker.Timing presence) {
    this.platform = platform;
    this.module = MessageModule.create(platform, bus, log, settings, platform.channel(upstreams),
        platform.channel(upstreams), database, webhooks, presence);
    ParleyServer.Builder builder = platform.serverBuilder().addService(module.services().get(0));
    if (tcp) {
      this.server = builder.host("127.0.0.1").port(0).build().start();
      this.channel = ParleyChannels.forTarget("127.0.0.1:" + server.port());
    } else {
      String name = "message-svc-" + Ids.newId("x");
      this.server = builder.inProcess(name).directExecutor().build().start();
      this.channel = ParleyChannels.forTarget("in-process:" + name);
    }
  }

  /** In-process, with its data in PostgreSQL if {@code database} is not null, with webhooks. */
  static Replica inProcess(Platform platform, MessageSettings settings, String upstreams, DatabaseSettings database,
      WebhookSettings webhooks) {
    return new Replica(platform, platform.events(), null, settings, upstreams, database, false, webhooks);
  }

  /** In-process, with its data in PostgreSQL if {@code database} is not null, webhooks and presence leases of {@code presence}. */
  static Replica inProcess(Platform platform, MessageSettings settings, String upstreams, DatabaseSettings database,
      WebhookSettings webhooks, PresenceTracker.Timing presence) {
    return new Replica(platform, platform.events(), null, settings, upstreams, database, false, webhooks, presence);
  }

  /** In-process, with its data in memory. */
  static Replica inProcess(Platform platform, MessageSettings settings, String upstreams) {
    return new Replica(platform, platform.events(), settings, upstreams, null, false);
  }

  /** In-process, with its data in PostgreSQL. */
  static Replica inProcess(Platform platform, MessageSettings settings, String upstreams, DatabaseSettings database) {
    return new Replica(platform, platform.events(), settings, upstreams, database, false);
  }

  /** In-process, with its data in PostgreSQL, change notifications on {@code bus} and live events on {@code log}. */
  static Replica inProcess(Platform platform, EventBus bus, EventLog log, MessageSettings settings, String upstreams,
      DatabaseSettings database) {
    return new Replica(platform, bus, log, settings, upstreams, database, false, WebhookSettings.none());
  }

  /** On a TCP port, with its data in memory: calls go through the real protobuf encoding. */
  static Replica tcp(Platform platform, MessageSettings settings, String upstreams) {
    return new Replica(platform, platform.events(), settings, upstreams, null, true);
  }

  /** On a TCP port, with its data in PostgreSQL. */
  static Replica tcp(Platform platform, MessageSettings settings, String upstreams, DatabaseSettings database) {
    return new Replica(platform, platform.events(), settings, upstreams, database, true);
  }

  MessageServiceGrpc.MessageServiceBlockingStub as(User user) {
    return MessageServiceGrpc.newBlockingStub(channel).withCallCredentials(user.credentials());
  }

  MessageServiceGrpc.MessageServiceStub asyncAs(User user) {
    return MessageServiceGrpc.newStub(channel).withCallCredentials(user.credentials());
  }

  /** The client channel to this replica. */
  Channel channel() {
    return channel;
  }

  /** A stub that sends no token. */
  MessageServiceGrpc.MessageServiceBlockingStub anonymous() {
    return MessageServiceGrpc.newBlockingStub(channel);
  }

  MessageServiceGrpc.MessageServiceStub anonymousAsync() {
    return MessageServiceGrpc.newStub(channel);
  }

  /**
   * Stops as a replica killed -9 would, as far as others can tell: its presence leases are no longer
   * renewed nor let go, the server drops every call at once (streams end UNAVAILABLE or CANCELLED,
   * with nothing more written), then everything is closed without a word to the store.
   */
  void kill() {
    module.presence().halt();
    server.shutdownNow();
    module.close();
    channel.shutdownNow();
  }

  @Override
  public void close() {
    module.close();
    channel.shutdownNow();
    server.close();
  }
}
