package io.parley.bench;

import io.grpc.ManagedChannel;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/users/me} through the REST gateway against {@code GetMe} over gRPC, interleaved in
 * one run, on the distributed topology: a gateway node in front of a user-svc node (Redis store),
 * so that a REST request pays exactly the gateway's hop on top of the gRPC call the other load
 * makes directly. (In the embedded mode the gateway reaches services in-process and beats direct
 * gRPC over TCP, which would flatter it.) Targets: REST / gRPC throughput ≥ 0.5 under load, and at
 * most 0.5 ms added to the median of a single caller.
 */
final class GatewayScenario implements Scenario {
  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public String description() {
    return "GET /v1/users/me via the gateway vs GetMe over gRPC; targets ratio >= 0.5, +<= 0.5 ms median";
  }

  @Override
  public void checkTargets(Targets targets) {
    if (!targets.isEmpty()) {
      targets.allowOnly(name(), "user", "gateway");
      targets.require(name(), "user");
      targets.require(name(), "gateway");
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    try (Deployment deployment = options.targets().isEmpty() ? Deployment.withGateway(1)
        : Deployment.of(options.targets(), 1)) {
      String gateway = deployment.isLocal() ? deployment.gatewayTarget : options.targets().require(name(), "gateway");
      return measure(options, deployment, gateway);
    }
  }

  private Report measure(BenchOptions options, Deployment deployment, String gateway) throws Exception {
    ManagedChannel channel = deployment.userChannel;
    List<Deployment.BenchUser> users = deployment.users("gw", 100);
    AtomicInteger next = new AtomicInteger();
    ThreadLocal<PlainHttpClient> http = ThreadLocal.withInitial(() -> {
      try {
        return new PlainHttpClient(Targets.host(gateway), Targets.port(gateway), "/v1/users/me");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    LoadRunner.Operation grpc = () -> RevocationScenario
        .as(UserServiceGrpc.newBlockingStub(channel), users.get(Math.floorMod(next.incrementAndGet(), users.size())).token())
        .getMe(GetMeRequest.getDefaultInstance());
    LoadRunner.Operation rest = () -> {
      int status = http.get().get("Bearer " + users.get(Math.floorMod(next.incrementAndGet(), users.size())).token());
      if (status != 200) {
        throw new IllegalStateException("GET /v1/users/me answered " + status);
      }
    };
    List<String> names = List.of("GetMe over gRPC", "GET /v1/users/me via the gateway");
    // Throughput under load, then what the gateway adds to one request on an idle machine.
    List<Measurement> loaded = new LoadRunner(options.concurrency()).interleave(
        names, List.of(grpc, rest), options.warmup(), options.duration(), 6);
    List<Measurement> single = new LoadRunner(1).interleave(
        List.of(names.get(0) + ", one caller", names.get(1) + ", one caller"), List.of(grpc, rest),
        java.time.Duration.ofSeconds(1), options.duration().dividedBy(2), 6);
    double ratio = loaded.get(1).throughput() / loaded.get(0).throughput();
    double addedMedian = single.get(1).percentileMillis(50) - single.get(0).percentileMillis(50);
    Report report = new Report(name());
    loaded.forEach(report::measurement);
    single.forEach(report::measurement);
    return report
        .figure("REST / gRPC throughput, " + options.concurrency() + " callers", ratio)
        .figure("added median latency, one caller (ms)", addedMedian)
        .atLeast("REST / gRPC throughput >= 0.5", ratio, 0.5)
        .atMost("added median latency (ms) <= 0.5", addedMedian, 0.5)
        .note("HTTP client: one blocking keep-alive connection per caller (PlainHttpClient, as wrk does); "
            + "gRPC client: grpc-java blocking stubs on one channel; both in the bench's JVM, the servers in their own");
  }
}
