package io.parley.user;

import io.parley.data.Ids;
import io.parley.redis.RedisClients;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** The {@link LoginFailureStore} contract on a real three-master Redis Cluster. */
class RedisClusterLoginFailureStoreTest extends LoginFailureStoreContract {
  private static RedisCluster cluster;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
    jedis = RedisClients.create(cluster.url());
  }

  @AfterAll
  static void stopCluster() {
    if (jedis != null) {
      jedis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  LoginFailureStore newStore(MutableClock clock, int maxFailures, int maxPerAddress, Duration window) {
    return new RedisLoginFailureStore(jedis, "test:" + Ids.newId("t") + ":user:", clock, maxFailures, maxPerAddress,
        window);
  }
}
