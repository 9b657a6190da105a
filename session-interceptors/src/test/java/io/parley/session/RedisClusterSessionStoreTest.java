package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.Terminal;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.redis.SlotTags;
import io.parley.testing.RedisCluster;
import io.parley.testing.RedisServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
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
  void losingOneMastersEventConnectionDropsOnlyTheCachedSessionsOfItsSlotsThatChanged() throws Exception {
    RedisServer lost = cluster.nodes().get(0);
    SessionRecord revoked = login(userOn(lost), Terminal.WEB);
    SessionRecord sameMaster = login(userOn(lost), Terminal.WEB);
    SessionRecord otherMaster = login(userOn(cluster.nodes().get(1)), Terminal.WEB);
    int slot = slot(revoked.getUserId());
    assertThat(slot(sameMaster.getUserId())).isNotEqualTo(slot);
    for (SessionRecord record : List.of(revoked, sameMaster, otherMaster)) {
      assertThat(other.find(record.getUserId(), record.getSessionId()).orElseThrow().state())
          .isEqualTo(SessionState.ACTIVE);
    }
    AtomicInteger interruptions = interruptionsOf(other);

    // On that master, in one transaction: the event connections are killed, then a session is
    // revoked with the store's own script, whose event is published to no one.
    try (Jedis jedis = lost.connect();
        InputStream announce = RedisSessionStore.class.getResourceAsStream("announce.lua");
        InputStream revoke = RedisSessionStore.class.getResourceAsStream("revoke.lua")) {
      Transaction multi = jedis.multi();
      multi.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "pubsub");
      Response<Object> result = multi.eval(new String(announce.readAllBytes(), StandardCharsets.UTF_8) + "\n"
              + new String(revoke.readAllBytes(), StandardCharsets.UTF_8),
          List.of("parley:sess:{" + revoked.getUserId() + "}", "parley:sess:changes{" + SlotTags.of(slot) + "}"),
          List.of("one", revoked.getSessionId(), Long.toString(clock.millis()),
              Long.toString(POLICY.endedRetention().toMillis()), "parley:sess:events{" + SlotTags.of(slot) + "}",
              revoked.getUserId(), Integer.toString(RedisSessionStore.MAX_CHUNKS), "SPUBLISH"));
      multi.exec();
      assertThat((List<?>) result.get()).hasSize(1);
    }

    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).untilAsserted(() -> {
      assertThat(other.find(revoked.getUserId(), revoked.getSessionId()).orElseThrow().state())
          .isEqualTo(SessionState.REVOKED);
      assertThat(interruptions.get()).isPositive();
      assertThat(other.isCaching()).isTrue();
    });
    other.find(revoked.getUserId(), revoked.getSessionId());
    long reads = cluster.commandCount("hmget");
    for (SessionRecord record : List.of(revoked, sameMaster, otherMaster)) {
      other.find(record.getUserId(), record.getSessionId());
    }
    assertThat(cluster.commandCount("hmget")).as("every session served from the cache").isEqualTo(reads);
    assertThat(other.find(sameMaster.getUserId(), sameMaster.getSessionId()).orElseThrow().state())
        .isEqualTo(SessionState.ACTIVE);
  }

  @Test
  void aSlotMovedToAnotherMasterKeepsItsEventsHeard() {
    SessionRecord web = login(newUser(), Terminal.WEB);
    other.find(web.getUserId(), web.getSessionId());
    AtomicInteger interruptions = interruptionsOf(other);

    cluster.moveSlot(slot(web.getUserId()));

    // The old master drops the slot's channel; it is subscribed again on the new one.
    await().atMost(Duration.ofSeconds(5)).until(() -> interruptions.get() > 0 && other.isCaching());
    store.revoke(web.getUserId(), web.getSessionId());
    await().atMost(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(1))
        .until(() -> other.find(web.getUserId(), web.getSessionId()).orElseThrow().state() == SessionState.REVOKED);
  }

  /** Counts the interruptions {@code cache} is told of from now on. */
  private static AtomicInteger interruptionsOf(CachingSessionStore cache) {
    AtomicInteger count = new AtomicInteger();
    cache.addListener(new SessionListener() {
      @Override
      public void sessionEnded(String userId, String sessionId, SessionState state) {}

      @Override
      public void eventsInterrupted() {
        count.incrementAndGet();
      }
    });
    return count;
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
