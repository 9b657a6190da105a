package io.parley.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.testing.RedisCluster;
import io.parley.testing.RedisServer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClusterClient;

class ShardedRedisSubscriberTest {
  @Test
  void eachSlotsChannelIsHeardAndASilentMasterIsNoticedByItsProbesThenSubscribedAgain() {
    try (RedisCluster cluster = RedisCluster.start();
        RedisClusterClient jedis = (RedisClusterClient) RedisClients.create(cluster.url())) {
      List<String> all = ShardedRedisSubscriber.slotChannels("test:events");
      String onPaused = all.get(0);
      String elsewhere = all.get(SlotTags.SLOTS - 1);
      RedisServer paused = cluster.nodeOf(0);
      assertThat(cluster.nodeOf(SlotTags.SLOTS - 1)).isNotSameAs(paused);
      Set<String> live = ConcurrentHashMap.newKeySet();
      List<String> heard = new CopyOnWriteArrayList<>();
      try (ShardedRedisSubscriber subscriber = new ShardedRedisSubscriber(jedis,
          List.of(onPaused, elsewhere), new ShardedRedisSubscriber.Handler() {
            @Override
            public void message(String channel, byte[] payload) {
              heard.add(channel + " " + new String(payload, UTF_8));
            }

            @Override
            public void subscribed(String channel) {
              live.add(channel);
            }

            @Override
            public void lost(Collection<String> channels) {
              live.removeAll(channels);
            }
          }, "test-sharded", Duration.ofMillis(100))) {
        await().atMost(Duration.ofSeconds(5)).until(() -> live.containsAll(List.of(onPaused, elsewhere)));
        jedis.spublish(onPaused, "one");
        jedis.spublish(elsewhere, "two");
        await().atMost(Duration.ofSeconds(2)).until(() -> heard.size() == 2);
        assertThat(heard).containsExactlyInAnyOrder(onPaused + " one", elsewhere + " two");

        // A frozen master keeps its connections open and never answers: only the probes tell.
        paused.pause();
        try {
          await().atMost(Duration.ofSeconds(3)).until(() -> !live.contains(onPaused));
          assertThat(live).containsExactly(elsewhere);
        } finally {
          paused.resume();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> live.contains(onPaused));
        jedis.spublish(onPaused, "three");
        await().atMost(Duration.ofSeconds(2)).until(() -> heard.contains(onPaused + " three"));
      }
    }
  }
}
