package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.Terminal;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import io.parley.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The session store contract on a real three-master Redis Cluster, and its sharded events: each on
 * the channel of its user's slot, heard by another replica's cache, which a lost master connection
 * or a moved slot empties of only what they concern.
 */
class RedisClusterSessionStoreTest extends SessionStoreContract {
  private static RedisCluster cluster;
  private static MutableClock clock;
  private static RedisSessionStore store;
  /** Another replica: its own store and client, with a cache in front. */
  private static RedisSessionStore otherShared;
  private static CachingSessionStore other;

  @BeforeAll
  static void start() throws InterruptedException {
    cluster = RedisCluster.start();
    clock = MutableClock.startingNow();
    store = RedisSessionStore.builder(cluster.url()).clock(clock).policy(POLICY).build();
    assertThat(store.awaitEvents(Duration.ofSeconds(5))).isTrue();
    otherShared = RedisSessionStore.builder(cluster.url()).clock(clock).policy(POLICY).build();
    assertThat(otherShared.awaitEvents(Duration.ofSeconds(5))).isTrue();
    other = CachingSessionStore.builder(otherShared).clock(clock).build();
  }

  @AfterAll
  static void stop() {
    other.close();
    store.close();
    cluster.close();
  }

  @Override
  SessionStore store() {
    return store;
  }

  @Override
  MutableClock clock() {
    return clock;
  }

  @Override
  Duration eventDelay() {
    return Duration.ofMillis(500);
  }

  @Test
  void findAllStillAnswersRightAfterTheSessionsSlotMovedToAnotherNode() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    StoredSession before = store.find(user, web.getSessionId()).orElseThrow();

    // Resharding, as redis-cli --cluster reshard does it: the pipelined read goes to the old
    // owner, which answers MOVED.
    cluster.moveSlot(JedisClusterCRC16.getSlot("parley:sess:{" + user + "}"));

    assertThat(store.findAll(List.of(new SessionKey(user, web.getSessionId()), new SessionKey(user, "unknown"))))
        .containsExactly(Optional.of(before), Optional.empty());
  }

  @Test
  void anEventTravelsOnlyOnTheShardedChannelOfItsUsersSlotAndReachesTheOtherReplica() {
    SessionRecord web = login(newUser(), Terminal.WEB);
    assertThat(other.find(web.getUserId(), web.getSessionId()).orElseThrow().state()).isEqualTo(SessionState.ACTIVE);
    long spublish = cluster.commandCount("spublish");
    long publish = cluster.commandCount("publish");

    store.revoke(web.getUserId(), web.getSessionId());

    await().atMost(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(1))
        .until(() -> other.find(web.getUserId(), web.getSessionId()).orElseThrow().state() == SessionState.REVOKED);
    assertThat(cluster.commandCount("spublish")).isEqualTo(spublish + 1);
    assertThat(cluster.commandCount("publish")).isEqualTo(publish);
  }

  @Test
  void losingOneMastersEventConnectionDropsOnlyTheCachedSessionsInItsSlots() {
    RedisServer lost = cluster.nodes().get(0);
    SessionRecord there = login(userOn(lost), Terminal.WEB);
    SessionRecord elsewhere = login(userOn(cluster.nodes().get(1)), Terminal.WEB);
    other.find(there.getUserId(), there.getSessionId());
    other.find(elsewhere.getUserId(), elsewhere.getSessionId());
    int lostSlot = slot(there.getUserId());
    long lostEpoch = otherShared.eventEpochs().epoch(lostSlot);
    long keptEpoch = otherShared.eventEpochs().epoch(slot(elsewhere.getUserId()));

    try (Jedis jedis = lost.connect()) {
      jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
    }

    await().atMost(Duration.ofSeconds(5))
        .until(() -> otherShared.eventEpochs().epoch(lostSlot) != lostEpoch && other.isCaching());
    assertThat(otherShared.eventEpochs().epoch(slot(elsewhere.getUserId()))).isEqualTo(keptEpoch);
    long reads = cluster.commandCount("hmget");
    other.find(elsewhere.getUserId(), elsewhere.getSessionId());
    assertThat(cluster.commandCount("hmget")).as("a session of another master, still cached").isEqualTo(reads);
    other.find(there.getUserId(), there.getSessionId());
    assertThat(cluster.commandCount("hmget")).as("a session of the lost master, read again").isEqualTo(reads + 1);
  }

  @Test
  void aSlotMovedToAnotherMasterKeepsItsEventsHeard() {
    SessionRecord web = login(newUser(), Terminal.WEB);
    other.find(web.getUserId(), web.getSessionId());
    int slot = slot(web.getUserId());
    long epoch = otherShared.eventEpochs().epoch(slot);

    cluster.moveSlot(slot);

    // The old master drops the slot's channel; it is subscribed again on the new one.
    await().atMost(Duration.ofSeconds(5))
        .until(() -> otherShared.eventEpochs().epoch(slot) != epoch && other.isCaching());
    store.revoke(web.getUserId(), web.getSessionId());
    await().atMost(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(1))
        .until(() -> other.find(web.getUserId(), web.getSessionId()).orElseThrow().state() == SessionState.REVOKED);
  }

  /** A new user whose sessions live on {@code node}. */
  private String userOn(RedisServer node) {
    while (true) {
      String user = newUser();
      if (cluster.nodeOf(slot(user)) == node) {
        return user;
      }
    }
  }

  private static int slot(String userId) {
    return JedisClusterCRC16.getSlot("parley:sess:{" + userId + "}");
  }
}
