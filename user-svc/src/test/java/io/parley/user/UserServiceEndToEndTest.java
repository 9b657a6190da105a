package io.parley.user;

import static io.parley.user.RpcErrors.assertFails;
import static io.parley.user.RpcErrors.assertInvalid;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.parley.auth.TokenKeys;
import io.parley.client.BearerTokenCredentials;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.ratelimit.RateLimit;
import io.parley.server.ClientAddresses;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.session.CachingSessionStore;
import io.parley.session.SessionPolicy;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.ChangePasswordRequest;
import io.parley.user.v1.ChangePasswordResponse;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.ListSessionsRequest;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.LogoutRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.SessionInfo;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import io.parley.user.v1.UserServiceGrpc.UserServiceBlockingStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Two user-svc replicas, each with its own {@link Platform} and server on a real port, sharing one
 * real (persistent) redis-server for sessions and one real PostgreSQL for accounts, as in a
 * distributed deployment. The PostgreSQL server is this class's own, since a test kills it.
 */
class UserServiceEndToEndTest {
  private static final byte[] SECRET = "end-to-end-secret-0123456789abcdef".getBytes(UTF_8);
  private static final String PASSWORD = "correct horse battery";

  private static RedisServer redis;
  private static PostgresServer postgres;
  private static DatabaseSettings database;
  private final List<Replica> replicas = new ArrayList<>();

  @BeforeAll
  static void startServers() {
    redis = RedisServer.builder().persistent().start();
    postgres = PostgresServer.start();
    database = postgres.createDatabase().withConnectTimeout(Duration.ofSeconds(1));
  }

  @AfterAll
  static void stopServers() {
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void stopReplicas() {
    replicas.forEach(Replica::close);
    replicas.clear();
    if (!redis.isRunning()) {
      redis.restart();
    }
    if (!postgres.isRunning()) {
      postgres.restart();
    }
  }

  private Replica replica() {
    return replica(SessionPolicy.defaults());
  }

  private Replica replica(SessionPolicy policy) {
    return replica(policy, UserSettings.forTests());
  }

  private Replica replica(SessionPolicy policy, UserSettings settings) {
    Replica replica = Replica.start(redis.url(), policy, settings, database);
    replicas.add(replica);
    return replica;
  }

  private static String newUsername() {
    return "e2e_" + Ids.newId("t");
  }

  private static User register(Replica replica, String username) {
    return replica.stub().register(RegisterRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build()).getUser();
  }

  private static LoginResponse login(Replica replica, String username, Terminal terminal) {
    return replica.stub().login(LoginRequest.newBuilder()
        .setUsername(username).setPassword(PASSWORD).setTerminal(terminal).setDeviceName("e2e").build());
  }

  private static User getMe(Replica replica, LoginResponse login) {
    return replica.as(login).getMe(GetMeRequest.getDefaultInstance());
  }

  /** Calls {@code call} until it fails with {@code reason}; returns how long that took from now. */
  private static Duration timeUntilRejected(Supplier<?> call, ErrorReason reason, Duration limit) {
    long start = System.nanoTime();
    while (System.nanoTime() - start < limit.toNanos()) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::get);
      if (e != null) {
        assertThat(RpcErrors.reason(e)).isEqualTo(reason.name());
        return Duration.ofNanos(System.nanoTime() - start);
      }
    }
    throw new AssertionError("still accepted after " + limit);
  }

  @Test
  void aSessionOpenedOnOneReplicaWorksOnTheOther() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    User user = register(a, username);

    LoginResponse login = login(a, username, Terminal.WEB);

    assertThat(getMe(b, login)).isEqualTo(user);
    assertThat(b.as(login).listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
        .extracting(SessionInfo::getSessionId).containsExactly(login.getSession().getSessionId());
    try (Jedis jedis = redis.connect()) {
      // Redis holds the sessions, and nothing of the account.
      assertThat(jedis.keys("*")).isNotEmpty().allMatch(key -> key.startsWith("parley:sess:"));
    }
  }

  @Test
  void aRedisFlushLogsNobodyInAgainButLosesNoAccountOrPassword() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    User user = register(a, username);
    LoginResponse first = login(a, username, Terminal.WEB);
    a.as(first).changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword(PASSWORD).setNewPassword("a new password").build());

    try (Jedis jedis = redis.connect()) {
      jedis.flushAll();
    }

    LoginResponse again = b.stub().login(LoginRequest.newBuilder()
        .setUsername(username).setPassword("a new password").setTerminal(Terminal.WEB).build());
    assertThat(again.getUser()).isEqualTo(user);
    assertThat(getMe(a, again)).isEqualTo(user);
    assertFails(() -> login(a, username, Terminal.MOBILE), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
  }

  @Test
  void concurrentRegistrationsOfOneUsernameOnTwoReplicasLetExactlyOneWin() throws Exception {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    List<Callable<Object>> registrations = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Replica replica = i % 2 == 0 ? a : b;
      RegisterRequest request = RegisterRequest.newBuilder()
          .setUsername(username).setPassword(PASSWORD).setNickname("Candidate " + i).build();
      registrations.add(() -> replica.stub().register(request).getUser());
    }

    List<Object> outcomes = race(registrations);

    assertThat(outcomes).filteredOn(User.class::isInstance).hasSize(1);
    assertThat(outcomes).filteredOn(ErrorReason.USERNAME_TAKEN.name()::equals).hasSize(7);
    assertThat(login(b, username, Terminal.WEB).getUser()).isIn(outcomes);
  }

  @Test
  void ofTwoConcurrentPasswordChangesFromTheSamePasswordOnTwoReplicasOneWins() throws Exception {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    register(a, username);
    LoginResponse web = login(a, username, Terminal.WEB);
    LoginResponse mobile = login(b, username, Terminal.MOBILE);

    List<Object> outcomes = race(List.of(
        () -> a.as(web).changePassword(ChangePasswordRequest.newBuilder()
            .setOldPassword(PASSWORD).setNewPassword("first new password").build()),
        () -> b.as(mobile).changePassword(ChangePasswordRequest.newBuilder()
            .setOldPassword(PASSWORD).setNewPassword("second new password").build())));

    assertThat(outcomes).filteredOn(ChangePasswordResponse.class::isInstance).hasSize(1);
    assertThat(outcomes).filteredOn(String.class::isInstance).singleElement().isIn(ErrorReason.ABORTED.name(),
        ErrorReason.PASSWORD_INCORRECT.name(), ErrorReason.SESSION_REVOKED.name());
    boolean firstWon = outcomes.get(0) instanceof ChangePasswordResponse;
    LoginRequest.Builder attempt = LoginRequest.newBuilder().setUsername(username).setTerminal(Terminal.DESKTOP);
    String winner = firstWon ? "first new password" : "second new password";
    String loser = firstWon ? "second new password" : "first new password";
    assertThat(a.stub().login(attempt.setPassword(winner).build()).getUser().getUsername()).isEqualTo(username);
    assertFails(() -> b.stub().login(attempt.setPassword(loser).build()),
        Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
  }

  /** Runs {@code calls} at once; returns each one's answer, or the error reason it failed with. */
  private static List<Object> race(List<Callable<Object>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Object>> futures = new ArrayList<>();
      for (Callable<Object> call : calls) {
        futures.add(pool.submit(() -> {
          start.await();
          try {
            return call.call();
          } catch (StatusRuntimeException e) {
            return RpcErrors.reason(e);
          }
        }));
      }
      start.countDown();
      List<Object> outcomes = new ArrayList<>();
      for (Future<Object> future : futures) {
        outcomes.add(future.get(30, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withTheDatabaseDownAccountCallsFailUnavailableAndWorkAgainOnceItIsBack() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    User user = register(a, username);
    LoginResponse login = login(a, username, Terminal.WEB);

    postgres.kill();

    assertFails(() -> getMe(b, login), Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
    assertFails(() -> register(a, newUsername()), Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
    assertFails(() -> login(b, username, Terminal.MOBILE), Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);

    postgres.restart();

    // Each replica's pool finds the server again by itself, each at its own pace.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .untilAsserted(() -> assertThat(getMe(b, login)).isEqualTo(user));
    await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .untilAsserted(() -> assertThat(login(a, username, Terminal.MOBILE).getUser()).isEqualTo(user));
  }

  @Test
  void logoutOnOneReplicaIsRejectedOnTheOtherWithin100Ms() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    register(a, username);
    LoginResponse login = login(a, username, Terminal.WEB);
    getMe(b, login);
    getMe(b, login);

    a.as(login).logout(LogoutRequest.getDefaultInstance());

    Duration rejectedAfter = timeUntilRejected(() -> getMe(b, login), ErrorReason.SESSION_REVOKED, Duration.ofSeconds(2));
    assertThat(rejectedAfter).isLessThan(Duration.ofMillis(100));
  }

  @Test
  void aSecondLoginOnTheSameTerminalThroughOneReplicaKicksTheFirstSessionOnTheOther() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    register(a, username);
    LoginResponse first = login(a, username, Terminal.WEB);
    getMe(a, first);

    LoginResponse second = login(b, username, Terminal.WEB);

    Duration rejectedAfter = timeUntilRejected(() -> getMe(a, first), ErrorReason.SESSION_KICKED, Duration.ofSeconds(2));
    assertThat(rejectedAfter).isLessThan(Duration.ofMillis(100));
    assertThat(getMe(a, second).getUsername()).isEqualTo(username);
  }

  @Test
  void loginFailuresCountAcrossReplicas() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    register(a, username);
    LoginRequest wrong = LoginRequest.newBuilder()
        .setUsername(username).setPassword("wrong password").setTerminal(Terminal.WEB).build();
    for (int i = 0; i < 5; i++) {
      Replica replica = i % 2 == 0 ? a : b;
      assertFails(() -> replica.stub().login(wrong), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }

    assertFails(() -> login(b, username, Terminal.WEB), Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertFails(() -> login(a, username.toUpperCase(Locale.ROOT), Terminal.WEB),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    // From another address, forwarded by a proxy on loopback, the owner is not held up.
    assertThat(a.from("198.51.100.7").login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
        .setTerminal(Terminal.WEB).build()).getUser().getUsername()).isEqualTo(username);
  }

  @Test
  void aLongNonAsciiAvatarUrlAndDeviceNameDoNotMakeLoginFailInternal() {
    Replica a = replica();
    String username = (newUsername() + "_".repeat(32)).substring(0, 32);
    register(a, username);
    LoginResponse first = login(a, username, Terminal.WEB);
    // What broke: an avatar URL of 492 three-byte characters was accepted, and with 64 emoji as the
    // device name the session record outgrew the Redis store's limit: Login failed INTERNAL.
    String brokeLogin = "https://example.com/" + "\u982d".repeat(492);
    assertInvalid(() -> a.as(first).updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl(brokeLogin).build()),
        "avatar_url");

    // Every field of the session record at its byte limit, in 4-byte characters where they may be.
    String avatarUrl = "https://example.com/" + "%E9%A0%AD".repeat(54) + "abcdef";
    assertThat(avatarUrl).hasSize(UserFields.AVATAR_URL_MAX_BYTES);
    String nickname = "\ud83d\ude00".repeat(UserFields.NICKNAME.maxChars());
    String deviceName = "\ud83d\ude00".repeat(UserFields.DEVICE_NAME.maxChars());
    a.as(first).updateProfile(UpdateProfileRequest.newBuilder().setNickname(nickname).setAvatarUrl(avatarUrl).build());
    LoginResponse second = a.stub().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
        .setTerminal(Terminal.MOBILE).setDeviceName(deviceName).build());

    assertThat(getMe(a, second).getAvatarUrl()).isEqualTo(avatarUrl);
    assertThat(second.getSession().getDeviceName()).isEqualTo(deviceName);
    // A profile change rewrites the attributes of every session: they fit as well.
    a.as(second).updateProfile(UpdateProfileRequest.newBuilder().setNickname(nickname.substring(2) + "!").build());
    assertThat(getMe(a, first).getNickname()).isEqualTo(nickname.substring(2) + "!");
  }

  @Test
  void loginRateLimitsHoldAcrossReplicas() {
    UserSettings limited = UserSettings.forTests().withLoginLimit(RateLimit.parse("user.login", "3/1m"));
    Replica a = replica(SessionPolicy.defaults(), limited);
    Replica b = replica(SessionPolicy.defaults(), limited);
    String username = newUsername();
    register(a, username);
    login(a, username, Terminal.WEB);
    login(b, username, Terminal.WEB);
    login(a, username, Terminal.WEB);

    StatusRuntimeException limitedCall = assertFails(() -> login(b, username, Terminal.WEB),
        Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(RpcErrors.retryDelay(limitedCall)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
    assertThat(b.from("198.51.100.7").login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
        .setTerminal(Terminal.WEB).build()).getUser().getUsername()).isEqualTo(username);
  }

  @Test
  void accountsAndSessionsSurviveARestartOfBothReplicas() {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    User user = register(a, username);
    LoginResponse login = login(b, username, Terminal.WEB);
    getMe(a, login);

    a.close();
    b.close();
    replicas.clear();
    Replica a2 = replica();
    Replica b2 = replica();

    assertThat(getMe(a2, login)).isEqualTo(user);
    assertThat(getMe(b2, login)).isEqualTo(user);
    LoginResponse again = login(b2, username, Terminal.MOBILE);
    assertThat(a2.as(again).listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
        .extracting(SessionInfo::getSessionId)
        .containsExactly(again.getSession().getSessionId(), login.getSession().getSessionId());
  }

  @Test
  void anIdleSessionExpiresWhileOneInUseStaysAlive() throws InterruptedException {
    SessionPolicy shortIdle = SessionPolicy.defaults().withMaxInactive(Duration.ofSeconds(2));
    Replica a = replica(shortIdle);
    Replica b = replica(shortIdle);
    String username = newUsername();
    register(a, username);
    LoginResponse busy = login(a, username, Terminal.WEB);
    LoginResponse idle = login(a, username, Terminal.MOBILE);
    getMe(b, idle);

    long end = System.nanoTime() + Duration.ofMillis(2600).toNanos();
    int calls = 0;
    while (System.nanoTime() < end) {
      getMe(calls % 2 == 0 ? a : b, busy);
      calls++;
      TimeUnit.MILLISECONDS.sleep(200);
    }

    assertFails(() -> getMe(b, idle), Code.UNAUTHENTICATED, ErrorReason.SESSION_EXPIRED);
    assertFails(() -> getMe(a, idle), Code.UNAUTHENTICATED, ErrorReason.SESSION_EXPIRED);
    assertThat(getMe(b, busy).getUsername()).isEqualTo(username);
    assertThat(getMe(a, busy).getUsername()).isEqualTo(username);
  }

  @Test
  void withRedisDownCallsFailUnavailableQuicklyAndWithRedisBackTheSameTokenWorks() throws InterruptedException {
    Replica a = replica();
    Replica b = replica();
    String username = newUsername();
    User user = register(a, username);
    LoginResponse login = login(a, username, Terminal.WEB);
    getMe(b, login);

    redis.stop();

    for (Replica replica : List.of(a, b)) {
      long start = System.nanoTime();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> getMe(replica, login));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(e).isNotNull();
      assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
      assertThat(RpcErrors.reason(e)).isIn(ErrorReason.SESSION_STORE_UNAVAILABLE.name(), ErrorReason.STORE_UNAVAILABLE.name());
      assertThat(took).isLessThan(Duration.ofSeconds(1));
    }
    long start = System.nanoTime();
    assertFails(() -> login(b, username, Terminal.MOBILE), Code.UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

    redis.restart();

    for (Replica replica : List.of(a, b)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      User me = null;
      while (me == null && System.nanoTime() < deadline) {
        try {
          me = getMe(replica, login);
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
          TimeUnit.MILLISECONDS.sleep(50);
        }
      }
      assertThat(me).as("the same token works again within 2 s of Redis coming back").isEqualTo(user);
    }
  }

  /** One user-svc process: its own platform, module and server on a free port, and a channel to it. */
  private static final class Replica implements AutoCloseable {
    private final Platform platform;
    private final UserModule module;
    private final ParleyServer server;
    private final ManagedChannel channel;
    private boolean closed;

    private Replica(Platform platform, UserModule module, ParleyServer server, ManagedChannel channel) {
      this.platform = platform;
      this.module = module;
      this.server = server;
      this.channel = channel;
    }

    static Replica start(String storeUrl, SessionPolicy policy, UserSettings settings, DatabaseSettings database) {
      Platform platform = Platform.builder(TokenKeys.hmac(SECRET)).store(storeUrl).sessionPolicy(policy).build();
      UserModule module = UserModule.create(platform, settings, database);
      ParleyServer.Builder builder = platform.serverBuilder().host("127.0.0.1").port(0).threads(4)
          .shutdownGrace(Duration.ofSeconds(1));
      module.services().forEach(builder::addService);
      ParleyServer server = builder.build().start();
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      Replica replica = new Replica(platform, module, server, channel);
      replica.awaitSessionEvents();
      return replica;
    }

    /** Waits until the replica hears session events, so that it serves sessions from its cache as in steady state. */
    private void awaitSessionEvents() {
      CachingSessionStore sessions = (CachingSessionStore) platform.sessionStore();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!sessions.isCaching()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the replica did not subscribe to session events");
        }
        try {
          TimeUnit.MILLISECONDS.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    UserServiceBlockingStub stub() {
      return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    /** A stub whose calls a proxy on loopback (trusted) forwards for the client {@code address}. */
    UserServiceBlockingStub from(String address) {
      Metadata headers = new Metadata();
      headers.put(ClientAddresses.X_FORWARDED_FOR, address);
      return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    UserServiceBlockingStub as(LoginResponse login) {
      return stub().withCallCredentials(BearerTokenCredentials.of(login.getAccessToken()));
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      channel.shutdownNow();
      server.close();
      module.close();
      platform.close();
    }
  }
}
