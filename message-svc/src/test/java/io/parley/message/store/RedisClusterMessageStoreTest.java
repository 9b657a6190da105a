package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.redis.RedisClients;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

class RedisClusterMessageStoreTest extends MessageStoreContract {
  private static RedisCluster cluster;
  private static UnifiedJedis jedis;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
    jedis = RedisClients.create(cluster.url());
  }

  @AfterAll
  static void stopCluster() {
    jedis.close();
    cluster.close();
  }

  @Override
  MessageStore newStore(MutableClock clock, Retention retention) {
    return new RedisMessageStore(jedis, clock, retention, "parley:msg:");
  }

  @Test
  void appendsGoOnWhileTheConversationsSlotMovesToAnotherNode() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    append(store, draft(conversation, a, "1", "one"));

    // The writer pipelines its scripts, and pipelines do not follow MOVED: the script is run again
    // by itself, which does.
    cluster.moveSlot(JedisClusterCRC16.getSlot("parley:msg:{" + conversation.value() + "}:meta"));

    assertThat(append(store, draft(conversation, b, "2", "two")).seq()).isEqualTo(2);
    assertThat(append(store, draft(conversation, b, "2", "two")).duplicate()).isTrue();
    assertThat(append(store, draft(conversation, a, "3", "three")).seq()).isEqualTo(3);
  }

  @Test
  void closingStoresWhileEventsFlowLeavesTheDataClientHealthy() throws Exception {
    closingStoresWhileEventsFlowLeavesTheirDataClientHealthy();
  }
}
