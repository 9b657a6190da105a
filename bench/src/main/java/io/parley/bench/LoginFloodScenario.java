package io.parley.bench;

import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.launcher.NodeConfig;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.server.ClientAddresses;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * GetMe at a steady rate ({@code --rate}, 200/s by default) on a user-svc with production password
 * hashing (Argon2id, 19 MiB, 2 passes), alone and during a flood of wrong-password logins
 * ({@code --scale} per second, 500 by default, far more than the hashing threads can check) from
 * many client addresses (random ones of 198.18.0.0/15, forwarded in {@code x-forwarded-for} as a
 * trusted proxy would, so that no per-address limit stops them). The two loads alternate in rounds
 * (alone, flood, flood, alone), each half the measured time, and the flood drains before GetMe
 * runs alone again. Target: GetMe p99 during the flood ≤ 2 × its p99 without.
 *
 * <p>The flood logins should be checked at about the hashing threads' pace and the rest refused at
 * once with PASSWORD_HASHING_BUSY; the report counts each outcome.
 */
final class LoginFloodScenario implements Scenario {
  private static final int FLOOD_CONNECTIONS = 4;
  private static final int MAX_FLOOD_IN_FLIGHT = 4096;
  private static final String PASSWORD = "bench password";

  @Override
  public String name() {
    return "login-flood";
  }

  @Override
  public String description() {
    return "GetMe at a steady rate alone and during a flood of bad logins from many addresses; "
        + "target GetMe p99 with the flood <= 2 x without";
  }

  @Override
  public void checkTargets(Targets targets) {
    if (!targets.isEmpty()) {
      targets.allowOnly(name(), "user");
      targets.require(name(), "user");
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    if (!options.targets().isEmpty()) {
      return measure(options, options.targets().require(name(), "user"));
    }
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    try (RedisServer redis = RedisServer.start();
        ParleyNode users = ParleyNode.start(NodeConfig.builder(Role.USER, TokenKeys.hmac(secret))
            .host("127.0.0.1").grpcPort(0).store(redis.url()).fastPasswordHashing(false).build())) {
      return measure(options, "127.0.0.1:" + users.grpcPort());
    }
  }

  private Report measure(BenchOptions options, String target) throws Exception {
    int rate = options.rateOr(200);
    int floodRate = options.scaleOr(500);
    ManagedChannel channel = Deployment.channel(target);
    List<ManagedChannel> floodChannels = new ArrayList<>();
    ExecutorService floodThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-login-flood");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < FLOOD_CONNECTIONS; i++) {
        floodChannels.add(Deployment.channel(target));
      }
      String username = "flood" + Deployment.runTag();
      UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(channel);
      users.register(RegisterRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
      LoginResponse login = users.login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
          .setTerminal(Terminal.WEB).build());
      GetMeLoad getMe = new GetMeLoad(RevocationScenario.as(UserServiceGrpc.newStub(channel), login.getAccessToken()));
      Flood flood = new Flood(floodChannels, username);

      // Warm-up: each load as it will run.
      getMe.round(rate, options.warmup());
      Future<?> warming = floodThread.submit(() -> flood.run(floodRate, options.warmup()));
      getMe.round(rate, options.warmup());
      warming.get();
      flood.drain();
      flood.outcomes.clear();

      Histogram alone = new Histogram(3);
      Histogram during = new Histogram(3);
      Duration slice = options.duration().dividedBy(2);
      long floodNanos = 0;
      for (boolean withFlood : new boolean[] {false, true, true, false}) {
        if (!withFlood) {
          alone.add(getMe.round(rate, slice));
          continue;
        }
        long start = System.nanoTime();
        Future<?> running = floodThread.submit(() -> flood.run(floodRate, slice));
        during.add(getMe.round(rate, slice));
        running.get();
        floodNanos += System.nanoTime() - start;
        flood.drain();
      }

      double seconds = slice.toNanos() * 2 / 1e9;
      double floodSeconds = floodNanos / 1e9;
      Measurement quiet = new Measurement("GetMe, no flood", alone.getTotalCount(), seconds, alone);
      Measurement flooded = new Measurement("GetMe, during the login flood", during.getTotalCount(), seconds, during);
      double ratio = flooded.percentileMillis(99) / quiet.percentileMillis(99);
      return new Report(name())
          .measurement(quiet)
          .measurement(flooded)
          .figure("GetMe offered per second", rate)
          .figure("GetMe p99 without the flood (ms)", quiet.percentileMillis(99))
          .figure("GetMe p99 during the flood (ms)", flooded.percentileMillis(99))
          .figure("p99 during / without", ratio)
          .figure("GetMe failures", getMe.failures.sum())
          .figure("flood logins offered per second", floodRate)
          .figure("flood logins checked per second", flood.count(ErrorReason.INVALID_CREDENTIALS) / floodSeconds)
          .figure("flood logins refused busy per second", flood.count(ErrorReason.PASSWORD_HASHING_BUSY) / floodSeconds)
          .figure("flood logins rate-limited or throttled", flood.count(ErrorReason.RATE_LIMITED)
              + flood.count(ErrorReason.LOGIN_THROTTLED))
          .figure("flood logins failing otherwise", flood.otherOutcomes())
          .figure("flood logins not sent (client window full)", flood.skipped.sum())
          .atMost("GetMe p99 during the flood / without <= 2", ratio, 2.0)
          .note("one user-svc with production Argon2id and the default hashing pool (half the cores), in the "
              + "bench's JVM: the flood's client shares the cores it is measured on");
    } finally {
      floodThread.shutdownNow();
      channel.shutdownNow();
      floodChannels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /** GetMe calls at a steady rate, each round with its own latency record. */
  private static final class GetMeLoad {
    private final UserServiceGrpc.UserServiceStub stub;
    private final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder failures = new LongAdder();

    GetMeLoad(UserServiceGrpc.UserServiceStub stub) {
      this.stub = stub;
    }

    /** Runs GetMe {@code rate} times a second for {@code duration}; returns their latencies, once all answered. */
    Histogram round(int rate, Duration duration) throws InterruptedException {
      Recorder recorder = new Recorder(3);
      Pacer.run(() -> call(recorder), rate, duration);
      awaitZero(inFlight, "GetMe");
      return recorder.getIntervalHistogram();
    }

    private void call(Recorder recorder) {
      long start = System.nanoTime();
      inFlight.incrementAndGet();
      stub.withDeadlineAfter(10, TimeUnit.SECONDS).getMe(GetMeRequest.getDefaultInstance(), new StreamObserver<User>() {
        @Override
        public void onNext(User value) {}

        @Override
        public void onError(Throwable t) {
          failures.increment();
          inFlight.decrementAndGet();
        }

        @Override
        public void onCompleted() {
          recorder.recordValue((System.nanoTime() - start) / 1000);
          inFlight.decrementAndGet();
        }
      });
    }
  }

  /** Wrong-password logins for one user from random addresses, counted by outcome. */
  private static final class Flood {
    private final List<UserServiceGrpc.UserServiceStub> stubs = new ArrayList<>();
    private final LoginRequest wrong;
    private final Semaphore window = new Semaphore(MAX_FLOOD_IN_FLIGHT);
    private final AtomicLong sent = new AtomicLong();
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final LongAdder skipped = new LongAdder();

    Flood(List<ManagedChannel> channels, String username) {
      channels.forEach(c -> stubs.add(UserServiceGrpc.newStub(c)));
      this.wrong = LoginRequest.newBuilder().setUsername(username).setPassword("not the password")
          .setTerminal(Terminal.WEB).build();
    }

    void run(int rate, Duration duration) {
      Pacer.run(this::loginOnce, rate, duration);
    }

    private void loginOnce() {
      if (!window.tryAcquire()) {
        skipped.increment();
        return;
      }
      long n = sent.getAndIncrement();
      Metadata headers = new Metadata();
      int host = ThreadLocalRandom.current().nextInt(1 << 17);
      headers.put(ClientAddresses.X_FORWARDED_FOR, "198." + (18 + (host >> 16)) + "." + ((host >> 8) & 0xff) + "."
          + (host & 0xff));
      stubs.get((int) (n % stubs.size()))
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .login(wrong, new StreamObserver<LoginResponse>() {
            @Override
            public void onNext(LoginResponse value) {}

            @Override
            public void onError(Throwable t) {
              outcomes.computeIfAbsent(reason(t), k -> new LongAdder()).increment();
              window.release();
            }

            @Override
            public void onCompleted() {
              outcomes.computeIfAbsent("OK", k -> new LongAdder()).increment();
              window.release();
            }
          });
    }

    long count(ErrorReason reason) {
      LongAdder adder = outcomes.get(reason.name());
      return adder == null ? 0 : adder.sum();
    }

    long otherOutcomes() {
      long known = count(ErrorReason.INVALID_CREDENTIALS) + count(ErrorReason.PASSWORD_HASHING_BUSY)
          + count(ErrorReason.RATE_LIMITED) + count(ErrorReason.LOGIN_THROTTLED);
      return outcomes.values().stream().mapToLong(LongAdder::sum).sum() - known;
    }

    /** Waits until every flood call has its answer, so that no queued hashing spills into the next round. */
    void drain() throws InterruptedException {
      window.acquire(MAX_FLOOD_IN_FLIGHT);
      window.release(MAX_FLOOD_IN_FLIGHT);
    }

    private static String reason(Throwable t) {
      com.google.rpc.Status status = StatusProto.fromThrowable(t);
      if (status != null) {
        for (com.google.protobuf.Any any : status.getDetailsList()) {
          if (any.is(ErrorInfo.class)) {
            try {
              return any.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              break;
            }
          }
        }
      }
      return Status.fromThrowable(t).getCode().name();
    }
  }

  private static void awaitZero(AtomicInteger counter, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (counter.get() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(counter.get() + " " + what + " calls still unanswered after 15 s");
      }
      Thread.sleep(5);
    }
  }
}
