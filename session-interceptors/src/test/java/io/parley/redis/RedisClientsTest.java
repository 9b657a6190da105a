package io.parley.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.testing.RedisServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

class RedisClientsTest {
  @Test
  void badUrlsAreRefusedWithAMessageThatNamesTheProblemButNotThePassword() {
    assertThatThrownBy(() -> RedisClients.create("mysql://h:1")).hasMessageContaining("redis-cluster://");
    assertThatThrownBy(() -> RedisClients.create("redis-cluster://")).hasMessageContaining("names no node");
    assertThatThrownBy(() -> RedisClients.create("redis-cluster://:hunter2@h:notaport"))
        .hasMessageContaining("bad port").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisClients.create("redis://h:1/x")).hasMessageContaining("database");
    assertThatThrownBy(() -> RedisClients.create("redis://h:1?socketTimeout=-5")).hasMessageContaining("socketTimeout");
  }

  @Test
  void redactMasksCredentials() {
    assertThat(RedisClients.redact("redis://user:hunter2@host:6379/0")).isEqualTo("redis://***@host:6379/0");
    assertThat(RedisClients.redact("redis://host:6379")).isEqualTo("redis://host:6379");
  }

  @Test
  void urlSelectsDatabaseAndTimeoutsAgainstARealServer() {
    try (RedisServer redis = RedisServer.start();
        UnifiedJedis db3 = RedisClients.create(redis.url() + "/3?socketTimeout=500&poolSize=4");
        UnifiedJedis db0 = RedisClients.create(redis.url())) {
      db3.set("where", "three");
      assertThat(db3.get("where")).isEqualTo("three");
      assertThat(db0.get("where")).isNull();
    }
  }

  @Test
  void aPasswordKeptApartFromTheUrlAuthenticates() {
    try (RedisServer redis = RedisServer.start()) {
      try (Jedis admin = redis.connect()) {
        admin.configSet("requirepass", "s3cret pass");
      }
      try (UnifiedJedis apart = RedisClients.create(redis.url(), "s3cret pass");
          UnifiedJedis named = RedisClients.create("redis://default@127.0.0.1:" + redis.port(), "s3cret pass");
          UnifiedJedis inUrl = RedisClients.create("redis://:s3cret%20pass@127.0.0.1:" + redis.port());
          UnifiedJedis without = RedisClients.create(redis.url())) {
        apart.set("k", "v");
        assertThat(named.get("k")).isEqualTo("v");
        assertThat(inUrl.get("k")).isEqualTo("v");
        assertThatThrownBy(() -> without.get("k")).isInstanceOf(JedisException.class);
        apart.configSet("requirepass", "");
      }
    }
  }
}
