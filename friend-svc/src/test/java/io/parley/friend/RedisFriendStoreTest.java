package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.common.v1.ErrorReason;
import io.parley.friend.v1.Friend;
import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * The contract on a real standalone Redis, and how the per-user indexes are kept in line with the
 * pair records when a writer died half-way.
 */
class RedisFriendStoreTest extends FriendStoreContractTest {
  private RedisServer server;
  private UnifiedJedis jedis;

  @Override
  protected FriendStore createStore(Clock clock) {
    server = RedisServer.start();
    jedis = RedisClients.create(server.url());
    return new RedisFriendStore(jedis, clock, 8);
  }

  @Override
  protected void stopBackend() {
    jedis.close();
    server.close();
  }

  @Test
  void everyKeyIsUnderTheFriendPrefixAndThePairHashTag() {
    String alice = newUser();
    String bob = newUser();
    befriend(alice, bob);
    store().setRemark(alice, bob, "Bobby");
    store().block(alice, newUser());
    UserPair pair = UserPair.of(alice, bob);

    try (Jedis redis = server.connect()) {
      assertThat(redis.keys("*")).allMatch(key -> key.startsWith("parley:friend:"));
      assertThat(redis.hgetAll("parley:friend:pair:{" + pair.low() + "_" + pair.high() + "}"))
          .containsKeys("v", "f", "r:" + alice);
      assertThat(redis.zrange("parley:friend:user:{" + alice + "}:friends", 0, -1)).containsExactly(bob);
      assertThat(redis.zrange("parley:friend:user:{" + bob + "}:friends", 0, -1)).containsExactly(alice);
    }
  }

  @Test
  void anIndexEntryThePairRecordLacksIsNotListedAndIsRemoved() {
    String alice = newUser();
    String bob = newUser();
    String ghost = newUser();
    befriend(alice, bob);
    String friendsKey = "parley:friend:user:{" + alice + "}:friends";
    try (Jedis redis = server.connect()) {
      // What a writer that died after its intent and before its compare-and-set leaves behind.
      redis.zadd(friendsKey, clock.millis() + 1, ghost);
    }

    assertThat(allFriendIds(alice)).containsExactly(bob);

    try (Jedis redis = server.connect()) {
      assertThat(redis.zrange(friendsKey, 0, -1)).containsExactly(bob);
    }
  }

  @Test
  void anIntentOfAChangeInFlightIsNotRemovedByAReaderWhoLookedBeforeIt() {
    String alice = newUser();
    String bob = newUser();
    store().block(alice, bob);
    store().unblock(alice, bob);
    UserPair pair = UserPair.of(alice, bob);
    String friendsKey = "parley:friend:user:{" + alice + "}:friends";
    try (Jedis redis = server.connect()) {
      long version = Long.parseLong(redis.hget(RedisFriendStore.pairKey(pair), "v"));
      // An accept in flight: its intent is written, its compare-and-set on `version` not yet run.
      redis.zadd(friendsKey, clock.millis(), bob);
      redis.hset("parley:friend:user:{" + alice + "}:versions", "F:" + bob, Long.toString(version + 1));
    }

    assertThat(allFriendIds(alice)).isEmpty();

    try (Jedis redis = server.connect()) {
      assertThat(redis.zrange(friendsKey, 0, -1)).containsExactly(bob);
    }
  }

  @Test
  void aFriendWhoseIndexEntryHasTheWrongTimeIsListedByThePairRecordAndTheEntryRepaired() {
    String alice = newUser();
    String bob = newUser();
    long since = befriend(alice, bob);
    String friendsKey = "parley:friend:user:{" + alice + "}:friends";
    try (Jedis redis = server.connect()) {
      redis.zadd(friendsKey, since + 5_000, bob);
    }

    assertThat(friends(alice)).containsExactly(friend(bob, "", since));

    try (Jedis redis = server.connect()) {
      assertThat(redis.zscore(friendsKey, bob)).isEqualTo((double) since);
    }
  }

  @Test
  void aRequestIdOfAnotherUsersIndexIsNotFoundWithoutTouchingTheirPair() {
    String alice = newUser();
    String bob = newUser();
    String carol = newUser();
    String requestId = store().sendRequest(alice, bob, "").getRequestId();
    UserPair pair = UserPair.of(alice, bob);
    String before;
    try (Jedis redis = server.connect()) {
      before = redis.hget(RedisFriendStore.pairKey(pair), "v");
    }

    assertFails(ErrorReason.FRIEND_REQUEST_NOT_FOUND,
        () -> store().acceptRequest(carol, requestId, ""));

    try (Jedis redis = server.connect()) {
      assertThat(redis.hget(RedisFriendStore.pairKey(pair), "v")).isEqualTo(before);
      Set<String> carolKeys = redis.keys("parley:friend:user:{" + carol + "}*");
      assertThat(carolKeys).isEmpty();
    }
    assertThat(friends(bob)).extracting(Friend::getUserId).isEmpty();
  }
}
