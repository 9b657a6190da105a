package io.parley.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.Terminal;
import io.parley.database.DatabaseSettings;
import io.parley.launcher.NodeConfig;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LogoutRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Time from Logout on user-svc replica A until replica B rejects the token, over 1,000 sessions:
 * B has the session cached (it just served a call with it), so this is how fast a revocation
 * reaches another replica's cache through Redis pub/sub. Target: p99 ≤ 50 ms.
 */
final class RevocationScenario implements Scenario {
  @Override
  public String name() {
    return "revocation";
  }

  @Override
  public String description() {
    return "Logout on replica A until replica B rejects the token, 1,000 sessions; target p99 <= 50 ms";
  }

  @Override
  public void checkTargets(Targets targets) {
    if (!targets.isEmpty()) {
      targets.allowOnly(name(), "user");
      targets.require(name(), "user", 2);
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int sessions = options.scaleOr(1000);
    if (!options.targets().isEmpty()) {
      List<String> replicas = options.targets().require(name(), "user", 2);
      return measure(sessions, replicas.get(0), replicas.get(1));
    }
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    TokenKeys keys = TokenKeys.hmac(secret);
    try (RedisServer redis = RedisServer.start();
        PostgresServer postgres = PostgresServer.start()) {
      DatabaseSettings database = postgres.createDatabase();
      try (ParleyNode a = ParleyNode.start(replica(keys, redis, database));
          ParleyNode b = ParleyNode.start(replica(keys, redis, database))) {
        awaitEvents(b);
        return measure(sessions, "127.0.0.1:" + a.grpcPort(), "127.0.0.1:" + b.grpcPort());
      }
    }
  }

  private Report measure(int sessions, String replicaA, String replicaB) {
    ManagedChannel toA = Deployment.channel(replicaA);
    ManagedChannel toB = Deployment.channel(replicaB);
    try {
      List<String> tokens = login(toA, sessions);
      Histogram histogram = new Histogram(3);
      long pollCalls = 0;
      for (String token : tokens) {
        UserServiceGrpc.UserServiceBlockingStub onA = as(UserServiceGrpc.newBlockingStub(toA), token);
        UserServiceGrpc.UserServiceBlockingStub onB = as(UserServiceGrpc.newBlockingStub(toB), token);
        onB.getMe(GetMeRequest.getDefaultInstance());

        long start = System.nanoTime();
        onA.logout(LogoutRequest.getDefaultInstance());
        while (true) {
          pollCalls++;
          try {
            onB.getMe(GetMeRequest.getDefaultInstance());
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
              throw e;
            }
            break;
          }
          if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
            throw new IllegalStateException("replica B still accepts a token revoked 10 s ago");
          }
        }
        histogram.recordValue((System.nanoTime() - start) / 1000);
      }
      Measurement measurement = new Measurement("Logout on A until B rejects", histogram.getTotalCount(),
          histogram.getTotalCount(), histogram);
      return new Report(name())
          .measurement(measurement)
          .figure("sessions", sessions)
          .figure("p50 (ms)", measurement.percentileMillis(50))
          .figure("p99 (ms)", measurement.percentileMillis(99))
          .figure("calls to B while waiting, per session", pollCalls / (double) sessions)
          .atMost("p99 Logout-to-rejection (ms) <= 50", measurement.percentileMillis(99), 50)
          .note("the throughput column of the measurement is meaningless here: one logout at a time");
    } finally {
      toA.shutdownNow();
      toB.shutdownNow();
    }
  }

  /** A user-svc replica: sessions in {@code redis}, accounts in {@code database}, as every replica's. */
  private static NodeConfig replica(TokenKeys keys, RedisServer redis, DatabaseSettings database) {
    return NodeConfig.builder(Role.USER, keys).host("127.0.0.1").grpcPort(0).store(redis.url()).database(database)
        .fastPasswordHashing(true).build();
  }

  private static List<String> login(ManagedChannel channel, int sessions) {
    UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(channel);
    List<String> tokens = new ArrayList<>();
    String runTag = Deployment.runTag();
    Terminal[] terminals = {Terminal.WEB, Terminal.MOBILE, Terminal.DESKTOP};
    for (int i = 0; tokens.size() < sessions; i++) {
      String username = String.format("revoke%s%05d", runTag, i);
      users.register(RegisterRequest.newBuilder().setUsername(username).setPassword("bench password").build());
      for (Terminal terminal : terminals) {
        if (tokens.size() < sessions) {
          tokens.add(users.login(LoginRequest.newBuilder().setUsername(username).setPassword("bench password")
              .setTerminal(terminal).build()).getAccessToken());
        }
      }
    }
    return tokens;
  }

  private static void awaitEvents(ParleyNode node) throws InterruptedException {
    var store = (io.parley.session.CachingSessionStore) node.platform().sessionStore();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!store.isCaching() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }


  static <S extends io.grpc.stub.AbstractStub<S>> S as(S stub, String token) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
