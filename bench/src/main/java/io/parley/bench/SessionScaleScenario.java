package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.bench.v1.EchoRequest;
import io.parley.bench.v1.EchoResponse;
import io.parley.bench.v1.EchoServiceGrpc;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.session.CachingSessionStore;
import io.parley.session.SessionServerInterceptor;
import io.parley.testing.RedisServer;
import io.parley.testing.RedisStats;
import io.parley.testing.TestSessions;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sessions at a realistic scale: 100,000 sessions (--scale) over two replicas of one Parley server
 * on one Redis, each session calling on average once every 30 s (--rate sets the total instead:
 * --scale / 30 a second by default), with Poisson arrivals (the sum of the sessions' independent
 * Poisson streams is one Poisson stream; each arrival picks a session and a replica at random).
 *
 * <p>Before the load, each replica meets every session once, as replicas that have been up longer
 * than the sessions' call interval have; that also gives each replica's heap per cached session
 * (session cache and token cache, the used heap after a full collection before and after). Then the
 * load runs --warmup unmeasured and --duration measured. Targets, over the measured window: Redis
 * commands per session check ≤ 0.05, counted on the redis-server (INFO commandstats, without INFO
 * and PING; PINGs are reported apart), and a session check's p99 ≤ 1 ms, timed on the servers
 * around the session interceptor (token verification and session lookup). In a redis-server of
 * its own, or the one --target redis= names (whose other clients' commands then count too).
 */
final class SessionScaleScenario implements Scenario {
  private static final Metadata.Key<String> AUTHORIZATION = SessionServerInterceptor.AUTHORIZATION;
  /** Calls in flight at most while the replicas first meet the sessions. */
  private static final int PRIMING_CALLS = 64;

  @Override
  public String name() {
    return "session-scale";
  }

  @Override
  public String description() {
    return "100,000 sessions over two replicas, each calling every 30 s on average (Poisson); targets: Redis "
        + "commands per session check <= 0.05, session-check p99 <= 1 ms; reports heap per cached session";
  }

  @Override
  public void checkTargets(Targets targets) {
    targets.allowOnly(name(), "redis");
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int sessions = options.scaleOr(100_000);
    double perSecond = options.rate() > 0 ? options.rate() : sessions / 30.0;
    List<String> given = options.targets().addresses().get("redis");
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    TokenKeys keys = TokenKeys.hmac(secret);
    try (RedisServer own = given == null ? RedisServer.start() : null) {
      String storeUrl = own != null ? own.url() : given.get(0);
      try (Replica a = new Replica(storeUrl, keys, sessions); Replica b = new Replica(storeUrl, keys, sessions);
          RedisStats stats = new RedisStats(storeUrl)) {
        a.awaitCaching();
        b.awaitCaching();
        List<String> authorizations = open(a.platform, sessions);
        long base = usedHeapAfterGc();
        a.meet(authorizations);
        long afterA = usedHeapAfterGc();
        b.meet(authorizations);
        long afterB = usedHeapAfterGc();

        PoissonLoad.Call echo = echoOnAny(List.of(a, b), authorizations);
        String name = "Echo over two replicas, end to end";
        PoissonLoad.run(name, echo, perSecond, options.warmup());
        a.checks.reset();
        b.checks.reset();
        long commandsBefore = stats.totalCommands();
        long pingsBefore = stats.commandCount("ping");
        PoissonLoad.Result load = PoissonLoad.run(name, echo, perSecond, options.duration());
        long commands = stats.totalCommands() - commandsBefore;
        long pings = stats.commandCount("ping") - pingsBefore;
        Histogram checks = a.checks.getIntervalHistogram();
        checks.add(b.checks.getIntervalHistogram());

        double perCheck = commands / (double) Math.max(1, checks.getTotalCount());
        double checkP99 = checks.getValueAtPercentile(99) / 1e6;
        Report report = new Report(name());
        if (own == null) {
          report.note("counted on the Redis --target names: every other client's commands in the window count too");
        }
        return report
            .measurement(load.measurement())
            .figure("sessions", sessions)
            .figure("calls per second offered", perSecond)
            .figure("calls in the window", load.offered())
            .figure("failed calls", load.failed())
            .figure("session checks in the window", checks.getTotalCount())
            .figure("Redis commands in the window", commands)
            .figure("Redis commands per session check", perCheck)
            .figure("PINGs in the window (not counted above)", pings)
            .figure("session check p50 (ms)", checks.getValueAtPercentile(50) / 1e6)
            .figure("session check p99 (ms)", checkP99)
            .figure("session check p99.9 (ms)", checks.getValueAtPercentile(99.9) / 1e6)
            .figure("sessions cached, replica A", a.cache().cachedCount())
            .figure("sessions cached, replica B", b.cache().cachedCount())
            .figure("heap per cached session, replica A (bytes)", (afterA - base) / (double) a.cache().cachedCount())
            .figure("heap per cached session, replica B (bytes)", (afterB - afterA) / (double) b.cache().cachedCount())
            .atMost("Redis commands per session check <= 0.05", perCheck, 0.05)
            .atMost("session check p99 (ms) <= 1", checkP99, 1)
            .note("each replica met every session once before the warm-up, as replicas up for longer than the "
                + "sessions' call interval have; heap per cached session counts the session and token caches");
      }
    }
  }

  /** Opens {@code count} sessions, each a user of its own, on a few threads; returns their authorization values. */
  private static List<String> open(Platform platform, int count) throws Exception {
    String runTag = Deployment.runTag();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String user = String.format("scale%s%06d", runTag, i);
        int n = i;
        futures.add(pool.submit(() -> "Bearer " + TestSessions.token(platform, user, Ids.newSessionId(), Terminal.WEB,
            Map.of("username", user, "nickname", "Scale " + n, "avatar_url", "", "roles", "user"))));
      }
      List<String> authorizations = new ArrayList<>(count);
      for (Future<String> future : futures) {
        authorizations.add(future.get());
      }
      return authorizations;
    } finally {
      pool.shutdown();
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void call(Replica replica, String authorization, StreamObserver<EchoResponse> observer) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, authorization);
    EchoServiceGrpc.newStub(replica.channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .echo(EchoRequest.newBuilder().setText("ping").build(), observer);
  }

  /**
   * One replica: a platform on the shared Redis and a server with the echo service behind the real
   * session interceptor, timed (in nanoseconds) around it.
   */
  private static final class Replica implements AutoCloseable {
    final Platform platform;
    final ParleyServer server;
    final ManagedChannel channel;
    final Recorder checks = new Recorder(3);

    Replica(String storeUrl, TokenKeys keys, int sessions) {
      platform = Platform.builder(keys).store(storeUrl).sessionCacheSize(Math.max(250_000, sessions)).build();
      SessionServerInterceptor sessionCheck = platform.sessionInterceptor();
      server = ParleyServer.builder().host("127.0.0.1").port(0).withoutSessions()
          .intercept(new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
              long start = System.nanoTime();
              try {
                return sessionCheck.interceptCall(call, headers, next);
              } finally {
                checks.recordValue(System.nanoTime() - start);
              }
            }
          })
          .addService(new EchoServiceImpl())
          .build()
          .start();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().directExecutor().build();
    }

    CachingSessionStore cache() {
      return (CachingSessionStore) platform.sessionStore();
    }

    void awaitCaching() throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!cache().isCaching() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    /** Calls once with every session, a few calls at a time. */
    void meet(List<String> authorizations) throws InterruptedException {
      Semaphore inFlight = new Semaphore(PRIMING_CALLS);
      for (String authorization : authorizations) {
        inFlight.acquire();
        call(this, authorization, new Completion(() -> inFlight.release()));
      }
      inFlight.acquire(PRIMING_CALLS);
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
      platform.close();
    }
  }

  /** One Echo call for the open-loop load: a random session on a random replica. */
  private static PoissonLoad.Call echoOnAny(List<Replica> replicas, List<String> authorizations) {
    return () -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      Replica replica = replicas.get(random.nextInt(replicas.size()));
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, authorizations.get(random.nextInt(authorizations.size())));
      return EchoServiceGrpc.newFutureStub(replica.channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .echo(EchoRequest.newBuilder().setText("ping").build());
    };
  }

  /** Runs an action when a call completes, successfully or not. */
  private static class Completion implements StreamObserver<EchoResponse> {
    private final Runnable done;

    Completion(Runnable done) {
      this.done = done;
    }

    @Override
    public void onNext(EchoResponse value) {}

    @Override
    public void onError(Throwable t) {
      done.run();
    }

    @Override
    public void onCompleted() {
      done.run();
    }
  }
}
