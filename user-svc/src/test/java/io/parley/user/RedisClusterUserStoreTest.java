package io.parley.user;

import io.parley.data.Ids;
import io.parley.redis.RedisClients;
import io.parley.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** The {@link UserStore} contract on a real three-master Redis Cluster, where an account, its claim and the indexes sit in different slots. */
class RedisClusterUserStoreTest extends UserStoreContract {
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
  UserStore newStore(int scanLimit) {
    return new RedisUserStore(jedis, "test:" + Ids.newId("t") + ":user:", scanLimit);
  }
}
