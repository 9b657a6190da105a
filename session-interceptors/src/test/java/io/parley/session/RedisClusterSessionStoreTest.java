package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.common.v1.Terminal;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The session store contract on a real three-master Redis Cluster. */
class RedisClusterSessionStoreTest extends SessionStoreContract {
  private static RedisCluster cluster;
  private static MutableClock clock;
  private static RedisSessionStore store;

  @BeforeAll
  static void start() throws InterruptedException {
    cluster = RedisCluster.start();
    clock = MutableClock.startingNow();
    store = RedisSessionStore.builder(cluster.url()).clock(clock).policy(POLICY).build();
    assertThat(store.awaitEvents(Duration.ofSeconds(5))).isTrue();
  }

  @AfterAll
  static void stop() {
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
}
