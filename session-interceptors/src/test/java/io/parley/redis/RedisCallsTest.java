package io.parley.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** How Redis failures reach callers: a Redis that cannot serve now is UNAVAILABLE, a bad command a bug. */
class RedisCallsTest {
  @Test
  void serversThatCannotServeNowAreUnavailableAndRejectedCommandsAreBugs() {
    assertThat(RedisCalls.isUnavailable(new JedisConnectionException("refused"))).isTrue();
    assertThat(RedisCalls.isUnavailable(new JedisBusyException("BUSY Redis is busy running a script"))).isTrue();
    assertThat(RedisCalls.isUnavailable(new JedisDataException("LOADING Redis is loading the dataset in memory"))).isTrue();
    assertThat(RedisCalls.isUnavailable(new JedisDataException("READONLY You can't write against a read only replica.")))
        .isTrue();
    assertThat(RedisCalls.isUnavailable(new JedisDataException("CLUSTERDOWN The cluster is down"))).isTrue();
    assertThat(RedisCalls.isUnavailable(new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind")))
        .isFalse();
    assertThat(RedisCalls.isUnavailable(new JedisDataException("ERR Error running script"))).isFalse();
  }

  @Test
  void aPipelinedCommandLeftWithoutAReplyIsAConnectionFailure() {
    // What a cluster pipeline leaves for a node it could not reach.
    Response<String> unanswered = new Response<>(BuilderFactory.STRING);

    assertThatThrownBy(() -> RedisCalls.pipelinedReply(unanswered))
        .isInstanceOfSatisfying(JedisConnectionException.class, e -> assertThat(RedisCalls.isUnavailable(e)).isTrue());
  }

  @Test
  void aWriteToAReadOnlyReplicaFailsUnavailable() {
    try (RedisServer primary = RedisServer.start(); RedisServer replica = RedisServer.start()) {
      try (Jedis jedis = replica.connect()) {
        jedis.replicaof(primary.host(), primary.port());
      }
      try (UnifiedJedis client = RedisClients.create(replica.url())) {
        RedisCalls calls = new RedisCalls(client, ErrorReason.STORE_UNAVAILABLE, "test store");

        assertThatThrownBy(() -> calls.write(() -> client.set("k", "v")))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));
        assertThatThrownBy(() -> calls.write(() -> client.hset("k", "f", "v")))
            .isInstanceOf(ParleyException.class);
      }
    }
  }

  @Test
  void aHungServerFailsUnavailableWithinASecond() {
    try (RedisServer redis = RedisServer.start(); UnifiedJedis client = RedisClients.create(redis.url())) {
      RedisCalls calls = new RedisCalls(client, ErrorReason.SESSION_STORE_UNAVAILABLE, "session store");
      calls.write(() -> client.set("k", "v"));
      redis.pause();
      try {
        long started = System.nanoTime();
        assertThatThrownBy(() -> calls.read(() -> client.get("k")))
            .isInstanceOfSatisfying(ParleyException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.SESSION_STORE_UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      } finally {
        redis.resume();
      }
      assertThat(calls.read(() -> client.get("k"))).isEqualTo("v");
    }
  }

  @Test
  void aRejectedCommandIsABug() {
    try (RedisServer redis = RedisServer.start(); UnifiedJedis client = RedisClients.create(redis.url())) {
      RedisCalls calls = new RedisCalls(client, ErrorReason.STORE_UNAVAILABLE, "test store");
      calls.write(() -> client.set("k", "v"));

      assertThatThrownBy(() -> calls.read(() -> client.hget("k", "f")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("WRONGTYPE");
    }
  }
}
