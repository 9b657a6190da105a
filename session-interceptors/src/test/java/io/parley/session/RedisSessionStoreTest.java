package io.parley.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.error.ParleyException;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The session store contract on a real redis-server, and what is specific to the Redis layout. */
class RedisSessionStoreTest extends SessionStoreContract {
  private static RedisServer redis;
  private static MutableClock clock;
  private static RedisSessionStore store;

  @BeforeAll
  static void start() throws InterruptedException {
    redis = RedisServer.builder().persistent().start();
    clock = MutableClock.startingNow();
    store = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    assertThat(store.awaitEvents(Duration.ofSeconds(5))).isTrue();
  }

  @AfterAll
  static void stop() {
    store.close();
    redis.close();
  }

  @Override
  SessionStore store() {
    return store;
  }

  @Override
  MutableClock clock() {
    return clock;
  }

  @Override
  Duration eventDelay() {
    return Duration.ofMillis(200);
  }

  @Test
  void findIsOneHmgetAndNothingElse() {
    SessionRecord record = login(newUser(), Terminal.WEB);
    long hmgets = redis.commandCount("hmget");
    long total = redis.totalCommands();

    get(record);

    assertThat(redis.commandCount("hmget")).isEqualTo(hmgets + 1);
    assertThat(redis.totalCommands()).isEqualTo(total + 1);
  }

  @Test
  void aUsersSessionsLiveInOneCompactHashWithATtl() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    SessionRecord mobile = login(user, Terminal.MOBILE);
    String key = "parley:sess:{" + user + "}";
    try (Jedis jedis = redis.connect()) {
      assertThat(jedis.hkeys(key)).contains(web.getSessionId(), web.getSessionId() + ".0",
          mobile.getSessionId(), mobile.getSessionId() + ".0");
      assertThat(jedis.hvals(key.getBytes(UTF_8))).allSatisfy(v -> assertThat(v.length).isLessThanOrEqualTo(64));
      assertThat(jedis.objectEncoding(key)).isEqualTo("listpack");
      assertThat(jedis.pttl(key)).isGreaterThan(POLICY.maxInactive().toMillis());
      assertThat(jedis.hget(key, web.getSessionId())).startsWith("A|" + Terminal.WEB_VALUE + "|");
    }
  }

  @Test
  void endedSessionsKeepOnlyTheirMeta() {
    String user = newUser();
    SessionRecord web = login(user, Terminal.WEB);
    store.revoke(user, web.getSessionId());
    try (Jedis jedis = redis.connect()) {
      assertThat(jedis.hkeys("parley:sess:{" + user + "}")).containsExactly(web.getSessionId());
    }
  }

  @Test
  void recordsTooLargeToStoreAreRefusedBeforeAnyWrite() {
    SessionRecord huge = record(newUser(), Terminal.WEB).toBuilder().putAttributes("blob", "x".repeat(3000)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.create(huge, TerminalPolicy.PER_TERMINAL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
    assertThat(store.find(huge.getUserId(), huge.getSessionId())).isEmpty();
  }

  @Test
  void jsonRecordsAreReadableAndBothCodecsReadEachOther() {
    try (RedisSessionStore json = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY)
        .codec(SessionRecordCodec.JSON).build()) {
      SessionRecord record = record(newUser(), Terminal.WEB);
      json.create(record, TerminalPolicy.PER_TERMINAL);
      try (Jedis jedis = redis.connect()) {
        StringBuilder stored = new StringBuilder();
        String key = "parley:sess:{" + record.getUserId() + "}";
        for (int i = 0; jedis.hexists(key, record.getSessionId() + "." + i); i++) {
          stored.append(jedis.hget(key, record.getSessionId() + "." + i));
        }
        assertThat(stored.toString()).startsWith("{").contains("\"deviceName\":\"Pixel 8\"")
            .doesNotContain(record.getSessionId());
      }
      assertThat(store.find(record.getUserId(), record.getSessionId()).orElseThrow().record()).isEqualTo(record);

      SessionRecord binary = login(newUser(), Terminal.MOBILE);
      assertThat(json.find(binary.getUserId(), binary.getSessionId()).orElseThrow().record()).isEqualTo(binary);
    }
  }

  @Test
  void sessionsSurviveARedisRestartAndCallsFailUnavailableMeanwhile() {
    SessionRecord record = login(newUser(), Terminal.WEB);

    redis.stop();
    try {
      assertThatThrownBy(() -> get(record))
          .isInstanceOfSatisfying(ParleyException.class,
              e -> assertThat(e.reason()).isEqualTo(ErrorReason.SESSION_STORE_UNAVAILABLE));
    } finally {
      redis.restart();
    }

    assertThat(get(record).state()).isEqualTo(SessionState.ACTIVE);
  }
}
