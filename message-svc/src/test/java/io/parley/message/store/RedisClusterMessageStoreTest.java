package io.parley.message.store;

import io.parley.redis.RedisClients;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

class RedisClusterMessageStoreTest extends MessageStoreContract {
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
  MessageStore newStore(MutableClock clock, Retention retention) {
    return new RedisMessageStore(jedis, clock, retention, "parley:msg:");
  }

  @Test
  void closingStoresWhileEventsFlowLeavesTheDataClientHealthy() throws Exception {
    closingStoresWhileEventsFlowLeavesTheirDataClientHealthy();
  }
}
