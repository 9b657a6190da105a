package io.parley.bench;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.session.RedisSessionStore;
import io.parley.session.SessionPolicy;
import io.parley.session.TerminalPolicy;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.RedisServer;
import io.parley.testing.RedisStats;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Redis memory per session: used_memory before and after storing N sessions (100,000 by default),
 * each with the attributes user-svc fills at login. Target: ≤ 400 bytes per session. In a
 * redis-server of its own, or in the one {@code --target redis=} names (whose other traffic then
 * counts too), from which the sessions are revoked again at the end.
 */
final class SessionMemoryScenario implements Scenario {
  @Override
  public String name() {
    return "session-memory";
  }

  @Override
  public String description() {
    return "Redis memory per session with 100,000 sessions; target <= 400 bytes";
  }

  @Override
  public void checkTargets(Targets targets) {
    targets.allowOnly(name(), "redis");
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    List<String> given = options.targets().addresses().get("redis");
    try (RedisServer own = given == null ? RedisServer.start() : null) {
      return measure(options.scaleOr(100_000), Math.max(2, options.concurrency()),
          own != null ? own.url() : given.get(0), own == null);
    }
  }

  private Report measure(int count, int threads, String url, boolean cleanUp) throws Exception {
    SessionPolicy policy = SessionPolicy.defaults();
    try (RedisSessionStore store = RedisSessionStore.builder(url).policy(policy).build();
        RedisStats stats = new RedisStats(url)) {
      // The store's event counters (one small key per hash slot) are made once it subscribes:
      // before the count, not in it.
      store.awaitEvents(java.time.Duration.ofSeconds(10));
      SessionRecord[] records = new SessionRecord[count];
      long before = stats.usedMemory();
      long started = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int from = t * count / threads;
          int to = (t + 1) * count / threads;
          parts.add(pool.submit(() -> {
            for (int i = from; i < to; i++) {
              records[i] = record(i, policy);
              store.create(records[i], TerminalPolicy.PER_TERMINAL);
            }
            return null;
          }));
        }
        for (Future<?> part : parts) {
          part.get();
        }
      } finally {
        pool.shutdown();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long after = stats.usedMemory();
      double perSession = (after - before) / (double) count;
      if (cleanUp) {
        for (SessionRecord record : records) {
          store.revoke(record.getUserId(), record.getSessionId());
        }
      }
      return new Report(name())
          .figure("sessions", count)
          .figure("logins per second while filling", count / seconds)
          .figure("used_memory before (bytes)", before)
          .figure("used_memory after (bytes)", after)
          .figure("bytes per session", perSession)
          .atMost("bytes per session <= 400", perSession, 400);
    }
  }

  /** A session as user-svc creates it at login. */
  static SessionRecord record(int i, SessionPolicy policy) {
    Instant now = Clock.systemUTC().instant();
    String user = Ids.newId("u");
    return SessionRecord.newBuilder()
        .setUserId(user)
        .setSessionId(Ids.newSessionId())
        .setTerminal(Terminal.MOBILE_VALUE)
        .setDeviceName("Pixel 8")
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(policy.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(policy.absoluteLifetime()).toEpochMilli())
        .putAttributes("username", String.format("user%06d", i))
        .putAttributes("nickname", "User " + i)
        .putAttributes("avatar_url", "")
        .putAttributes("roles", "user")
        .build();
  }
}
