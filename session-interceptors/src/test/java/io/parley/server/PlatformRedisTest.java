package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.session.Sessions;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole chain on a Redis store: once a session is cached, checking it costs Redis nothing. */
class PlatformRedisTest {
  @Test
  void cachedSessionCheckMakesNoRedisRoundTrip() throws Exception {
    try (RedisServer redis = RedisServer.start();
        Platform platform = Platform.builder(TokenKeys.hmac("redis-platform-test-secret-32-bytes".getBytes(UTF_8)))
            .store(redis.url()).sessionCacheTtl(Duration.ofMinutes(1)).build();
        ParleyServer server = platform.serverBuilder().inProcess("redis-chain").directExecutor()
            .addService(new UserServiceGrpc.UserServiceImplBase() {
              @Override
              public void getMe(GetMeRequest request, StreamObserver<User> response) {
                response.onNext(User.newBuilder().setUserId(Sessions.current().userId()).build());
                response.onCompleted();
              }
            }).build().start()) {
      awaitCaching(platform);
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          TestSessions.login(platform, "u-cached", Terminal.WEB));
      ManagedChannel channel = InProcessChannelBuilder.forName("redis-chain").directExecutor().build();
      try {
        UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        assertThat(stub.getMe(GetMeRequest.getDefaultInstance()).getUserId()).isEqualTo("u-cached");
        long before = redis.totalCommands();

        for (int i = 0; i < 500; i++) {
          stub.getMe(GetMeRequest.getDefaultInstance());
        }

        assertThat(redis.totalCommands() - before).isZero();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static void awaitCaching(Platform platform) throws InterruptedException {
    var store = (io.parley.session.CachingSessionStore) platform.sessionStore();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!store.isCaching()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
