package io.parley.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.data.Ids;
import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

class RedisEventLogTest extends EventLogContract {
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
  EventLog newLog(Duration window) {
    return new RedisEventLog(jedis, Ids.newId("log"), window);
  }

  @Test
  void aReadWaitsLongerThanTheSocketTimeout() throws Exception {
    try (EventLog log = newLog(Duration.ofMinutes(1))) {
      long start = System.nanoTime();
      assertThat(log.read(log.tail().last(), 10, Duration.ofMillis(1_000))).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void aRedisThatLostItsDataIsANewEpoch() {
    String name = Ids.newId("log");
    try (EventLog log = new RedisEventLog(jedis, name, Duration.ofMinutes(1))) {
      String epoch = log.tail().epoch();
      EventLog.EntryId id = log.append("x".getBytes(StandardCharsets.UTF_8));
      jedis.flushAll();

      assertThat(log.range(epoch, id, id, 10)).isEmpty();
      assertThat(log.tail().epoch()).isNotEqualTo(epoch);
    }
  }

  @Test
  void aQuietLogTrimmedPastItsWindowLeavesOnlyItsEpochInRedis() {
    String name = Ids.newId("log");
    try (EventLog log = new RedisEventLog(jedis, name, Duration.ofMillis(200))) {
      String epoch = log.tail().epoch();
      EventLog.EntryId id = log.append(new byte[100]);
      log.trim();
      assertThat(jedis.exists("parley:{" + name + "}")).as("young entries stay").isTrue();

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            log.trim();
            return !jedis.exists("parley:{" + name + "}");
          });
      assertThat(jedis.keys("parley:{" + name + "}*")).containsExactly("parley:{" + name + "}:epoch");
      assertThat(log.tail().epoch()).isEqualTo(epoch);
      EventLog.EntryId next = log.append(new byte[1]);
      assertThat(next).as("ids keep growing after the stream was deleted").isGreaterThan(id);
    }
  }

  @Test
  void entriesOlderThanTheWindowLeaveRedis() {
    String name = Ids.newId("log");
    try (EventLog log = new RedisEventLog(jedis, name, Duration.ofMillis(200))) {
      for (int i = 0; i < 1_000; i++) {
        log.append(new byte[100]);
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            log.append(new byte[1]);
            return jedis.xlen("parley:{" + name + "}") < 200;
          });
    }
  }
}
