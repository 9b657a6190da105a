package io.parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.parley.common.v1.Terminal;
import io.parley.database.DatabaseSettings;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The Parley a scenario measures. Started: its own redis-server (sessions, caches, live events)
 * and PostgreSQL (the store of record, with synchronous commit as in production), and user, friend
 * and group nodes plus as many message-svc replicas as asked, each a node of the launcher as in
 * production, all in one JVM of their own ({@link ServiceHost}), apart from the bench's clients
 * (with which they share the machine's cores). Or connected: the
 * services of a running deployment named by {@code --target}. Either way users are registered
 * and logged in through user-svc itself, under names unique to the run.
 */
final class Deployment implements AutoCloseable {
  /**
   * A modest production-like PostgreSQL: synchronous commit and fsync stay on (the defaults), with
   * room in shared buffers for the hot part of the history.
   */
  private static final String[] POSTGRES_SETTINGS = {"shared_buffers=512MB", "max_wal_size=4GB"};

  /** A registered, logged-in user. */
  record BenchUser(String id, String token) {}

  /** Null when connected to a running deployment. */
  private final RedisServer redis;
  /** Null when connected to a running deployment. */
  private final PostgresServer postgres;
  /** The services' database; null when connected to a running deployment. */
  final DatabaseSettings database;
  /** The JVM of the services ({@link ServiceHost}); null when connected to a running deployment. */
  private final Process services;
  /** What {@link #services} prints; null when connected to a running deployment. */
  private final BufferedReader servicesOut;
  final String userTarget;
  final String friendTarget;
  final String groupTarget;
  final List<String> messageTargets;
  /** The REST gateway's {@code host:port}, if it was started ({@link #withGateway}). */
  final String gatewayTarget;
  final ManagedChannel userChannel;
  final ManagedChannel friendChannel;
  final ManagedChannel groupChannel;
  /** One shared channel per message-svc replica. */
  final List<ManagedChannel> messageChannels = new ArrayList<>();
  /** The users' own connections to message-svc, made by {@link #messageConnections}. */
  private final List<ManagedChannel> connections = new ArrayList<>();
  /** Makes this run's usernames unique, so that a running deployment can be measured again. */
  private final String runTag = runTag();

  /** Starts a deployment with {@code messageReplicas} message-svc replicas. */
  static Deployment start(int messageReplicas) {
    return new Deployment(messageReplicas, false);
  }

  /** Starts a deployment with {@code messageReplicas} message-svc replicas and the REST gateway. */
  static Deployment withGateway(int messageReplicas) {
    return new Deployment(messageReplicas, true);
  }

  /**
   * The deployment {@code targets} name (user, friend, group and message, as far as given; a
   * missing role's channel is null), or a new one if they name none.
   */
  static Deployment of(Targets targets, int messageReplicas) {
    return targets.isEmpty() ? start(messageReplicas) : new Deployment(targets);
  }

  private Deployment(int messageReplicas, boolean gateway) {
    redis = RedisServer.start();
    PostgresServer started = null;
    DatabaseSettings db = null;
    try {
      started = PostgresServer.start(POSTGRES_SETTINGS);
      db = started.createDatabase().withMaxPoolSize(16);
    } catch (RuntimeException e) {
      redis.close();
      if (started != null) {
        started.close();
      }
      throw e;
    }
    postgres = started;
    database = db;
    Map<String, String> ready;
    try {
      services = startServices(messageReplicas, gateway);
      servicesOut = new BufferedReader(new InputStreamReader(services.getInputStream(), StandardCharsets.UTF_8));
      ready = awaitReady(services, servicesOut);
    } catch (IOException | RuntimeException e) {
      close();
      throw new IllegalStateException("the services did not start: " + e.getMessage(), e);
    }
    userTarget = ready.get("user");
    friendTarget = ready.get("friend");
    groupTarget = ready.get("group");
    messageTargets = List.of(ready.get("message").split(","));
    gatewayTarget = gateway ? "127.0.0.1:" + ready.get("gateway") : null;
    userChannel = channel(userTarget);
    friendChannel = channel(friendTarget);
    groupChannel = channel(groupTarget);
    messageTargets.forEach(t -> messageChannels.add(channel(t)));
  }

  /**
   * Starts {@link ServiceHost} in a JVM of its own, on this JVM's classpath, and hands it its
   * settings (with the signing key and the database password) on its standard input.
   */
  private Process startServices(int messageReplicas, boolean gateway) throws IOException {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ServiceHost.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    // A line per login of thousands of bench users is noise; warnings and errors still show.
    builder.environment().putIfAbsent("PARLEY_LOG_LEVEL", "WARN");
    Process process = builder.start();
    StringBuilder settings = new StringBuilder()
        .append("secret=").append(Base64.getEncoder().encodeToString(secret)).append('\n')
        .append("redis=").append(redis.url()).append('\n')
        .append("database=postgresql://").append(database.user()).append('@')
        .append(database.jdbcUrl().substring("jdbc:postgresql://".length())).append('\n')
        .append("message-replicas=").append(messageReplicas).append('\n')
        .append("gateway=").append(gateway).append('\n');
    if (database.password() != null) {
      settings.append("database-password=").append(database.password()).append('\n');
    }
    OutputStream in = process.getOutputStream();
    in.write(settings.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    in.flush();
    return process;
  }

  /** The addresses the host prints once its nodes serve; fails if it exits or takes too long first. */
  private static Map<String, String> awaitReady(Process process, BufferedReader out) {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        String read;
        while ((read = out.readLine()) != null) {
          if (read.startsWith(ServiceHost.READY)) {
            return read.substring(ServiceHost.READY.length());
          }
        }
        throw new IllegalStateException("the service host exited before it was ready (its errors are above)");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String ready;
    try {
      ready = line.get(ServiceHost.START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the services started", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("not ready after " + ServiceHost.START_TIMEOUT, e);
    }
    Map<String, String> addresses = new HashMap<>();
    for (String entry : ready.split(" ")) {
      int eq = entry.indexOf('=');
      addresses.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return addresses;
  }

  private Deployment(Targets targets) {
    redis = null;
    postgres = null;
    database = null;
    services = null;
    servicesOut = null;
    gatewayTarget = null;
    userTarget = first(targets, "user");
    friendTarget = first(targets, "friend");
    groupTarget = first(targets, "group");
    messageTargets = targets.addresses().getOrDefault("message", List.of());
    try {
      userChannel = userTarget == null ? null : channel(userTarget);
      friendChannel = friendTarget == null ? null : channel(friendTarget);
      groupChannel = groupTarget == null ? null : channel(groupTarget);
      messageTargets.forEach(t -> messageChannels.add(channel(t)));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Four random base-36 characters for the names of what a run creates, so that runs against the
   * same deployment or store, one after the other or at once, do not meet.
   */
  static String runTag() {
    return Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
  }

  private static String first(Targets targets, String role) {
    List<String> list = targets.addresses().get(role);
    return list == null ? null : list.get(0);
  }

  /** The started deployment's Redis. */
  String redisUrl() {
    if (!isLocal()) {
      throw new IllegalStateException("a running deployment's Redis is not known to the bench");
    }
    return redis.url();
  }

  /** Keys in the started deployment's Redis ({@code DBSIZE}). */
  long redisKeys() {
    try (redis.clients.jedis.Jedis jedis = redis.connect()) {
      return jedis.dbSize();
    }
  }

  /**
   * How long the nodes the bench starts keep live events for streams to resume (2 minutes by
   * default): short, so that the history scenario sees Redis hold nothing of the sends soon after.
   */
  static final Duration RESUME_WINDOW = Duration.ofSeconds(5);

  /** Whether this deployment was started by the bench. */
  boolean isLocal() {
    return redis != null;
  }

  /**
   * A client channel for the bench's loads: callbacks run on the transport thread (the bench's
   * callbacks only count and record), which spares the client a thread hop per call and per event.
   */
  static ManagedChannel channel(String address) {
    return NettyChannelBuilder.forAddress(Targets.host(address), Targets.port(address))
        .usePlaintext().directExecutor().build();
  }

  /**
   * One connection to message-svc per user, round-robin over the replicas, as each user's device
   * would hold: its Subscribe stream and its sends share it, and its token is sent in full once,
   * then indexed by HPACK, as in production. (Many users' calls multiplexed on one shared channel
   * would each carry a different token, which HPACK's 4 KiB table cannot keep: every call would
   * re-encode a few hundred bytes of header that no real client sends.)
   */
  List<ManagedChannel> messageConnections(List<BenchUser> users) {
    List<ManagedChannel> result = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      ManagedChannel channel = channel(messageTargets.get(i % messageTargets.size()));
      connections.add(channel);
      result.add(channel);
    }
    return result;
  }

  /** Registers and logs in {@code count} users named {@code <prefix><run tag>00000…}, on a few threads. */
  List<BenchUser> users(String prefix, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<BenchUser>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String username = String.format("%s%s%05d", prefix, runTag, i);
        futures.add(pool.submit(() -> {
          UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(userChannel);
          stub.register(RegisterRequest.newBuilder().setUsername(username).setPassword("bench password").build());
          LoginResponse login = stub.login(LoginRequest.newBuilder().setUsername(username)
              .setPassword("bench password").setTerminal(Terminal.WEB).build());
          return new BenchUser(login.getUser().getUserId(), login.getAccessToken());
        }));
      }
      List<BenchUser> result = new ArrayList<>();
      for (Future<BenchUser> future : futures) {
        result.add(future.get());
      }
      return result;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Makes {@code a} and {@code b} friends through friend-svc: {@code b} asks, {@code a} accepts, so
   * that a user befriended by many accepts many requests but sends none (friend requests are
   * rate-limited per sender; accepting is not).
   */
  void befriend(BenchUser a, BenchUser b) {
    String request = RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), b.token())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(a.id()).build()).getRequestId();
    RevocationScenario.as(FriendServiceGrpc.newBlockingStub(friendChannel), a.token())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request).build());
  }

  /**
   * The time the services' JIT compilers have taken so far, in milliseconds; -1 when connected to a
   * running deployment, or where the services' JVM does not measure it.
   */
  synchronized long servicesCompilationMillis() {
    if (services == null) {
      return -1;
    }
    try {
      OutputStream in = services.getOutputStream();
      in.write((ServiceHost.COMPILATION + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      // The JVM prints its own warnings to standard output too: pass them on.
      String answer;
      while ((answer = servicesOut.readLine()) != null && !answer.startsWith(ServiceHost.COMPILATION + " ")) {
        System.err.println(answer);
      }
      if (answer == null) {
        throw new IllegalStateException("the service host exited before it said how long it compiled");
      }
      return Long.parseLong(answer.substring(ServiceHost.COMPILATION.length() + 1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How a warm-up went: how long it took, and the share of a core the services' JIT took in its last slice. */
  record WarmUp(Duration took, double compilerShare) {
    @Override
    public String toString() {
      return Double.isNaN(compilerShare)
          ? "%.0f s".formatted(took.toMillis() / 1000.0)
          : "%.0f s, the services' JIT compiler at %.1f%% of a core in its last %d s".formatted(
              took.toMillis() / 1000.0, 100 * compilerShare, JIT_CHECK.toSeconds());
    }
  }

  /** How long a slice of warm-up is, over which the services' JIT compiler is watched. */
  static final Duration JIT_CHECK = Duration.ofSeconds(5);
  /** The share of one core the services' JIT compiler may still take when a warm-up ends. */
  static final double QUIET_COMPILER = 0.05;
  /**
   * Warms the services up with {@code load} (which runs the scenario's load, unmeasured, for the
   * duration it is given): for {@code asked}, and then on, a {@link #JIT_CHECK} at a time, for as
   * long as the services' JIT compilers took more than {@link #QUIET_COMPILER} of a core over the
   * last one, at most {@code jitWait} more. The services run for days in production: a
   * measurement of the minute in which their code is still being compiled (on two slow cores, the
   * compilers took 28 % of the services' CPU samples 36-56 s after their start) measures the
   * compiler, not the services. With a running deployment ({@code --target}), or a zero {@code
   * jitWait}, just {@code asked}.
   */
  WarmUp warmUp(Duration asked, Duration jitWait, Consumer<Duration> load) {
    return warmUp(asked, jitWait, load, this::servicesCompilationMillis, System::nanoTime);
  }

  /** {@link #warmUp(Duration, Duration, Consumer)} with the compilers' time and the clock given. */
  static WarmUp warmUp(Duration asked, Duration jitWait, Consumer<Duration> load, LongSupplier compiledMillis,
      LongSupplier nanoTime) {
    long start = nanoTime.getAsLong();
    if (jitWait.isZero() || compiledMillis.getAsLong() < 0) {
      load.accept(asked);
      return new WarmUp(Duration.ofNanos(nanoTime.getAsLong() - start), Double.NaN);
    }
    if (asked.compareTo(JIT_CHECK) > 0) {
      load.accept(asked.minus(JIT_CHECK));
    }
    long deadline = start + asked.toNanos() + jitWait.toNanos();
    double share;
    long now;
    do {
      long compiled = compiledMillis.getAsLong();
      long sliceStart = nanoTime.getAsLong();
      load.accept(JIT_CHECK);
      now = nanoTime.getAsLong();
      share = (compiledMillis.getAsLong() - compiled) / ((now - sliceStart) / 1e6);
    } while (share > QUIET_COMPILER && now < deadline);
    return new WarmUp(Duration.ofNanos(now - start), share);
  }

  /** Closes the host's input, which stops it (calls in flight are finished first), and waits for it. */
  private void stopServices() {
    try {
      services.getOutputStream().close();
      if (!services.waitFor(30, TimeUnit.SECONDS)) {
        services.destroyForcibly().waitFor();
      }
    } catch (IOException e) {
      services.destroyForcibly();
    } catch (InterruptedException e) {
      services.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    for (ManagedChannel channel : new ManagedChannel[] {userChannel, friendChannel, groupChannel}) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    messageChannels.forEach(ManagedChannel::shutdownNow);
    connections.forEach(ManagedChannel::shutdownNow);
    if (services != null) {
      stopServices();
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
