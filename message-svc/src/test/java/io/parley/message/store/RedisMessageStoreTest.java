package io.parley.message.store;

import io.parley.redis.RedisClients;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

class RedisMessageStoreTest extends MessageStoreContract {
  private static RedisServer redis;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
    jedis = RedisClients.create(redis.url());
  }

  @AfterAll
  static void stopRedis() {
    jedis.close();
    redis.close();
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
