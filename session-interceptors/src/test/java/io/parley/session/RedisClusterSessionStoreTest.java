package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
}
