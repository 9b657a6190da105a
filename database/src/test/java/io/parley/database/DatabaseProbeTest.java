package io.parley.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.server.ReadinessMonitor;
import io.parley.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The readiness probe of PostgreSQL against a real server of the test's own: stopped, it answers
 * false within a bound, and true again once the server is back, on the same probe.
 */
class DatabaseProbeTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static PostgresServer server;
  private static DatabaseSettings settings;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
    settings = server.createDatabase().withConnectTimeout(Duration.ofSeconds(1));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void probeFollowsTheServerDownAndUpAgainWithoutBeingReopened() {
    try (DatabaseProbe probe = DatabaseProbe.of(settings, Duration.ofSeconds(1))) {
      assertThat(probe.isReachable()).isTrue();

      server.stop();
      long start = System.nanoTime();
      assertThat(probe.isReachable()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

      server.restart();
      await().atMost(BOUND).until(probe::isReachable);
    } finally {
      if (!server.isRunning()) {
        server.restart();
      }
    }
  }

  @Test
  void monitorOnTheProbeTurnsNotReadyWhenPostgresStopsAndReadyWhenItStarts() {
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    try (DatabaseProbe probe = DatabaseProbe.of(settings, Duration.ofSeconds(1));
        ReadinessMonitor monitor = ReadinessMonitor.builder().interval(Duration.ofMillis(200)).dependency(probe)
            .build()) {
      monitor.onChange(heard::add).start();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true)));

      server.stop();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true, false)));
      assertThat(monitor.isReady()).isFalse();

      server.restart();
      await().atMost(BOUND).until(() -> heard.equals(List.of(true, false, true)));
    } finally {
      if (!server.isRunning()) {
        server.restart();
      }
    }
  }

  @Test
  void probeOfAServerThatWasNeverUpSaysUnreachableWithoutThrowing() {
    DatabaseSettings nowhere = DatabaseSettings.parse("postgresql://parley@127.0.0.1:1/none")
        .withConnectTimeout(Duration.ofMillis(500));
    try (DatabaseProbe probe = DatabaseProbe.of(nowhere, Duration.ofSeconds(1))) {
      assertThat(probe.isReachable()).isFalse();
      assertThat(probe.name()).isEqualTo("postgresql");
    }
  }
}
