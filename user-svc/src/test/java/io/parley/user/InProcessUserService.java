package io.parley.user;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.client.BearerTokenCredentials;
import io.parley.data.Ids;
import io.parley.server.ClientAddresses;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Clock;

/**
 * user-svc as the launcher wires it ({@link UserModule#create}), on a memory platform and an
 * in-process server with the real interceptor chain, plus a client channel.
 */
final class InProcessUserService implements AutoCloseable {
  private static final byte[] SECRET = "user-svc-test-secret-0123456789abcdef".getBytes(UTF_8);

  final Platform platform;
  final UserModule module;
  private final ParleyServer server;
  private final ManagedChannel channel;

  private InProcessUserService(Platform platform, UserModule module, ParleyServer server, ManagedChannel channel) {
    this.platform = platform;
    this.module = module;
    this.server = server;
    this.channel = channel;
  }

  static InProcessUserService start(Clock clock, UserSettings settings) {
    Platform platform = Platform.builder(TokenKeys.hmac(SECRET)).clock(clock).build();
    UserModule module = UserModule.create(platform, settings);
    String name = "user-svc-" + Ids.newId("t");
    ParleyServer.Builder builder = platform.serverBuilder().inProcess(name).directExecutor();
    module.services().forEach(builder::addService);
    ParleyServer server = builder.build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return new InProcessUserService(platform, module, server, channel);
  }

  /** A stub without credentials. */
  UserServiceGrpc.UserServiceBlockingStub stub() {
    return UserServiceGrpc.newBlockingStub(channel);
  }

  /**
   * A stub without credentials whose calls come from the client {@code address}, as the REST
   * gateway forwards it (in-process peers are trusted proxies).
   */
  UserServiceGrpc.UserServiceBlockingStub from(String address) {
    Metadata headers = new Metadata();
    headers.put(ClientAddresses.X_FORWARDED_FOR, address);
    return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A future stub without credentials. */
  UserServiceGrpc.UserServiceFutureStub futureStub() {
    return UserServiceGrpc.newFutureStub(channel);
  }

  /** A stub that sends {@code token} as its bearer token. */
  UserServiceGrpc.UserServiceBlockingStub as(String token) {
    return stub().withCallCredentials(BearerTokenCredentials.of(token));
  }

  UserStore store() {
    return module.userStore();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
    module.close();
    platform.close();
  }
}
