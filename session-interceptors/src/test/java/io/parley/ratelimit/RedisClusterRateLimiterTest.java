package io.parley.ratelimit;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** The {@link RateLimiter} contract on a real three-master Redis Cluster. */
class RedisClusterRateLimiterTest extends RateLimiterContract {
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
  RateLimiter limiter() {
    return RateLimiter.redis(jedis, clock);
  }
}
