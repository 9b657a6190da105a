package io.parley.bench;

import io.grpc.ClientInterceptors;
import io.grpc.Channel;
import io.parley.bench.v1.EchoRequest;
import io.parley.bench.v1.EchoServiceGrpc;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unary call with the full session check (token verification, cached session lookup) against
 * the same call on a public method of the same server, and against a bare grpc-java server with no
 * Parley interceptors, interleaved in one run. Target: session / public throughput ≥ 0.90.
 */
final class AuthOverheadScenario implements Scenario {
  @Override
  public String name() {
    return "auth-overhead";
  }

  @Override
  public String description() {
    return "unary call with session check vs the same call public (and vs bare grpc-java); target ratio >= 0.90";
  }

  @Override
  public void checkTargets(Targets targets) {
    targets.allowOnly(name(), "redis");
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int sessions = options.scaleOr(1000);
    try (EchoFixture fixture = new EchoFixture(sessions, options.targets())) {
      EchoRequest request = EchoRequest.newBuilder().setText("ping").build();
      AtomicInteger next = new AtomicInteger();
      // Every load sends the same authorization header, so the client does the same work for each.
      LoadRunner.Operation withSession = () ->
          EchoServiceGrpc.newBlockingStub(withHeader(fixture.parleyChannel, fixture, next.incrementAndGet())).echo(request);
      LoadRunner.Operation publicCall = () ->
          EchoServiceGrpc.newBlockingStub(withHeader(fixture.parleyChannel, fixture, next.incrementAndGet())).echoPublic(request);
      LoadRunner.Operation bare = () ->
          EchoServiceGrpc.newBlockingStub(withHeader(fixture.bareChannel, fixture, next.incrementAndGet())).echo(request);

      // Slices of half a second (6 rounds per 3 s, balanced): each session is then used at least
      // every two seconds, as under steady traffic, and stays in the cache. (With 2 s slices, a
      // session-checked slice could come 8 s after the last and begin with 1,000 expired sessions.)
      int rounds = (int) Math.max(6, options.duration().toMillis() / 3000 * 6);
      List<Measurement> results = new LoadRunner(options.concurrency()).interleave(
          List.of("Echo, session checked", "EchoPublic, same server", "Echo, bare grpc-java"),
          List.of(withSession, publicCall, bare),
          options.warmup(), options.duration(), rounds);
      double ratio = results.get(0).throughput() / results.get(1).throughput();
      double vsBare = results.get(0).throughput() / results.get(2).throughput();
      Report report = new Report(name());
      results.forEach(report::measurement);
      return report
          .figure("sessions used", sessions)
          .figure("session / public throughput", ratio)
          .figure("session / bare grpc-java throughput", vsBare)
          .figure("added p50 latency vs public (ms)", results.get(0).percentileMillis(50) - results.get(1).percentileMillis(50))
          .atLeast("session / public throughput >= 0.90", ratio, 0.90);
    }
  }

  private static Channel withHeader(Channel channel, EchoFixture fixture, int i) {
    return ClientInterceptors.intercept(channel, fixture.session(i));
  }
}
