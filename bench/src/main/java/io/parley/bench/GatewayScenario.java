package io.parley.bench;

import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/users/me} through the REST gateway against {@code GetMe} over gRPC, on the same
 * node (every service and the gateway, Redis store), interleaved in one run. Targets: REST / gRPC
 * throughput ≥ 0.5 and at most 0.5 ms added to the median.
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
  public Report run(BenchOptions options) throws Exception {
    try (Deployment deployment = new Deployment(0);
        ParleyNode all = ParleyNode.start(deployment.node(Role.ALL).build())) {
      var channel = Deployment.channel(all.grpcPort());
      List<Deployment.BenchUser> users = usersOn(all, 100);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI me = URI.create("http://127.0.0.1:" + all.httpPort() + "/v1/users/me");
      AtomicInteger next = new AtomicInteger();
      LoadRunner.Operation grpc = () -> RevocationScenario
          .as(UserServiceGrpc.newBlockingStub(channel), users.get(Math.floorMod(next.incrementAndGet(), users.size())).token())
          .getMe(GetMeRequest.getDefaultInstance());
      LoadRunner.Operation rest = () -> {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(me)
            .header("Authorization", "Bearer " + users.get(Math.floorMod(next.incrementAndGet(), users.size())).token())
            .build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("GET /v1/users/me answered " + response.statusCode());
        }
      };
      List<Measurement> results = new LoadRunner(options.concurrency()).interleave(
          List.of("GetMe over gRPC", "GET /v1/users/me via the gateway"), List.of(grpc, rest),
          options.warmup(), options.duration(), 6);
      channel.shutdownNow();
      double ratio = results.get(1).throughput() / results.get(0).throughput();
      double addedMedian = results.get(1).percentileMillis(50) - results.get(0).percentileMillis(50);
      Report report = new Report(name());
      results.forEach(report::measurement);
      return report
          .figure("REST / gRPC throughput", ratio)
          .figure("added median latency (ms)", addedMedian)
          .atLeast("REST / gRPC throughput >= 0.5", ratio, 0.5)
          .atMost("added median latency (ms) <= 0.5", addedMedian, 0.5)
          .note("both clients are JDK/grpc-java clients in the same JVM as the servers");
    }
  }

  /** Users registered and logged in on this node. */
  private static List<Deployment.BenchUser> usersOn(ParleyNode node, int count) {
    var channel = Deployment.channel(node.grpcPort());
    try {
      List<Deployment.BenchUser> users = new java.util.ArrayList<>();
      UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel);
      for (int i = 0; i < count; i++) {
        String username = String.format("gw%05d", i);
        stub.register(io.parley.user.v1.RegisterRequest.newBuilder().setUsername(username)
            .setPassword("bench password").build());
        var login = stub.login(io.parley.user.v1.LoginRequest.newBuilder().setUsername(username)
            .setPassword("bench password").setTerminal(io.parley.common.v1.Terminal.WEB).build());
        users.add(new Deployment.BenchUser(login.getUser().getUserId(), login.getAccessToken()));
      }
      return users;
    } finally {
      channel.shutdownNow();
    }
  }

}
