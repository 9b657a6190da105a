package io.parley.message.presence;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** The contract on a real standalone {@code redis-server}, emptied before each test. */
class RedisPresenceStoreTest extends PresenceStoreContract {
  private static RedisServer server;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void start() {
    server = RedisServer.start();
    jedis = RedisClients.create(server.url());
  }

  @AfterAll
  static void stop() {
    jedis.close();
    server.close();
  }

  @Override
  PresenceStore newStore() {
    jedis.flushAll();
    return new RedisPresenceStore(jedis);
  }
}
