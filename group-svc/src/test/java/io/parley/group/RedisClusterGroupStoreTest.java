package io.parley.group;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisCluster;
import io.parley.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@link RedisGroupStore} on a real three-master Redis Cluster, started once for the class: every
 * script touches one hash slot, and a user's index lives in another, so the whole contract holds
 * across nodes.
 */
class RedisClusterGroupStoreTest extends RedisGroupStoreContract {
  private static RedisCluster cluster;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
    jedis = RedisClients.create(cluster.url());
  }

  @AfterAll
  static void stopCluster() {
    jedis.close();
    cluster.close();
  }

  @Override
  UnifiedJedis jedis() {
    return jedis;
  }

  @Override
  List<RedisServer> servers() {
    return cluster.nodes();
  }
}
