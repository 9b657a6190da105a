package io.parley.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

class EventBusTest {
  @Test
  void localBusDeliversToEverySubscriberUntilClosed() {
    try (LocalEventBus bus = new LocalEventBus()) {
      List<String> a = new CopyOnWriteArrayList<>();
      List<String> b = new CopyOnWriteArrayList<>();
      EventBus.Subscription subA = bus.subscribe("ch", (c, p) -> a.add(new String(p, UTF_8)));
      bus.subscribe("ch", (c, p) -> b.add(new String(p, UTF_8)));
      bus.subscribe("other", (c, p) -> a.add("wrong channel"));

      bus.publish("ch", "one".getBytes(UTF_8));
      subA.close();
      bus.publish("ch", "two".getBytes(UTF_8));

      assertThat(a).containsExactly("one");
      assertThat(b).containsExactly("one", "two");
    }
  }

  @Test
  void redisBusReachesASubscriberOnAnotherClientAndReportsItsConnection() throws Exception {
    try (RedisServer redis = RedisServer.start();
        UnifiedJedis publisherClient = io.parley.redis.RedisClients.create(redis.url());
        UnifiedJedis subscriberClient = io.parley.redis.RedisClients.create(redis.url());
        RedisEventBus publisher = new RedisEventBus(publisherClient);
        RedisEventBus subscriber = new RedisEventBus(subscriberClient)) {
      List<String> heard = new CopyOnWriteArrayList<>();
      CountDownLatch connected = new CountDownLatch(1);
      CountDownLatch disconnected = new CountDownLatch(1);
      CountDownLatch received = new CountDownLatch(2);
      subscriber.subscribe("parley.test", new EventBus.Handler() {
        @Override
        public void message(String channel, byte[] payload) {
          heard.add(channel + "=" + new String(payload, UTF_8));
          received.countDown();
        }

        @Override
        public void connected() {
          connected.countDown();
        }

        @Override
        public void disconnected() {
          disconnected.countDown();
        }
      });
      assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();

      publisher.publish("parley.test", "a b".getBytes(UTF_8));
      publisher.publish("parley.test", "g1 *".getBytes(UTF_8));

      assertThat(received.await(2, TimeUnit.SECONDS)).isTrue();
      assertThat(heard).containsExactly("parley.test=a b", "parley.test=g1 *");
      redis.kill();
      assertThat(disconnected.await(Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
  }
}
