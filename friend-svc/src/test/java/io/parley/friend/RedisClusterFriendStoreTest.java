package io.parley.friend;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisCluster;
import java.time.Clock;
import redis.clients.jedis.UnifiedJedis;

/** The contract on a real three-master Redis Cluster: every script must keep to one slot. */
class RedisClusterFriendStoreTest extends FriendStoreContractTest {
  private RedisCluster cluster;
  private UnifiedJedis jedis;

  @Override
  protected FriendStore createStore(Clock clock) {
    cluster = RedisCluster.start();
    jedis = RedisClients.create(cluster.url());
    return new RedisFriendStore(jedis, clock, 8);
  }

  @Override
  protected void stopBackend() {
    jedis.close();
    cluster.close();
  }
}
