package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.data.Ids;
import io.parley.redis.RedisClients;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The {@link LoginFailureStore} contract on a real redis-server. */
class RedisLoginFailureStoreTest extends LoginFailureStoreContract {
  private static RedisServer server;
  private static UnifiedJedis jedis;

  private String prefix;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
    jedis = RedisClients.create(server.url());
  }

  @AfterAll
  static void stopRedis() {
    if (jedis != null) {
      jedis.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  LoginFailureStore newStore(MutableClock clock, int maxFailures, int maxPerAddress, Duration window) {
    prefix = "test:" + Ids.newId("t") + ":user:";
    return new RedisLoginFailureStore(jedis, prefix, clock, maxFailures, maxPerAddress, window);
  }

  @Test
  void failuresExpireFromRedisAWindowAfterTheLastAndShareTheAddresssHashSlot() {
    LoginFailureStore store = newStore(clock, 5, 50, WINDOW);
    String attempt = Ids.newSessionId();
    store.begin("alice", OWNER, attempt);

    String addressKey = prefix + "fail:{" + OWNER + "}";
    assertThat(jedis.pttl(addressKey + ":alice")).isBetween(WINDOW.toMillis() - 5_000, WINDOW.toMillis());
    assertThat(jedis.pttl(addressKey)).isBetween(WINDOW.toMillis() - 5_000, WINDOW.toMillis());

    store.succeeded("alice", OWNER, attempt);
    assertThat(jedis.exists(addressKey + ":alice")).isFalse();
    assertThat(jedis.zcard(addressKey)).isZero();
  }
}
