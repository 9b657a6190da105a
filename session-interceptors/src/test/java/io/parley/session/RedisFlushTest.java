package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code FLUSHALL} drops no connection and publishes no event, yet it ends every session: the
 * replicas' caches notice through their sentinels within seconds, and refuse what is gone.
 */
class RedisFlushTest {
  private static final SessionPolicy POLICY = SessionPolicy.defaults();

  private static RedisServer redis;
  private static MutableClock clock;
  private static CachingSessionStore replicaA;
  private static CachingSessionStore replicaB;

  @BeforeAll
  static void start() throws InterruptedException {
    redis = RedisServer.start();
    clock = MutableClock.startingNow();
    replicaA = replica();
    replicaB = replica();
  }

  private static CachingSessionStore replica() throws InterruptedException {
    RedisSessionStore shared = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    assertThat(shared.awaitEvents(Duration.ofSeconds(5))).isTrue();
    CachingSessionStore cached = CachingSessionStore.builder(shared).clock(clock).build();
    await().atMost(Duration.ofSeconds(5)).until(cached::isCaching);
    return cached;
  }

  @AfterAll
  static void stop() {
    replicaA.close();
    replicaB.close();
    redis.close();
  }

  @Test
  void flushingRedisLogsEveryCachedSessionOutWithinSeconds() {
    SessionRecord record = login();
    assertThat(replicaA.find(record.getUserId(), record.getSessionId())).isPresent();
    assertThat(replicaB.find(record.getUserId(), record.getSessionId())).isPresent();
    // Right after start: the replicas read the sentinels when they start, so even this flush counts.
    redis.flushAll();

    Duration bound = Duration.ofMillis(2 * RedisSessionEvents.SENTINEL_PROBE_MILLIS + 2000);
    await().atMost(bound).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      assertThat(replicaA.find(record.getUserId(), record.getSessionId())).isEmpty();
      assertThat(replicaB.find(record.getUserId(), record.getSessionId())).isEmpty();
    });
    // Sessions created after the flush are cached and served as before.
    SessionRecord after = login();
    await().atMost(Duration.ofSeconds(5)).until(replicaA::isCaching);
    assertThat(replicaA.find(after.getUserId(), after.getSessionId())).isPresent();
  }

  private static SessionRecord login() {
    Instant now = clock.instant();
    SessionRecord record = SessionRecord.newBuilder()
        .setUserId(Ids.newId("u"))
        .setSessionId(Ids.newSessionId())
        .setTerminal(Terminal.WEB.getNumber())
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(POLICY.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(POLICY.absoluteLifetime()).toEpochMilli())
        .build();
    replicaA.create(record, TerminalPolicy.PER_TERMINAL);
    return record;
  }
}
