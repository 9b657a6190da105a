package io.parley.bench;

import io.grpc.ClientInterceptors;
import io.parley.bench.v1.EchoRequest;
import io.parley.bench.v1.EchoServiceGrpc;
import io.parley.testing.RedisStats;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Redis commands per authenticated call in the steady state, counted on the Redis server (INFO
 * commandstats) over the measured window, with calls spread over many sessions so that cache
 * refreshes and activity writes are part of the figure. Target: ≤ 0.05 commands per call. Counted
 * in a redis-server of its own, or in the one {@code --target redis=} names, where every other
 * client's commands in the window count too.
 */
final class RedisPerCallScenario implements Scenario {
  @Override
  public String name() {
    return "redis-per-call";
  }

  @Override
  public String description() {
    return "Redis commands per authenticated call in steady state, counted on the server (a shared one's other "
        + "clients count too); target <= 0.05";
  }

  @Override
  public void checkTargets(Targets targets) {
    targets.allowOnly(name(), "redis");
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int sessions = options.scaleOr(1000);
    boolean shared = options.targets().addresses().containsKey("redis");
    try (EchoFixture fixture = new EchoFixture(sessions, options.targets());
        RedisStats stats = new RedisStats(fixture.storeUrl)) {
      EchoRequest request = EchoRequest.newBuilder().setText("ping").build();
      AtomicInteger next = new AtomicInteger();
      LoadRunner.Operation call = () -> EchoServiceGrpc.newBlockingStub(
          ClientInterceptors.intercept(fixture.parleyChannel, fixture.session(next.incrementAndGet()))).echo(request);
      LoadRunner runner = new LoadRunner(options.concurrency());
      runner.run("warm-up", call, java.time.Duration.ZERO, options.warmup());

      long commandsBefore = stats.totalCommands();
      Measurement measured = runner.run("Echo, session checked", call, java.time.Duration.ZERO, options.duration());
      long commands = stats.totalCommands() - commandsBefore;

      double perCall = commands / (double) measured.operations();
      Report report = new Report(name());
      if (shared) {
        report.note("counted on the Redis --target names: every other client's commands in the window count too");
      }
      return report
          .measurement(measured)
          .figure("sessions used", sessions)
          .figure("Redis commands in the window", commands)
          .figure("Redis commands per call", perCall)
          .atMost("Redis commands per call <= 0.05", perCall, 0.05)
          .note("a per-request session store such as Spring Session costs 4-9 commands per call");
    }
  }
}
