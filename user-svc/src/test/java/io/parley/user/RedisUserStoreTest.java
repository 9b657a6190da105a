package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.redis.RedisClients;
import io.parley.testing.RedisServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The {@link UserStore} contract on a real redis-server, plus what only the Redis layout can get wrong. */
class RedisUserStoreTest extends UserStoreContract {
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
  UserStore newStore(int scanLimit) {
    prefix = "test:" + Ids.newId("t") + ":user:";
    return new RedisUserStore(jedis, prefix, scanLimit);
  }

  @Test
  void accountsUseTheDocumentedKeyLayout() {
    UserStore store = newStore(100);
    Account alice = account("alice", "Alice");
    store.create(alice);
    String uid = alice.userId();

    assertThat(jedis.hgetAll(prefix + "acct:{" + uid + "}")).containsOnly(
        Map.entry("username", "alice"),
        Map.entry("nickname", "Alice"),
        Map.entry("avatar_url", ""),
        Map.entry("bio", ""),
        Map.entry("create_ms", "1700000000123"),
        Map.entry("pw", alice.passwordHash()),
        Map.entry("rev", "1"));
    assertThat(jedis.get(prefix + "name:alice")).isEqualTo(uid);
    assertThat(jedis.zrange(prefix + "idx:name:a", 0, -1)).containsExactly("alice\0" + uid);
    assertThat(jedis.zrange(prefix + "idx:{nick}", 0, -1)).containsExactly("alice\0alice\0" + uid);
    assertThat(jedis.hgetAll(prefix + "idx:{nick}:owners")).containsOnly(Map.entry(uid, "1 alice\0alice\0" + uid));
  }

  @Test
  void anAccountLeftByACrashBeforeItsClaimIsUnreachableAndBlocksNobody() {
    UserStore store = newStore(100);
    // What a registration of "bob" leaves if it dies after writing the account and its index entries,
    // before claiming the username.
    Account orphan = account("bob", "Bob Orphan");
    String uid = orphan.userId();
    jedis.hset(prefix + "acct:{" + uid + "}", Map.of("username", "bob", "nickname", "Bob Orphan", "avatar_url", "",
        "bio", "", "create_ms", "1", "pw", orphan.passwordHash(), "rev", "1"));
    jedis.zadd(prefix + "idx:name:b", 0, "bob\0" + uid);
    jedis.zadd(prefix + "idx:{nick}", 0, "bob orphan\0bob\0" + uid);
    jedis.hset(prefix + "idx:{nick}:owners", uid, "1 bob orphan\0bob\0" + uid);

    assertThat(store.findByUsername("bob")).isEmpty();
    assertThat(store.search("bob", 10, SearchCursor.FIRST).users()).isEmpty();
    assertThat(store.search("orphan", 10, SearchCursor.FIRST).users()).isEmpty();

    Account bob = account("bob", "Bob");
    store.create(bob);

    assertThat(store.findByUsername("bob")).contains(bob);
    assertThat(store.search("bob", 10, SearchCursor.FIRST).users()).containsExactly(bob.user());
  }

  @Test
  void aRegistrationThatLosesTheClaimRemovesWhatItWrote() {
    UserStore store = newStore(100);
    Account winner = account("alice", "Alice");
    store.create(winner);
    Account loser = account("alice", "Alice Too");

    assertThatThrownBy(() -> store.create(loser))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.USERNAME_TAKEN));

    assertThat(jedis.exists(prefix + "acct:{" + loser.userId() + "}")).isFalse();
    assertThat(jedis.zrange(prefix + "idx:name:a", 0, -1)).containsExactly("alice\0" + winner.userId());
    assertThat(jedis.zrange(prefix + "idx:{nick}", 0, -1)).containsExactly("alice\0alice\0" + winner.userId());
    assertThat(jedis.hkeys(prefix + "idx:{nick}:owners")).containsExactly(winner.userId());
  }

  @Test
  void aStoreThatCannotReachRedisFailsStoreUnavailable() {
    try (UnifiedJedis nowhere = RedisClients.create("redis://127.0.0.1:1?connectTimeout=200")) {
      UserStore store = new RedisUserStore(nowhere, "test:", 100);

      assertThatThrownBy(() -> store.findByUsername("alice"))
          .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));
    }
  }
}
