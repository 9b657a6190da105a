package io.parley.group;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** {@link RedisGroupStore} on a real standalone redis-server, started once for the class. */
class RedisGroupStoreTest extends RedisGroupStoreContract {
  private static RedisServer server;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
    jedis = RedisClients.create(server.url());
  }

  @AfterAll
  static void stopRedis() {
    jedis.close();
    server.close();
  }

  @Override
  UnifiedJedis jedis() {
    return jedis;
  }

  @Override
  List<RedisServer> servers() {
    return List.of(server);
  }
}
