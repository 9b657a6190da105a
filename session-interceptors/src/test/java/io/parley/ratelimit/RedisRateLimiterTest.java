package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The {@link RateLimiter} contract on a real redis-server, and what only Redis can do: fail. */
class RedisRateLimiterTest extends RateLimiterContract {
  private static RedisServer server;
  private static UnifiedJedis jedis;

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
  RateLimiter limiter() {
    return RateLimiter.redis(jedis, clock);
  }

  @Test
  void eachCheckIsOneRedisCommand() {
    RateLimiter limiter = limiter();
    RateLimit limit = RateLimit.parse("test.count", "5/1m");
    limiter.tryAcquire(limit, user); // loads the script, if this server has not seen it
    long evalsha = server.commandCount("evalsha");
    long eval = server.commandCount("eval");

    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire(limit, user);
    }

    // (The GET and SET the script runs inside Redis are counted apart, as commands of their own.)
    assertThat(server.commandCount("evalsha") - evalsha).isEqualTo(100);
    assertThat(server.commandCount("eval")).isEqualTo(eval);
    long before = server.commandCount("evalsha");
    limiter.tryAcquire(RateLimit.unlimited("test.off"), user);
    assertThat(server.commandCount("evalsha")).as("an unlimited limit asks nothing").isEqualTo(before);
  }

  @Test
  void aKeyIsHashTaggedAndExpiresASecondAfterItsBucketIsFullAgain() {
    limiter().tryAcquire(RateLimit.parse("test.ttl", "10/1m,burst=3"), user);

    long ttl = jedis.pttl("parley:rl:{test.ttl:" + user + "}");
    assertThat(ttl).as("6 s to refill, and a second to spare").isBetween(6_000L, 7_000L);
  }

  @Test
  void withRedisHungCallsAreLetThroughAndRedisIsLeftAloneForASecond() {
    RateLimiter limiter = limiter();
    RateLimit once = RateLimit.parse("test.down", "1/1h");
    limiter.tryAcquire(once, user);
    assertThat(limiter.tryAcquire(once, user)).as("limited while Redis answers").isPresent();

    server.pause();
    try {
      assertThat(limiter.tryAcquire(once, user)).as("let through: Redis does not answer").isEmpty();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        assertThat(limiter.tryAcquire(once, user)).isEmpty();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("without waiting for Redis")
          .isLessThan(Duration.ofMillis(200));
    } finally {
      server.resume();
    }

    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(once, user)).as("limited again once Redis answers").isPresent();
  }
}
