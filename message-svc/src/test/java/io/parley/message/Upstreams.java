package io.parley.message;

import io.parley.data.Ids;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;

/**
 * The fakes of friend-svc and group-svc, served in-process by a {@link ParleyServer} with the
 * real interceptors, so that their INTERNAL methods really demand a service credential.
 */
final class Upstreams implements AutoCloseable {
  final FakeFriendService friends;
  final FakeGroupService groups;
  private final ParleyServer server;
  private final String name;

  private Upstreams(Platform platform) {
    this.friends = new FakeFriendService(platform.events());
    this.groups = new FakeGroupService(platform.events(), platform.clock());
    this.name = "upstreams-" + Ids.newId("x");
    this.server = platform.serverBuilder().inProcess(name).directExecutor()
        .addService(friends).addService(groups).build().start();
  }

  static Upstreams start(Platform platform) {
    return new Upstreams(platform);
  }

  /** The gRPC target of both fakes. */
  String target() {
    return "in-process:" + name;
  }

  @Override
  public void close() {
    server.close();
  }
}
