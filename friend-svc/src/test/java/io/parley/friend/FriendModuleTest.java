package io.parley.friend;

import static io.parley.friend.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.BindableService;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.ErrorReason;
import io.parley.database.DatabaseSettings;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.ListFriendsRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The wiring entry point, on the memory store, and on a real PostgreSQL shared by two replicas whose
 * sessions and events are on a real Redis.
 */
class FriendModuleTest {
  private static RedisServer redis;
  private static DatabaseSettings database;

  @BeforeAll
  static void startServers() {
    redis = RedisServer.start();
    database = PostgresServer.shared().createDatabase();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void theModuleServesFriendServiceAndClosesOnce() {
    TokenKeys keys = TokenKeys.hmac("module-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    try (Platform platform = Platform.builder(keys).build()) {
      var userChannel = InProcessChannelBuilder.forName("nowhere").build();
      try {
        FriendModule module = FriendModule.create(platform, FriendSettings.defaults(), userChannel);

        assertThat(module.services()).extracting(BindableService::bindService)
            .extracting(definition -> definition.getServiceDescriptor().getName())
            .containsExactly("parley.friend.v1.FriendService");
        module.close();
        module.close();
      } finally {
        userChannel.shutdownNow();
      }
      assertThatThrownBy(() -> FriendModule.create(platform, null, InProcessChannelBuilder.forName("x").build()))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("settings");
    }
  }

  @Test
  void onPostgresReplicasShareTheDataAndHearEachOthersEventsWhileRedisHoldsNoneOfIt() throws InterruptedException {
    try (FriendServiceFixture first = FriendServiceFixture.start(redis.url(), database);
        FriendServiceFixture second = FriendServiceFixture.start(redis.url(), database)) {
      String alice = first.newUser();
      String bob = first.newUser();
      second.users.add(alice);
      second.users.add(bob);

      String requestId = first.as(alice).sendFriendRequest(
          SendFriendRequestRequest.newBuilder().setToUserId(bob).build()).getRequestId();
      second.as(bob).acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(requestId).build());

      String pair = alice.compareTo(bob) < 0 ? alice + " " + bob : bob + " " + alice;
      assertThat(first.nextEvent()).isEqualTo(pair);
      assertThat(second.nextEvent()).isEqualTo(pair);
      assertThat(first.as(alice).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList())
          .extracting(Friend::getUserId).containsExactly(bob);
      assertThat(second.as(bob).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList())
          .extracting(Friend::getUserId).containsExactly(alice);
      try (Jedis jedis = redis.connect()) {
        // Sessions and rate-limit counters: what may be lost.
        assertThat(jedis.keys("*")).isNotEmpty()
            .allMatch(key -> key.startsWith("parley:sess:") || key.startsWith("parley:rl:"));
        jedis.flushAll();
      }
      // Sessions are gone with Redis; relations are not.
      first.loginAgain(alice);
      assertThat(first.as(alice).listFriends(ListFriendsRequest.getDefaultInstance()).getFriendsList())
          .extracting(Friend::getUserId).containsExactly(bob);
      assertThat(second.asService("message-svc").checkRelation(
          CheckRelationRequest.newBuilder().setUserIdA(bob).setUserIdB(alice).build()).getFriends()).isTrue();
    }
  }

  @Test
  void withTheDatabaseDownCallsFailUnavailableAndWorkAgainOnceItIsBack() {
    try (PostgresServer own = PostgresServer.start();
        FriendServiceFixture fixture = FriendServiceFixture.start("memory",
            own.createDatabase().withConnectTimeout(Duration.ofSeconds(1)))) {
      String alice = fixture.newUser();
      String bob = fixture.newUser();
      String requestId = fixture.as(alice).sendFriendRequest(
          SendFriendRequestRequest.newBuilder().setToUserId(bob).build()).getRequestId();

      own.kill();

      assertFails(() -> fixture.as(bob).acceptFriendRequest(
              AcceptFriendRequestRequest.newBuilder().setRequestId(requestId).build()),
          Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
      assertFails(() -> fixture.asService("message-svc").checkRelation(
              CheckRelationRequest.newBuilder().setUserIdA(alice).setUserIdB(bob).build()),
          Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);

      own.restart();

      await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(StatusRuntimeException.class)
          .untilAsserted(() -> assertThat(fixture.as(bob).acceptFriendRequest(
              AcceptFriendRequestRequest.newBuilder().setRequestId(requestId).build()).getUserId()).isEqualTo(alice));
      assertThat(fixture.asService("message-svc").checkRelation(
          CheckRelationRequest.newBuilder().setUserIdA(alice).setUserIdB(bob).build()).getFriends()).isTrue();
    }
  }

  @Test
  void aDatabaseThatCannotBeReachedFailsTheModuleClearly() {
    TokenKeys keys = TokenKeys.hmac("module-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    DatabaseSettings nowhere = DatabaseSettings.parse("postgresql://parley@127.0.0.1:1/none")
        .withConnectTimeout(Duration.ofMillis(500));
    try (Platform platform = Platform.builder(keys).build()) {
      var userChannel = InProcessChannelBuilder.forName("nowhere").build();
      try {
        assertThatThrownBy(() -> FriendModule.create(platform, FriendSettings.defaults(), userChannel, nowhere))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("parley_friend");
      } finally {
        userChannel.shutdownNow();
      }
    }
  }
}
