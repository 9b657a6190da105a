package io.parley.user;

import static io.parley.user.RpcErrors.assertFails;
import static io.parley.user.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
import io.parley.ratelimit.RateLimit;
import io.parley.testing.MutableClock;
import io.parley.user.v1.BatchGetUsersRequest;
import io.parley.user.v1.ChangePasswordRequest;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.ListSessionsRequest;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.LogoutRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RevokeOtherSessionsRequest;
import io.parley.user.v1.RevokeSessionRequest;
import io.parley.user.v1.SearchUsersRequest;
import io.parley.user.v1.SearchUsersResponse;
import io.parley.user.v1.SessionInfo;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc.UserServiceBlockingStub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every UserService RPC, in-process through the real interceptor chain, on the memory stores. */
class UserGrpcServiceTest {
  private static final String PASSWORD = "correct horse battery";

  private final MutableClock clock = MutableClock.startingNow();
  private InProcessUserService service;
  private UserServiceBlockingStub anonymous;

  @BeforeEach
  void start() {
    service = InProcessUserService.start(clock, UserSettings.forTests());
    anonymous = service.stub();
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private User register(String username) {
    return anonymous.register(RegisterRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build()).getUser();
  }

  private LoginResponse login(String username, Terminal terminal) {
    return login(username, PASSWORD, terminal);
  }

  private LoginResponse login(String username, String password, Terminal terminal) {
    return anonymous.login(LoginRequest.newBuilder()
        .setUsername(username)
        .setPassword(password)
        .setTerminal(terminal)
        .setDeviceName("test device")
        .build());
  }

  private UserServiceBlockingStub as(LoginResponse login) {
    return service.as(login.getAccessToken());
  }

  private static LoginRequest.Builder loginRequest(String username, String password) {
    return LoginRequest.newBuilder().setUsername(username).setPassword(password).setTerminal(Terminal.WEB);
  }

  private Map<String, String> sessionAttributes(LoginResponse login) {
    return service.platform.sessionStore()
        .find(login.getUser().getUserId(), login.getSession().getSessionId())
        .orElseThrow()
        .record()
        .getAttributesMap();
  }

  // --- Register ----------------------------------------------------------------------------

  @Test
  void registerCreatesAnAccountWithALowerCaseUsernameAndAnArgon2idHash() {
    User user = register("Alice.W_1");

    assertThat(Ids.isValid(user.getUserId(), "u")).isTrue();
    assertThat(user.getUsername()).isEqualTo("alice.w_1");
    assertThat(user.getNickname()).isEqualTo("alice.w_1");
    assertThat(user.getCreateTime()).isEqualTo(Timestamps.fromMillis(clock.millis()));
    Account stored = service.store().findById(user.getUserId()).orElseThrow();
    assertThat(stored.user()).isEqualTo(user);
    assertThat(stored.passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain(PASSWORD);
  }

  @Test
  void registerKeepsAGivenNicknameWithoutSurroundingSpace() {
    User user = anonymous.register(RegisterRequest.newBuilder()
        .setUsername("alice").setPassword(PASSWORD).setNickname("  Alice W.  ").build()).getUser();

    assertThat(user.getNickname()).isEqualTo("Alice W.");
  }

  @Test
  void usernamesAreUniqueIgnoringCase() {
    register("alice");

    assertFails(() -> register("ALICE"), Code.ALREADY_EXISTS, ErrorReason.USERNAME_TAKEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ab", "abcdefghijklmnopqrstuvwxyz0123456", "al ice", "alice!", "ålice", "ali-ce"})
  void registerRejectsABadUsername(String username) {
    assertInvalid(() -> register(username), "username");
  }

  @Test
  void registerNamesEveryBadField() {
    assertInvalid(() -> anonymous.register(RegisterRequest.newBuilder()
        .setUsername("a").setPassword("seven77").setNickname("x".repeat(33)).build()), "username", "password", "nickname");
    assertInvalid(() -> anonymous.register(RegisterRequest.newBuilder()
        .setUsername("alice").setPassword("p".repeat(129)).setNickname("   ").build()), "password", "nickname");
    assertInvalid(() -> anonymous.register(RegisterRequest.newBuilder()
        .setUsername("alice").setPassword(PASSWORD).setNickname("bell\u0007").build()), "nickname");
    assertInvalid(() -> anonymous.register(RegisterRequest.getDefaultInstance()), "username", "password");
  }

  @Test
  void passwordLengthCountsCharactersNotBytes() {
    User user = anonymous.register(RegisterRequest.newBuilder().setUsername("ming").setPassword("密码密码密码密码").build()).getUser();

    assertThat(login("ming", "密码密码密码密码", Terminal.WEB).getUser()).isEqualTo(user);
  }

  // --- Login -------------------------------------------------------------------------------

  @Test
  void loginOpensASessionWhoseTokenWorks() {
    User alice = register("alice");
    Instant now = clock.instant();

    LoginResponse login = login("alice", Terminal.WEB);

    assertThat(login.getTokenType()).isEqualTo("Bearer");
    assertThat(login.getExpireTime()).isEqualTo(Timestamps.fromMillis(now.plus(Duration.ofDays(30)).toEpochMilli()));
    assertThat(login.getUser()).isEqualTo(alice);
    SessionInfo session = login.getSession();
    assertThat(session.getCurrent()).isTrue();
    assertThat(session.getTerminal()).isEqualTo(Terminal.WEB);
    assertThat(session.getDeviceName()).isEqualTo("test device");
    assertThat(session.getCreateTime()).isEqualTo(Timestamps.fromMillis(now.toEpochMilli()));
    assertThat(session.getLastActiveTime()).isEqualTo(Timestamps.fromMillis(now.toEpochMilli()));
    assertThat(session.getExpireTime()).isEqualTo(Timestamps.fromMillis(now.plus(Duration.ofDays(7)).toEpochMilli()));
    assertThat(as(login).getMe(GetMeRequest.getDefaultInstance())).isEqualTo(alice);
  }

  @Test
  void loginPreloadsTheSessionAttributesEveryCallNeeds() {
    register("alice");

    LoginResponse login = login("alice", Terminal.MOBILE);

    assertThat(sessionAttributes(login)).containsOnly(
        Map.entry("username", "alice"),
        Map.entry("nickname", "alice"),
        Map.entry("avatar_url", ""),
        Map.entry("roles", "user"));
  }

  @Test
  void loginIgnoresTheCaseOfTheUsername() {
    User alice = register("alice");

    assertThat(login("ALIce", Terminal.WEB).getUser()).isEqualTo(alice);
  }

  @Test
  void aWrongPasswordAndAnUnknownUsernameGetTheSameAnswer() {
    register("alice");

    StatusRuntimeException wrong = assertFails(() -> login("alice", "wrong password", Terminal.WEB),
        Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    StatusRuntimeException unknown = assertFails(() -> login("nobody", "wrong password", Terminal.WEB),
        Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);

    assertThat(unknown.getStatus().getDescription()).isEqualTo(wrong.getStatus().getDescription());
    assertThat(RpcErrors.errorInfo(unknown).getMetadataMap()).isEqualTo(RpcErrors.errorInfo(wrong).getMetadataMap());
  }

  @Test
  void loginNamesEveryBadField() {
    assertInvalid(() -> anonymous.login(LoginRequest.getDefaultInstance()), "username", "password", "terminal");
    assertInvalid(() -> anonymous.login(loginRequest("alice", "p".repeat(129)).setDeviceName("d".repeat(65)).build()),
        "password", "device_name");
    assertInvalid(() -> anonymous.login(loginRequest("alice", PASSWORD).setTerminalValue(9).build()), "terminal");
    assertInvalid(() -> anonymous.login(loginRequest("alice", PASSWORD).setDeviceName("tab\there").build()), "device_name");
  }

  @Test
  void fiveFailuresThrottleTheUsernameUntilTheWindowPasses() {
    register("alice");
    for (int i = 0; i < 5; i++) {
      assertFails(() -> login("alice", "wrong password", Terminal.WEB), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }

    StatusRuntimeException throttled = assertFails(() -> login("alice", Terminal.WEB),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(RpcErrors.retryDelay(throttled)).isEqualTo(Duration.ofMinutes(15));

    clock.advance(Duration.ofMinutes(14));
    StatusRuntimeException later = assertFails(() -> login("ALICE", Terminal.WEB),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(RpcErrors.retryDelay(later)).isEqualTo(Duration.ofMinutes(1));

    clock.advance(Duration.ofMinutes(1));
    assertThat(login("alice", Terminal.WEB).getUser().getUsername()).isEqualTo("alice");
  }

  @Test
  void unknownUsernamesAreThrottledLikeKnownOnes() {
    register("alice");
    for (int i = 0; i < 5; i++) {
      assertFails(() -> login("ghost", "wrong password", Terminal.WEB), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }

    assertFails(() -> login("ghost", "wrong password", Terminal.WEB), Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(login("alice", Terminal.WEB).getUser().getUsername()).isEqualTo("alice");
  }

  @Test
  void aSuccessfulLoginForgetsEarlierFailures() {
    register("alice");
    for (int i = 0; i < 4; i++) {
      assertFails(() -> login("alice", "wrong password", Terminal.WEB), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }
    login("alice", Terminal.WEB);
    for (int i = 0; i < 4; i++) {
      assertFails(() -> login("alice", "wrong password", Terminal.WEB), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }

    assertThat(login("alice", Terminal.WEB).getUser().getUsername()).isEqualTo("alice");
  }

  @Test
  void anAttackersFailuresFromOneAddressDoNotStopTheOwnerLoggingInFromAnother() {
    User alice = register("alice");
    UserServiceBlockingStub attacker = service.from("203.0.113.66");
    for (int i = 0; i < 5; i++) {
      String guess = "guess " + i;
      assertFails(() -> attacker.login(loginRequest("alice", guess).build()),
          Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }
    StatusRuntimeException throttled = assertFails(() -> attacker.login(loginRequest("alice", "guess 5").build()),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(RpcErrors.errorInfo(throttled).getMetadataMap()).containsEntry("limit", "user.login-failures");

    LoginResponse owner = service.from("198.51.100.7").login(loginRequest("alice", PASSWORD).build());

    assertThat(owner.getUser()).isEqualTo(alice);
    // Even the right password waits, from the attacker's address.
    assertFails(() -> attacker.login(loginRequest("alice", PASSWORD).build()),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
  }

  @Test
  void oneAddressTryingAPasswordOnManyUsernamesIsThrottledAcrossThem() {
    register("alice");
    UserServiceBlockingStub sprayer = service.from("203.0.113.66");
    for (int i = 0; i < 50; i++) {
      String username = "user" + i;
      assertFails(() -> sprayer.login(loginRequest(username, "Summer2030!").build()),
          Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    }

    StatusRuntimeException throttled = assertFails(() -> sprayer.login(loginRequest("alice", "Summer2030!").build()),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(RpcErrors.errorInfo(throttled).getMetadataMap()).containsEntry("limit", "user.login-failures-per-address");
    assertThat(RpcErrors.retryDelay(throttled)).isEqualTo(Duration.ofMinutes(15));
    assertThat(service.from("198.51.100.7").login(loginRequest("alice", PASSWORD).build()).getUser().getUsername())
        .isEqualTo("alice");
  }

  @Test
  void loginIsRateLimitedPerClientAddressWhateverTheOutcome() {
    UserSettings limited = UserSettings.forTests().withLoginLimit(RateLimit.parse("user.login", "3/1m"));
    try (InProcessUserService users = InProcessUserService.start(clock, limited)) {
      users.stub().register(RegisterRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
      UserServiceBlockingStub a = users.from("198.51.100.7");
      a.login(loginRequest("alice", PASSWORD).build());
      assertFails(() -> a.login(loginRequest("alice", "wrong password").build()),
          Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
      a.login(loginRequest("alice", PASSWORD).build());

      StatusRuntimeException limitedCall = assertFails(() -> a.login(loginRequest("alice", PASSWORD).build()),
          Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
      assertThat(RpcErrors.retryDelay(limitedCall)).isEqualTo(Duration.ofSeconds(20));
      assertThat(RpcErrors.errorInfo(limitedCall).getMetadataMap()).containsEntry("limit", "user.login");
      assertThat(users.from("198.51.100.8").login(loginRequest("alice", PASSWORD).build()).getUser().getUsername())
          .as("another address has its own allowance").isEqualTo("alice");

      clock.advance(Duration.ofSeconds(20));
      assertThat(a.login(loginRequest("alice", PASSWORD).build()).getUser().getUsername()).isEqualTo("alice");
    }
  }

  @Test
  void registerIsRateLimitedPerClientAddress() {
    UserSettings limited = UserSettings.forTests().withRegisterLimit(RateLimit.parse("user.register", "2/1h"));
    try (InProcessUserService users = InProcessUserService.start(clock, limited)) {
      UserServiceBlockingStub a = users.from("2001:db8:1:2::10");
      a.register(RegisterRequest.newBuilder().setUsername("one").setPassword(PASSWORD).build());
      a.register(RegisterRequest.newBuilder().setUsername("two").setPassword(PASSWORD).build());

      // Another address of the same IPv6 /64 is the same client.
      StatusRuntimeException limitedCall = assertFails(() -> users.from("2001:db8:1:2::99").register(
          RegisterRequest.newBuilder().setUsername("three").setPassword(PASSWORD).build()),
          Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
      assertThat(RpcErrors.retryDelay(limitedCall)).isEqualTo(Duration.ofMinutes(30));
      assertThat(users.store().findByUsername("three")).isEmpty();
      users.from("2001:db8:1:3::10").register(RegisterRequest.newBuilder().setUsername("three").setPassword(PASSWORD)
          .build());
    }
  }

  @Test
  void aFullHashingQueueFailsAtOnceCountsNoFailureAndGetMeIsStillAnswered() throws Exception {
    try (InProcessUserService users = InProcessUserService.start(clock, UserSettings.forTests().withHashing(1, 1))) {
      User alice = users.stub().register(RegisterRequest.newBuilder().setUsername("alice").setPassword(PASSWORD)
          .build()).getUser();
      LoginResponse session = users.stub().login(loginRequest("alice", PASSWORD).build());
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try {
        // The one hashing thread is busy, and one login waits for it.
        users.module.hashingPool().reply(new StreamObserver<Boolean>() {
          @Override public void onNext(Boolean value) {}
          @Override public void onError(Throwable t) {}
          @Override public void onCompleted() {}
        }, () -> {
          started.countDown();
          try {
            return release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        ListenableFuture<LoginResponse> waiting = users.futureStub().login(loginRequest("alice", PASSWORD).build());

        long start = System.nanoTime();
        StatusRuntimeException busy = assertFails(() -> users.stub().login(loginRequest("alice", PASSWORD).build()),
            Code.RESOURCE_EXHAUSTED, ErrorReason.PASSWORD_HASHING_BUSY);
        for (int i = 0; i < 5; i++) {
          // Refused before any password was checked: no failure is counted.
          assertFails(() -> users.stub().login(loginRequest("alice", "wrong password").build()),
              Code.RESOURCE_EXHAUSTED, ErrorReason.PASSWORD_HASHING_BUSY);
        }
        assertFails(() -> users.stub().register(RegisterRequest.newBuilder().setUsername("bob").setPassword(PASSWORD)
            .build()), Code.RESOURCE_EXHAUSTED, ErrorReason.PASSWORD_HASHING_BUSY);
        assertThat(users.as(session.getAccessToken()).getMe(GetMeRequest.getDefaultInstance())).isEqualTo(alice);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(RpcErrors.retryDelay(busy)).isEqualTo(Duration.ofSeconds(1));
        assertThat(waiting.isDone()).isFalse();

        release.countDown();
        assertThat(waiting.get(5, TimeUnit.SECONDS).getUser()).isEqualTo(alice);
        assertThat(users.stub().login(loginRequest("alice", PASSWORD).build()).getUser()).isEqualTo(alice);
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void anUnknownUsernameTakesAsLongAsAWrongPassword() {
    // A hash that costs milliseconds, so that skipping it would show.
    UserSettings costly = UserSettings.forTests().withArgon2(8 * 1024, 1, 1).withLoginThrottle(1000, Duration.ofMinutes(15));
    try (InProcessUserService slow = InProcessUserService.start(Clock.systemUTC(), costly)) {
      UserServiceBlockingStub stub = slow.stub();
      stub.register(RegisterRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
      List<Long> wrongPassword = new ArrayList<>();
      List<Long> unknownUser = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        wrongPassword.add(nanosOfFailedLogin(stub, "alice"));
        unknownUser.add(nanosOfFailedLogin(stub, "nobody" + i));
      }
      // The fastest of each: what the work itself costs. A busy machine only ever adds time, so a
      // median can differ by a scheduling hiccup; a skipped hash shows in the minimum as well.
      long wrongFastest = Collections.min(wrongPassword);
      long unknownFastest = Collections.min(unknownUser);

      assertThat(Duration.ofNanos(wrongFastest)).isGreaterThan(Duration.ofMillis(3));
      assertThat((double) unknownFastest).isGreaterThan(0.5 * wrongFastest);
    }
  }

  private static long nanosOfFailedLogin(UserServiceBlockingStub stub, String username) {
    long start = System.nanoTime();
    assertFails(() -> stub.login(loginRequest(username, "wrong password").build()),
        Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    return System.nanoTime() - start;
  }

  @Test
  void aNewLoginOnTheSameTerminalKicksTheOlderSession() {
    register("alice");
    LoginResponse firstWeb = login("alice", Terminal.WEB);
    LoginResponse mobile = login("alice", Terminal.MOBILE);
    LoginResponse secondWeb = login("alice", Terminal.WEB);

    assertFails(() -> as(firstWeb).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_KICKED);
    assertThat(as(mobile).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
    assertThat(as(secondWeb).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
  }

  @Test
  void loginUpgradesAHashMadeWithOtherParameters() {
    User user = User.newBuilder().setUserId(Ids.newId("u")).setUsername("old").setNickname("Old Timer")
        .setCreateTime(Timestamps.fromMillis(clock.millis())).build();
    service.store().create(new Account(user, new PasswordHasher(32, 1, 1).hash(PASSWORD)));

    login("old", Terminal.WEB);

    assertThat(service.store().findById(user.getUserId()).orElseThrow().passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$");
    assertThat(login("old", Terminal.MOBILE).getUser()).isEqualTo(user);
  }

  // --- Logout ------------------------------------------------------------------------------

  @Test
  void logoutEndsTheCurrentSessionOnly() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse mobile = login("alice", Terminal.MOBILE);

    as(web).logout(LogoutRequest.getDefaultInstance());

    assertFails(() -> as(web).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertThat(as(mobile).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
  }

  @Test
  void sessionMethodsNeedAToken() {
    assertFails(() -> anonymous.getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
    assertFails(() -> anonymous.logout(LogoutRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
    assertFails(() -> service.as("not.a.token").getMe(GetMeRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED, ErrorReason.TOKEN_MALFORMED);
  }

  // --- GetMe, GetUser, BatchGetUsers -------------------------------------------------------

  @Test
  void getUserReturnsAnyonesProfile() {
    register("alice");
    User bob = register("bob");
    LoginResponse alice = login("alice", Terminal.WEB);

    assertThat(as(alice).getUser(GetUserRequest.newBuilder().setUserId(bob.getUserId()).build())).isEqualTo(bob);
  }

  @Test
  void getUserOfAnUnknownIdFailsUserNotFound() {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);
    String unknown = Ids.newId("u");

    StatusRuntimeException e = assertFails(() -> as(alice).getUser(GetUserRequest.newBuilder().setUserId(unknown).build()),
        Code.NOT_FOUND, ErrorReason.USER_NOT_FOUND);
    assertThat(RpcErrors.errorInfo(e).getMetadataMap()).containsEntry("user_id", unknown);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "alice", "u123", "g0123456789abcdefg", "u0123456789ABCDEF"})
  void getUserRejectsAMalformedId(String userId) {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);

    assertInvalid(() -> as(alice).getUser(GetUserRequest.newBuilder().setUserId(userId).build()), "user_id");
  }

  @Test
  void batchGetUsersKeepsRequestOrderSkipsUnknownIdsAndListsDuplicatesOnce() {
    User alice = register("alice");
    User bob = register("bob");
    User carol = register("carol");
    LoginResponse session = login("alice", Terminal.WEB);

    List<User> users = as(session).batchGetUsers(BatchGetUsersRequest.newBuilder()
        .addUserIds(carol.getUserId())
        .addUserIds(Ids.newId("u"))
        .addUserIds(alice.getUserId())
        .addUserIds(carol.getUserId())
        .addUserIds(bob.getUserId())
        .build()).getUsersList();

    assertThat(users).containsExactly(carol, alice, bob);
  }

  @Test
  void batchGetUsersRejectsTooManyNoneOrMalformedIds() {
    register("alice");
    LoginResponse session = login("alice", Terminal.WEB);
    BatchGetUsersRequest.Builder tooMany = BatchGetUsersRequest.newBuilder();
    for (int i = 0; i < 101; i++) {
      tooMany.addUserIds(Ids.newId("u"));
    }

    assertInvalid(() -> as(session).batchGetUsers(tooMany.build()), "user_ids");
    assertInvalid(() -> as(session).batchGetUsers(BatchGetUsersRequest.getDefaultInstance()), "user_ids");
    assertInvalid(() -> as(session).batchGetUsers(BatchGetUsersRequest.newBuilder()
        .addUserIds(Ids.newId("u")).addUserIds("bad").addUserIds(Ids.newId("u")).addUserIds("").build()),
        "user_ids[1]", "user_ids[3]");
    BatchGetUsersRequest.Builder hundred = BatchGetUsersRequest.newBuilder();
    for (int i = 0; i < 100; i++) {
      hundred.addUserIds(Ids.newId("u"));
    }
    assertThat(as(session).batchGetUsers(hundred.build()).getUsersList()).isEmpty();
  }

  // --- UpdateProfile -----------------------------------------------------------------------

  @Test
  void updateProfileChangesOnlyTheGivenFields() {
    User bob = register("bob");
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);

    User updated = as(alice).updateProfile(UpdateProfileRequest.newBuilder()
        .setNickname(" Ally ").setAvatarUrl("https://cdn.example.com/ally.png").build());
    User withBio = as(alice).updateProfile(UpdateProfileRequest.newBuilder().setBio("Curiouser\nand curiouser").build());

    assertThat(updated.getNickname()).isEqualTo("Ally");
    assertThat(updated.getAvatarUrl()).isEqualTo("https://cdn.example.com/ally.png");
    assertThat(withBio.getNickname()).isEqualTo("Ally");
    assertThat(withBio.getBio()).isEqualTo("Curiouser\nand curiouser");
    assertThat(as(alice).getMe(GetMeRequest.getDefaultInstance())).isEqualTo(withBio);
    assertThat(service.store().findById(updated.getUserId()).orElseThrow().user()).isEqualTo(withBio);
    assertThat(service.store().findById(bob.getUserId()).orElseThrow().user()).isEqualTo(bob);
  }

  @Test
  void anEmptyAvatarUrlRemovesTheAvatar() {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);
    as(alice).updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl("http://example.com/a.png").build());

    User cleared = as(alice).updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl("").build());

    assertThat(cleared.getAvatarUrl()).isEmpty();
  }

  @Test
  void updateProfileRefreshesTheAttributesOfTheCallersSessions() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse mobile = login("alice", Terminal.MOBILE);

    as(web).updateProfile(UpdateProfileRequest.newBuilder()
        .setNickname("Ally").setAvatarUrl("https://example.com/ally.png").build());

    Map<String, String> expected = Map.of("username", "alice", "nickname", "Ally",
        "avatar_url", "https://example.com/ally.png", "roles", "user");
    assertThat(sessionAttributes(web)).isEqualTo(expected);
    assertThat(sessionAttributes(mobile)).isEqualTo(expected);
  }

  @Test
  void updateProfileNamesEveryBadField() {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);
    UserServiceBlockingStub stub = as(alice);

    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder()
        .setNickname("").setAvatarUrl("ftp://example.com/a.png").setBio("b".repeat(257)).build()),
        "nickname", "avatar_url", "bio");
    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder().setNickname("n".repeat(33)).build()), "nickname");
    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder().setBio("nul\0").build()), "bio");
    assertThat(stub.getMe(GetMeRequest.getDefaultInstance()).getNickname()).isEqualTo("alice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a url", "https://", "example.com/a.png", "javascript:alert(1)", "mailto:a@example.com",
      "https://example.com/a.png?pad="})
  void updateProfileRejectsAnAvatarUrlThatIsNotHttp(String url) {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);
    String candidate = url.endsWith("pad=") ? url + "x".repeat(513 - url.length()) : url;

    assertInvalid(() -> as(alice).updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl(candidate).build()),
        "avatar_url");
  }

  @Test
  void profileTextIsStoredNfcNormalizedAndStripped() {
    User user = anonymous.register(RegisterRequest.newBuilder()
        .setUsername("rene").setPassword(PASSWORD).setNickname("\u00a0Rene\u0301 ").build()).getUser();
    LoginResponse login = anonymous.login(loginRequest("rene", PASSWORD).setDeviceName(" Pixel\u00a0").build());

    User updated = as(login).updateProfile(UpdateProfileRequest.newBuilder().setBio("cafe\u0301\n").build());

    assertThat(user.getNickname()).isEqualTo("Ren\u00e9");
    assertThat(login.getSession().getDeviceName()).isEqualTo("Pixel");
    assertThat(updated.getBio()).isEqualTo("caf\u00e9\n");
    assertThat(service.store().findById(user.getUserId()).orElseThrow().user().getBio()).isEqualTo("caf\u00e9\n");
    assertThat(as(login).searchUsers(SearchUsersRequest.newBuilder().setQuery("rene\u0301").build()).getUsersList())
        .extracting(User::getUserId).containsExactly(user.getUserId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u202Eadmin", "ad\u200Bmin", "ad\u200Dmin", "\u2066admin\u2069", "admin\uFEFF", "\u3164",
      "ad\u00ADmin", "ad\u0085min"})
  void namesRefuseBidiControlsZeroWidthAndInvisibleCharacters(String name) {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);

    assertInvalid(() -> anonymous.register(RegisterRequest.newBuilder()
        .setUsername("mallory").setPassword(PASSWORD).setNickname(name).build()), "nickname");
    assertInvalid(() -> as(alice).updateProfile(UpdateProfileRequest.newBuilder().setNickname(name).setBio(name)
        .build()), "nickname", "bio");
    assertInvalid(() -> anonymous.login(loginRequest("alice", PASSWORD).setDeviceName(name).build()), "device_name");
  }

  @Test
  void fieldsAreLimitedInBytesAsWellAsCharacters() {
    register("alice");
    LoginResponse alice = login("alice", Terminal.WEB);
    UserServiceBlockingStub stub = as(alice);
    // 32 emoji are 32 characters and 128 bytes: accepted; 33 CJK characters are too many characters.
    stub.updateProfile(UpdateProfileRequest.newBuilder().setNickname("\ud83d\ude00".repeat(32)).build());
    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder().setNickname("\u5f20".repeat(33)).build()),
        "nickname");
    // A 512-byte URL is accepted; non-ASCII must come percent-encoded.
    String longest = "https://cdn.example.com/" + "a".repeat(512 - 24);
    assertThat(stub.updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl(longest).build()).getAvatarUrl())
        .isEqualTo(longest);
    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder().setAvatarUrl(longest + "a").build()),
        "avatar_url");
    assertInvalid(() -> stub.updateProfile(UpdateProfileRequest.newBuilder()
        .setAvatarUrl("https://example.com/\u982d.png").build()), "avatar_url");
    assertThat(stub.updateProfile(UpdateProfileRequest.newBuilder()
        .setAvatarUrl("https://example.com/%E9%A0%AD.png").build()).getAvatarUrl())
        .isEqualTo("https://example.com/%E9%A0%AD.png");
  }

  @Test
  void searchIsRateLimitedPerUser() {
    register("alice");
    register("bob");
    UserServiceBlockingStub alice = as(login("alice", Terminal.WEB));
    SearchUsersRequest query = SearchUsersRequest.newBuilder().setQuery("bo").build();
    for (int i = 0; i < 20; i++) {
      alice.searchUsers(query);
    }

    StatusRuntimeException limited = assertFails(() -> alice.searchUsers(query),
        Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(RpcErrors.errorInfo(limited).getMetadataMap()).containsEntry("limit", "user.search");
    assertThat(RpcErrors.retryDelay(limited)).isEqualTo(Duration.ofSeconds(1));
    assertThat(as(login("bob", Terminal.WEB)).searchUsers(query).getUsersCount()).isEqualTo(1);
  }

  // --- SearchUsers -------------------------------------------------------------------------

  @Test
  void searchFindsUsernamePrefixesThenNicknameSubstringsIgnoringCase() {
    User alice = register("alice");
    User alfred = anonymous.register(RegisterRequest.newBuilder()
        .setUsername("alfred").setPassword(PASSWORD).setNickname("Butler").build()).getUser();
    User bob = anonymous.register(RegisterRequest.newBuilder()
        .setUsername("bob").setPassword(PASSWORD).setNickname("Al Bundy").build()).getUser();
    register("carol");
    LoginResponse session = login("alice", Terminal.WEB);

    SearchUsersResponse found = as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery(" AL ").build());

    assertThat(found.getUsersList()).containsExactly(alfred, alice, bob);
    assertThat(found.getNextPageToken()).isEmpty();
  }

  @Test
  void searchPagesWithTokens() {
    List<User> users = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      users.add(register("user" + i));
    }
    LoginResponse session = login("user1", Terminal.WEB);

    List<User> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      SearchUsersResponse page = as(session).searchUsers(SearchUsersRequest.newBuilder()
          .setQuery("user").setPageSize(2).setPageToken(token).build());
      assertThat(page.getUsersCount()).isLessThanOrEqualTo(2);
      seen.addAll(page.getUsersList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty() && pages < 10);

    assertThat(seen).containsExactlyElementsOf(users);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void aPageTokenOnlyWorksForTheQueryItCameFrom() {
    for (int i = 1; i <= 3; i++) {
      register("user" + i);
    }
    LoginResponse session = login("user1", Terminal.WEB);
    String token = as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery("user").setPageSize(1).build())
        .getNextPageToken();

    assertFails(() -> as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery("use").setPageToken(token).build()),
        Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
    assertFails(() -> as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery("user").setPageToken("garbage").build()),
        Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
    String notACursor = PageTokens.encode("x:user1", "search:user");
    assertFails(() -> as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery("user").setPageToken(notACursor).build()),
        Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
    // The query is compared as folded, so the token also serves the same query in other case.
    assertThat(as(session).searchUsers(SearchUsersRequest.newBuilder().setQuery("USER").setPageToken(token).build())
        .getUsersList()).extracting(User::getUsername).containsExactly("user2", "user3");
  }

  @Test
  void searchNamesEveryBadField() {
    register("alice");
    LoginResponse session = login("alice", Terminal.WEB);
    UserServiceBlockingStub stub = as(session);

    assertInvalid(() -> stub.searchUsers(SearchUsersRequest.getDefaultInstance()), "query");
    assertInvalid(() -> stub.searchUsers(SearchUsersRequest.newBuilder().setQuery("   ").build()), "query");
    assertInvalid(() -> stub.searchUsers(SearchUsersRequest.newBuilder().setQuery("q".repeat(33)).build()), "query");
    assertInvalid(() -> stub.searchUsers(SearchUsersRequest.newBuilder().setQuery("").setPageSize(-1).build()),
        "query", "page_size");
  }

  // --- ChangePassword ----------------------------------------------------------------------

  @Test
  void changePasswordNeedsTheOldPasswordAndRevokesEveryOtherSession() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse mobile = login("alice", Terminal.MOBILE);
    LoginResponse desktop = login("alice", Terminal.DESKTOP);

    int revoked = as(web).changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword(PASSWORD).setNewPassword("a brand new secret").build()).getRevokedSessions();

    assertThat(revoked).isEqualTo(2);
    assertFails(() -> as(mobile).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertFails(() -> as(desktop).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertThat(as(web).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
    assertFails(() -> login("alice", Terminal.MOBILE), Code.UNAUTHENTICATED, ErrorReason.INVALID_CREDENTIALS);
    assertThat(login("alice", "a brand new secret", Terminal.MOBILE).getUser().getUsername()).isEqualTo("alice");
  }

  @Test
  void aWrongOldPasswordFailsPasswordIncorrectAndChangesNothing() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse mobile = login("alice", Terminal.MOBILE);

    assertFails(() -> as(web).changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword("not my password").setNewPassword("a brand new secret").build()),
        Code.PERMISSION_DENIED, ErrorReason.PASSWORD_INCORRECT);

    assertThat(as(mobile).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
    assertThat(login("alice", Terminal.DESKTOP).getUser().getUsername()).isEqualTo("alice");
  }

  @Test
  void wrongOldPasswordsAreThrottledLikeLogins() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    ChangePasswordRequest wrong = ChangePasswordRequest.newBuilder()
        .setOldPassword("not my password").setNewPassword("a brand new secret").build();
    for (int i = 0; i < 5; i++) {
      assertFails(() -> as(web).changePassword(wrong), Code.PERMISSION_DENIED, ErrorReason.PASSWORD_INCORRECT);
    }

    StatusRuntimeException throttled = assertFails(() -> as(web).changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword(PASSWORD).setNewPassword("a brand new secret").build()),
        Code.RESOURCE_EXHAUSTED, ErrorReason.LOGIN_THROTTLED);
    assertThat(RpcErrors.retryDelay(throttled)).isPositive();
  }

  @Test
  void changePasswordNamesEveryBadField() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    UserServiceBlockingStub stub = as(web);

    assertInvalid(() -> stub.changePassword(ChangePasswordRequest.getDefaultInstance()), "old_password", "new_password");
    assertInvalid(() -> stub.changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword(PASSWORD).setNewPassword("short").build()), "new_password");
    assertInvalid(() -> stub.changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword(PASSWORD).setNewPassword(PASSWORD).build()), "new_password");
    assertInvalid(() -> stub.changePassword(ChangePasswordRequest.newBuilder()
        .setOldPassword("o".repeat(129)).setNewPassword("n".repeat(129)).build()), "old_password", "new_password");
  }

  // --- Sessions ----------------------------------------------------------------------------

  @Test
  void listSessionsShowsTheCallersLiveSessionsNewestFirstWithTheCurrentOneMarked() {
    register("alice");
    register("bob");
    Instant t0 = clock.instant();
    LoginResponse web = login("alice", Terminal.WEB);
    clock.advance(Duration.ofMinutes(2));
    Instant t1 = clock.instant();
    LoginResponse phone = anonymous.login(loginRequest("alice", PASSWORD).setTerminal(Terminal.MOBILE)
        .setDeviceName("Pixel 8").build());
    login("bob", Terminal.WEB);

    List<SessionInfo> sessions = as(web).listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList();

    assertThat(sessions).extracting(SessionInfo::getSessionId)
        .containsExactly(phone.getSession().getSessionId(), web.getSession().getSessionId());
    SessionInfo newest = sessions.get(0);
    assertThat(newest.getCurrent()).isFalse();
    assertThat(newest.getTerminal()).isEqualTo(Terminal.MOBILE);
    assertThat(newest.getDeviceName()).isEqualTo("Pixel 8");
    assertThat(newest.getCreateTime()).isEqualTo(Timestamps.fromMillis(t1.toEpochMilli()));
    SessionInfo current = sessions.get(1);
    assertThat(current.getCurrent()).isTrue();
    assertThat(current.getTerminal()).isEqualTo(Terminal.WEB);
    assertThat(current.getCreateTime()).isEqualTo(Timestamps.fromMillis(t0.toEpochMilli()));
    // This very call, two minutes after login, is the current session's last activity; the store
    // records activity only once per touch interval, so the idle expiry still counts from login.
    assertThat(current.getLastActiveTime()).isEqualTo(Timestamps.fromMillis(t1.toEpochMilli()));
    assertThat(current.getExpireTime()).isEqualTo(Timestamps.fromMillis(t0.plus(Duration.ofDays(7)).toEpochMilli()));
    assertThat(newest.getLastActiveTime()).as("another session: what the store recorded").isEqualTo(newest.getCreateTime());
  }

  @Test
  void revokeSessionEndsOneOfTheCallersOwnSessions() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse phone = login("alice", Terminal.MOBILE);

    as(web).revokeSession(RevokeSessionRequest.newBuilder().setSessionId(phone.getSession().getSessionId()).build());

    assertFails(() -> as(phone).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertThat(as(web).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
    assertThat(as(web).listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
        .extracting(SessionInfo::getSessionId).containsExactly(web.getSession().getSessionId());
  }

  @Test
  void revokeSessionOfSomeoneElsesSessionFailsNotFoundAndLeavesItAlone() {
    register("alice");
    User bob = register("bob");
    LoginResponse alice = login("alice", Terminal.WEB);
    LoginResponse bobs = login("bob", Terminal.WEB);

    StatusRuntimeException e = assertFails(() -> as(alice).revokeSession(RevokeSessionRequest.newBuilder()
        .setSessionId(bobs.getSession().getSessionId()).build()), Code.NOT_FOUND, ErrorReason.SESSION_ID_NOT_FOUND);

    assertThat(e.getStatus().getDescription()).doesNotContain(bob.getUserId()).doesNotContain("bob");
    assertThat(RpcErrors.errorInfo(e).getMetadataMap()).doesNotContainValue(bob.getUserId());
    assertThat(as(bobs).getMe(GetMeRequest.getDefaultInstance())).isEqualTo(bob);
  }

  @Test
  void revokingAnUnknownOrEndedSessionFailsNotFound() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse phone = login("alice", Terminal.MOBILE);
    RevokeSessionRequest revokePhone = RevokeSessionRequest.newBuilder().setSessionId(phone.getSession().getSessionId()).build();
    as(web).revokeSession(revokePhone);

    assertFails(() -> as(web).revokeSession(revokePhone), Code.NOT_FOUND, ErrorReason.SESSION_ID_NOT_FOUND);
    assertFails(() -> as(web).revokeSession(RevokeSessionRequest.newBuilder().setSessionId(Ids.newSessionId()).build()),
        Code.NOT_FOUND, ErrorReason.SESSION_ID_NOT_FOUND);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "semi;colon",
      "01234567890123456789012345678901234567890123456789012345678901234"})
  void revokeSessionRejectsAMalformedId(String sessionId) {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);

    assertInvalid(() -> as(web).revokeSession(RevokeSessionRequest.newBuilder().setSessionId(sessionId).build()), "session_id");
  }

  @Test
  void revokeOtherSessionsKeepsOnlyTheCurrentOne() {
    register("alice");
    LoginResponse web = login("alice", Terminal.WEB);
    LoginResponse phone = login("alice", Terminal.MOBILE);
    LoginResponse desktop = login("alice", Terminal.DESKTOP);

    assertThat(as(desktop).revokeOtherSessions(RevokeOtherSessionsRequest.getDefaultInstance()).getRevokedSessions())
        .isEqualTo(2);
    assertThat(as(desktop).revokeOtherSessions(RevokeOtherSessionsRequest.getDefaultInstance()).getRevokedSessions())
        .isZero();

    assertFails(() -> as(web).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertFails(() -> as(phone).getMe(GetMeRequest.getDefaultInstance()), Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
    assertThat(as(desktop).getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("alice");
  }
}
