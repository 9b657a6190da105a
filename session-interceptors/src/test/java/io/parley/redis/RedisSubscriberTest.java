package io.parley.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

class RedisSubscriberTest {
  @Test
  void aSilentConnectionIsNoticedByItsPingsAndTheSubscriptionComesBack() throws Exception {
    try (RedisServer redis = RedisServer.start(); UnifiedJedis jedis = RedisClients.create(redis.url())) {
      Semaphore connected = new Semaphore(0);
      Semaphore disconnected = new Semaphore(0);
      List<String> heard = new CopyOnWriteArrayList<>();
      try (RedisSubscriber subscriber = new RedisSubscriber(jedis, List.of("ch"), new RedisSubscriber.Handler() {
        @Override
        public void message(String channel, byte[] payload) {
          heard.add(new String(payload, UTF_8));
        }

        @Override
        public void connected() {
          connected.release();
        }

        @Override
        public void disconnected() {
          disconnected.release();
        }
      }, "test-subscriber", Duration.ofMillis(100))) {
        assertThat(connected.tryAcquire(5, TimeUnit.SECONDS)).isTrue();

        // A frozen server keeps the TCP connection open and never answers: only the pings tell.
        redis.pause();
        try {
          assertThat(disconnected.tryAcquire(3, TimeUnit.SECONDS)).as("loss noticed").isTrue();
          assertThat(subscriber.isConnected()).isFalse();
        } finally {
          redis.resume();
        }

        assertThat(connected.tryAcquire(5, TimeUnit.SECONDS)).as("subscribed again").isTrue();
        jedis.publish("ch", "after");
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (heard.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(heard).containsExactly("after");
      }
    }
  }
}
