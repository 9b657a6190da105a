package io.parley.message.presence;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/**
 * The contract on a real Redis Cluster: each user's hash is one slot, the lease set another, and no
 * script touches two. The lease set is emptied before each test.
 */
class RedisClusterPresenceStoreTest extends PresenceStoreContract {
  private static RedisCluster cluster;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void start() {
    cluster = RedisCluster.start();
    jedis = RedisClients.create(cluster.url());
  }

  @AfterAll
  static void stop() {
    jedis.close();
    cluster.close();
  }

  @Override
  PresenceStore newStore() {
    jedis.del(RedisPresenceStore.LEASES);
    return new RedisPresenceStore(jedis);
  }
}
