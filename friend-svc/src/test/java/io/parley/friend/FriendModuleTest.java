package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.BindableService;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.Friend;
import io.parley.friend.v1.ListFriendsRequest;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.server.Platform;
import io.parley.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The wiring entry point, on the memory store and on a real Redis shared by two replicas. */
class FriendModuleTest {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
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
  void onRedisReplicasShareTheDataAndHearEachOthersEvents() throws InterruptedException {
    try (FriendServiceFixture first = FriendServiceFixture.start(redis.url());
        FriendServiceFixture second = FriendServiceFixture.start(redis.url())) {
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
      UserPair userPair = UserPair.of(alice, bob);
      try (Jedis jedis = redis.connect()) {
        assertThat(jedis.hget("parley:friend:pair:{" + userPair.low() + "_" + userPair.high() + "}", "f")).isNotNull();
        assertThat(jedis.keys("*" + alice + "*")).filteredOn(key -> !key.startsWith("parley:sess:"))
            .isNotEmpty()
            .allMatch(key -> key.startsWith("parley:friend:"));
      }
    }
  }
}
