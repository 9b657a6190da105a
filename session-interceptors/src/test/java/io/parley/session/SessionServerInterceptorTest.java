package io.parley.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.google.rpc.ErrorInfo;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenIssuer;
import io.parley.auth.TokenKeys;
import io.parley.auth.TokenVerifier;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.redis.RedisClients;
import io.parley.server.ParleyServer;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RegisterResponse;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.UnifiedJedis;

/**
 * The session interceptor with the real chain on in-process servers: a table of bad credentials,
 * each refused UNAUTHENTICATED with its own reason, and the accepted paths.
 */
class SessionServerInterceptorTest {
  private static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(UTF_8);
  private static final String ISSUER = "parley";

  private static MutableClock clock;
  private static SessionPolicy policy;
  private static CountingStore store;
  private static TokenIssuer issuer;
  private static ParleyServer hsServer;
  private static ParleyServer rsServer;
  private static MemorySessionStore rsStore;
  private static TokenIssuer rsIssuer;
  private static KeyPair rsaKeys;
  private static ManagedChannel hsChannel;
  private static ManagedChannel rsChannel;

  @BeforeAll
  static void start() throws Exception {
    clock = MutableClock.startingNow();
    policy = SessionPolicy.defaults().withMaxInactive(Duration.ofHours(1)).withTouchInterval(Duration.ofMinutes(1));
    store = new CountingStore(new MemorySessionStore(clock, policy));
    TokenKeys keys = TokenKeys.hmac(SECRET);
    issuer = new TokenIssuer(keys, ISSUER, clock);
    hsServer = server("hs", keys, store);

    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsaKeys = generator.generateKeyPair();
    TokenKeys rsa = TokenKeys.rsa()
        .verificationKey("k1", rsaKeys.getPublic())
        .signingKey("k1", rsaKeys.getPrivate())
        .build();
    rsStore = new MemorySessionStore(clock, policy);
    rsIssuer = new TokenIssuer(rsa, ISSUER, clock);
    rsServer = server("rs", rsa, rsStore);

    hsChannel = InProcessChannelBuilder.forName("hs").directExecutor().build();
    rsChannel = InProcessChannelBuilder.forName("rs").directExecutor().build();
  }

  private static ParleyServer server(String name, TokenKeys keys, SessionStore sessions) {
    TokenVerifier verifier = TokenVerifier.builder(keys).issuer(ISSUER).clock(clock).build();
    return ParleyServer.builder()
        .inProcess(name)
        .directExecutor()
        .sessions(new SessionServerInterceptor(verifier, sessions, policy, clock))
        .intercept(new NicknameHeader())
        .addService(new TestUserService())
        .addService(new TestFriendService())
        .build()
        .start();
  }

  @AfterAll
  static void stop() {
    hsChannel.shutdownNow();
    rsChannel.shutdownNow();
    hsServer.close();
    rsServer.close();
  }

  // ---------------------------------------------------------------------------------------------
  // The table of bad credentials.

  static Stream<Arguments> badCredentials() {
    return Stream.of(
        row("no authorization metadata", f -> null, ErrorReason.TOKEN_MISSING),
        row("empty authorization", f -> "", ErrorReason.TOKEN_MISSING),
        row("Basic scheme", f -> "Basic dXNlcjpwYXNzd29yZA==", ErrorReason.AUTH_SCHEME_UNSUPPORTED),
        row("token without a scheme", f -> f.validToken(), ErrorReason.AUTH_SCHEME_UNSUPPORTED),
        row("Bearer without a token", f -> "Bearer ", ErrorReason.TOKEN_MALFORMED),
        row("garbage", f -> "Bearer not-a-jwt-at-all", ErrorReason.TOKEN_MALFORMED),
        row("two segments", f -> "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0", ErrorReason.TOKEN_MALFORMED),
        row("header is not JSON", f -> "Bearer " + b64("hello") + "." + b64("{}") + ".c2ln", ErrorReason.TOKEN_MALFORMED),
        row("alg none", f -> "Bearer " + unsigned("none", f.validClaims()), ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED),
        row("alg NONE in capitals", f -> "Bearer " + unsigned("NONE", f.validClaims()),
            ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED),
        row("HS512 instead of HS256", f -> "Bearer " + f.sign(f.claims(), Algorithm.HMAC512(SECRET), "at+jwt"),
            ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED),
        row("RS256 token to an HS256 server", f -> "Bearer " + f.sign(f.claims(),
                Algorithm.RSA256((RSAPublicKey) rsaKeys.getPublic(), (RSAPrivateKey) rsaKeys.getPrivate()), "at+jwt"),
            ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED),
        row("tampered payload", f -> "Bearer " + tamperPayload(f.validToken()), ErrorReason.TOKEN_SIGNATURE_INVALID),
        row("tampered signature", f -> "Bearer " + tamperSignature(f.validToken()), ErrorReason.TOKEN_SIGNATURE_INVALID),
        row("signed with another secret", f -> "Bearer " + f.sign(f.claims(),
                Algorithm.HMAC256("another-secret-of-at-least-32-bytes!".getBytes(UTF_8)), "at+jwt"),
            ErrorReason.TOKEN_SIGNATURE_INVALID),
        row("expired", f -> "Bearer " + f.sign(f.claims().withExpiresAt(f.now().minusSeconds(3600))),
            ErrorReason.TOKEN_EXPIRED),
        row("nbf in the future", f -> "Bearer " + f.sign(f.claims().withNotBefore(f.now().plusSeconds(3600))),
            ErrorReason.TOKEN_NOT_YET_VALID),
        row("iat in the future", f -> "Bearer " + f.sign(f.claims().withIssuedAt(f.now().plusSeconds(3600))),
            ErrorReason.TOKEN_NOT_YET_VALID),
        row("wrong issuer", f -> "Bearer " + f.sign(f.claims().withIssuer("evil")), ErrorReason.TOKEN_ISSUER_INVALID),
        row("no issuer", f -> "Bearer " + f.sign(f.claimsWithout("iss")), ErrorReason.TOKEN_CLAIM_MISSING),
        row("unknown kid", f -> "Bearer " + f.sign(f.claims().withKeyId("rotated-away"), Algorithm.HMAC256(SECRET), "at+jwt"),
            ErrorReason.TOKEN_KEY_UNKNOWN),
        row("no sid", f -> "Bearer " + f.sign(f.claimsWithout("sid")), ErrorReason.TOKEN_CLAIM_MISSING),
        row("no sub", f -> "Bearer " + f.sign(f.claimsWithout("sub")), ErrorReason.TOKEN_CLAIM_MISSING),
        row("no exp", f -> "Bearer " + f.sign(f.claimsWithout("exp")), ErrorReason.TOKEN_CLAIM_MISSING),
        row("unknown terminal", f -> "Bearer " + f.sign(f.claims().withClaim("term", "TOASTER")),
            ErrorReason.TOKEN_CLAIM_INVALID),
        row("sid is a number", f -> "Bearer " + f.sign(f.claims().withClaim("sid", 42)), ErrorReason.TOKEN_CLAIM_INVALID),
        row("untyped JWT", f -> "Bearer " + f.sign(f.claims(), Algorithm.HMAC256(SECRET), "JWT"),
            ErrorReason.TOKEN_TYPE_INVALID),
        row("service token on a user method", f -> "Bearer " + issuer.issueServiceToken("message-svc", Duration.ofMinutes(5)),
            ErrorReason.TOKEN_TYPE_INVALID),
        row("oversized header", f -> "Bearer " + "a".repeat(5000), ErrorReason.TOKEN_TOO_LARGE),
        row("session never created", f -> "Bearer " + issuer.issueUserToken("u-ghost", "s-ghost", Terminal.WEB, null, null,
            f.now().plusSeconds(3600)), ErrorReason.SESSION_NOT_FOUND),
        row("another user's session id", f -> "Bearer " + issuer.issueUserToken("u-other", f.sessionId, Terminal.WEB,
            null, null, f.now().plusSeconds(3600)), ErrorReason.SESSION_NOT_FOUND),
        row("revoked session", f -> {
          store.revoke(f.userId, f.sessionId);
          return "Bearer " + f.validToken();
        }, ErrorReason.SESSION_REVOKED),
        row("kicked session", f -> {
          createSession(store, f.userId, "newer-" + f.sessionId, Terminal.WEB);
          return "Bearer " + f.validToken();
        }, ErrorReason.SESSION_KICKED),
        row("inactive too long", f -> {
          String token = "Bearer " + f.validToken();
          clock.advance(policy.maxInactive().plusSeconds(1));
          return token;
        }, ErrorReason.SESSION_EXPIRED),
        row("terminal differs from the session's", f -> "Bearer " + issuer.issueUserToken(f.userId, f.sessionId,
            Terminal.DESKTOP, null, null, f.now().plusSeconds(3600)), ErrorReason.SESSION_MISMATCH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCredentials")
  void badCredentialIsRefusedWithItsOwnReason(String name, Function<Fixture, String> credential, ErrorReason reason) {
    Fixture fixture = Fixture.create(store, issuer);
    String authorization = credential.apply(fixture);

    assertThatThrownBy(() -> getMe(hsChannel, authorization))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(reasonOf(e)).isEqualTo(reason.name());
        });
  }

  @Test
  void tableCoversAtLeast25DistinctCases() {
    assertThat(badCredentials().count()).isGreaterThanOrEqualTo(25);
  }

  @Test
  void hmacTokenSignedWithTheRsaPublicKeyIsRefusedByAnRs256Server() {
    Fixture fixture = Fixture.create(rsStore, rsIssuer);
    byte[] publicKeyAsSecret = rsaKeys.getPublic().getEncoded();
    String forged = fixture.sign(fixture.claims().withKeyId("k1"), Algorithm.HMAC256(publicKeyAsSecret), "at+jwt");

    assertThatThrownBy(() -> getMe(rsChannel, "Bearer " + forged))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(reasonOf(e)).isEqualTo(ErrorReason.TOKEN_ALGORITHM_UNSUPPORTED.name());
        });
    assertThat(getMe(rsChannel, "Bearer " + fixture.validToken()).getUserId()).isEqualTo(fixture.userId);
  }

  // ---------------------------------------------------------------------------------------------
  // Accepted paths.

  @Test
  void validTokenReachesTheHandlerWithTheSessionAndItsAttributes() {
    Fixture fixture = Fixture.create(store, issuer);

    User me = getMe(hsChannel, "Bearer " + fixture.validToken());

    assertThat(me.getUserId()).isEqualTo(fixture.userId);
    assertThat(me.getNickname()).isEqualTo("Nick " + fixture.userId);
  }

  @Test
  void bearerSchemeIsCaseInsensitive() {
    Fixture fixture = Fixture.create(store, issuer);

    assertThat(getMe(hsChannel, "bearer " + fixture.validToken()).getUserId()).isEqualTo(fixture.userId);
  }

  @Test
  void publicMethodNeedsNoTokenAndIgnoresABadOne() {
    UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(withAuthorization(hsChannel, null));
    assertThat(stub.register(RegisterRequest.newBuilder().setUsername("x").build()).getUser().getUsername()).isEqualTo("x");

    UserServiceGrpc.UserServiceBlockingStub garbage =
        UserServiceGrpc.newBlockingStub(withAuthorization(hsChannel, "Bearer garbage"));
    assertThat(garbage.register(RegisterRequest.newBuilder().setUsername("y").build()).getUser().getUsername()).isEqualTo("y");
  }

  @Test
  void internalMethodRefusesAUserTokenWithPermissionDenied() {
    Fixture fixture = Fixture.create(store, issuer);

    assertThatThrownBy(() -> checkRelation("Bearer " + fixture.validToken()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(reasonOf(e)).isEqualTo(ErrorReason.SERVICE_CREDENTIAL_REQUIRED.name());
        });
  }

  @Test
  void internalMethodRefusesAnonymousCallers() {
    assertThatThrownBy(() -> checkRelation(null))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(reasonOf(e)).isEqualTo(ErrorReason.TOKEN_MISSING.name());
        });
  }

  @Test
  void internalMethodAcceptsAServiceTokenAndKnowsTheCaller() {
    CheckRelationResponse response = checkRelation("Bearer " + issuer.issueServiceToken("message-svc", Duration.ofMinutes(5)));

    assertThat(response.getFriends()).isTrue();
  }

  @Test
  void activityIsWrittenAtMostOncePerTouchInterval() {
    Fixture fixture = Fixture.create(store, issuer);
    String authorization = "Bearer " + fixture.validToken();
    int touchesBefore = store.touches.get();

    getMe(hsChannel, authorization);
    clock.advance(policy.touchInterval().dividedBy(2));
    getMe(hsChannel, authorization);
    assertThat(store.touches.get()).isEqualTo(touchesBefore);

    clock.advance(policy.touchInterval());
    getMe(hsChannel, authorization);
    assertThat(store.touches.get()).isEqualTo(touchesBefore + 1);
    assertThat(store.find(fixture.userId, fixture.sessionId).orElseThrow().lastAccess()).isEqualTo(clock.instant());
  }

  @Test
  void sessionInUseDoesNotExpireWhileAnIdleOneDoes() {
    Fixture busy = Fixture.create(store, issuer);
    Fixture idle = Fixture.create(store, issuer);
    String busyToken = "Bearer " + busy.validToken();
    String idleToken = "Bearer " + idle.validToken();

    for (int i = 0; i < 8; i++) {
      clock.advance(policy.maxInactive().dividedBy(6));
      assertThat(getMe(hsChannel, busyToken).getUserId()).isEqualTo(busy.userId);
    }

    assertThatThrownBy(() -> getMe(hsChannel, idleToken))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(reasonOf(e)).isEqualTo(ErrorReason.SESSION_EXPIRED.name()));
  }

  @Test
  void changedAttributesAreWrittenBackOnceAndUnchangedOnesNever() {
    Fixture fixture = Fixture.create(store, issuer);
    String authorization = "Bearer " + fixture.validToken();
    int writesBefore = store.attributeWrites.get();

    getMe(hsChannel, authorization);
    assertThat(store.attributeWrites.get()).isEqualTo(writesBefore);

    Metadata headers = new Metadata();
    headers.put(TestUserService.SET_NICKNAME, "Renamed");
    UserServiceGrpc.newBlockingStub(ClientInterceptors.intercept(withAuthorization(hsChannel, authorization),
            MetadataUtils.newAttachHeadersInterceptor(headers)))
        .getMe(GetMeRequest.getDefaultInstance());

    assertThat(store.attributeWrites.get()).isEqualTo(writesBefore + 1);
    assertThat(store.find(fixture.userId, fixture.sessionId).orElseThrow().record().getAttributesMap())
        .containsEntry("nickname", "Renamed");
    assertThat(getMe(hsChannel, authorization).getNickname()).isEqualTo("Renamed");
  }

  @Test
  void attributeChangesAreWrittenBackEvenWhenTheHandlerFails() {
    Fixture fixture = Fixture.create(store, issuer);
    String authorization = "Bearer " + fixture.validToken();
    Metadata headers = new Metadata();
    headers.put(TestUserService.SET_NICKNAME, "fail:then-renamed");

    assertThatThrownBy(() -> UserServiceGrpc.newBlockingStub(ClientInterceptors.intercept(
            withAuthorization(hsChannel, authorization), MetadataUtils.newAttachHeadersInterceptor(headers)))
        .getMe(GetMeRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

    assertThat(store.find(fixture.userId, fixture.sessionId).orElseThrow().record().getAttributesMap())
        .containsEntry("nickname", "fail:then-renamed");
  }

  @Test
  void unreachableStoreFailsUnavailableNotUnauthenticated() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    TokenKeys keys = TokenKeys.hmac(SECRET);
    try (UnifiedJedis jedis = RedisClients.create("redis://127.0.0.1:" + closedPort);
        RedisSessionStore down = RedisSessionStore.builder(jedis).clock(clock).policy(policy).build();
        ParleyServer server = ParleyServer.builder().inProcess("down").directExecutor()
            .sessions(new SessionServerInterceptor(
                TokenVerifier.builder(keys).clock(clock).build(), down, policy, clock))
            .addService(new TestUserService())
            .build()
            .start()) {
      ManagedChannel channel = InProcessChannelBuilder.forName("down").directExecutor().build();
      try {
        String token = issuer.issueUserToken("u1", "s1", Terminal.WEB, null, null, clock.instant().plusSeconds(60));
        long started = System.nanoTime();
        assertThatThrownBy(() -> getMe(channel, "Bearer " + token))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(reasonOf(e)).isEqualTo(ErrorReason.SESSION_STORE_UNAVAILABLE.name());
            });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static User getMe(Channel channel, String authorization) {
    return UserServiceGrpc.newBlockingStub(withAuthorization(channel, authorization)).getMe(GetMeRequest.getDefaultInstance());
  }

  private static CheckRelationResponse checkRelation(String authorization) {
    return FriendServiceGrpc.newBlockingStub(withAuthorization(hsChannel, authorization))
        .checkRelation(CheckRelationRequest.newBuilder().setUserIdA("u1").setUserIdB("u2").build());
  }

  static Channel withAuthorization(Channel channel, String authorization) {
    if (authorization == null) {
      return channel;
    }
    Metadata headers = new Metadata();
    headers.put(SessionServerInterceptor.AUTHORIZATION, authorization);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  static String reasonOf(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("status details").isNotNull();
    return status.getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(any -> {
          try {
            return any.unpack(ErrorInfo.class).getReason();
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ErrorInfo in " + status));
  }

  private static Arguments row(String name, Function<Fixture, String> credential, ErrorReason reason) {
    return Arguments.of(name, credential, reason);
  }

  static void createSession(SessionStore sessions, String userId, String sessionId, Terminal terminal) {
    Instant now = clock.instant();
    sessions.create(SessionRecord.newBuilder()
        .setUserId(userId)
        .setSessionId(sessionId)
        .setTerminal(terminal.getNumber())
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(policy.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(now.plus(policy.absoluteLifetime()).toEpochMilli())
        .putAttributes("nickname", "Nick " + userId)
        .build(), TerminalPolicy.PER_TERMINAL);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  private static String unsigned(String alg, Map<String, Object> claims) {
    StringBuilder json = new StringBuilder("{");
    claims.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":")
        .append(v instanceof String ? "\"" + v + "\"" : v));
    json.append('}');
    return b64("{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\"}") + "." + b64(json.toString()) + ".";
  }

  private static String tamperPayload(String token) {
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), UTF_8);
    return parts[0] + "." + b64(payload.replace("\"sub\":\"", "\"sub\":\"x")) + "." + parts[2];
  }

  private static String tamperSignature(String token) {
    char[] chars = token.toCharArray();
    int i = chars.length - 5;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    return new String(chars);
  }

  /** A fresh user with a live WEB session, and ways to build tokens about it. */
  static final class Fixture {
    private static final AtomicInteger counter = new AtomicInteger();
    final String userId;
    final String sessionId;
    final TokenIssuer issuer;

    private Fixture(String userId, String sessionId, TokenIssuer issuer) {
      this.userId = userId;
      this.sessionId = sessionId;
      this.issuer = issuer;
    }

    static Fixture create(SessionStore sessions, TokenIssuer issuer) {
      int n = counter.incrementAndGet();
      Fixture fixture = new Fixture("u" + n, "s" + n, issuer);
      createSession(sessions, fixture.userId, fixture.sessionId, Terminal.WEB);
      return fixture;
    }

    Instant now() {
      return clock.instant();
    }

    String validToken() {
      return issuer.issueUserToken(userId, sessionId, Terminal.WEB, userId, null, now().plus(policy.absoluteLifetime()));
    }

    Map<String, Object> validClaims() {
      return Map.of("iss", ISSUER, "sub", userId, "sid", sessionId, "term", "WEB",
          "exp", now().plusSeconds(3600).getEpochSecond());
    }

    /** Valid claims, signed with the server's key unless told otherwise. */
    JWTCreator.Builder claims() {
      return JWT.create()
          .withKeyId(TokenKeys.hmac(SECRET).activeKid())
          .withIssuer(ISSUER)
          .withSubject(userId)
          .withClaim("sid", sessionId)
          .withClaim("term", "WEB")
          .withIssuedAt(Date.from(now()))
          .withExpiresAt(Date.from(now().plusSeconds(3600)));
    }

    JWTCreator.Builder claimsWithout(String claim) {
      JWTCreator.Builder builder = JWT.create().withKeyId(TokenKeys.hmac(SECRET).activeKid());
      Map<String, Object> all = new java.util.LinkedHashMap<>();
      all.put("iss", ISSUER);
      all.put("sub", userId);
      all.put("sid", sessionId);
      all.put("term", "WEB");
      all.put("exp", Date.from(now().plusSeconds(3600)));
      all.remove(claim);
      all.forEach((k, v) -> {
        if (v instanceof Date d) {
          builder.withClaim(k, d);
        } else {
          builder.withClaim(k, (String) v);
        }
      });
      return builder;
    }

    String sign(JWTCreator.Builder builder) {
      return sign(builder, Algorithm.HMAC256(SECRET), "at+jwt");
    }

    String sign(JWTCreator.Builder builder, Algorithm algorithm, String typ) {
      return builder.withHeader(Map.of("typ", typ)).sign(algorithm);
    }
  }

  /** A session store that counts writes, around a real one. */
  static final class CountingStore extends ForwardingSessionStore {
    final AtomicInteger touches = new AtomicInteger();
    final AtomicInteger attributeWrites = new AtomicInteger();

    CountingStore(SessionStore delegate) {
      super(delegate);
    }

    @Override
    public java.util.Optional<StoredSession> touch(StoredSession session) {
      touches.incrementAndGet();
      return delegate.touch(session);
    }

    @Override
    public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
      attributeWrites.incrementAndGet();
      return delegate.updateAttributes(userId, sessionId, changes);
    }
  }

  /** The test user service: GetMe answers from the session; Register is public. */
  static final class TestUserService extends UserServiceGrpc.UserServiceImplBase {
    static final Metadata.Key<String> SET_NICKNAME = Metadata.Key.of("x-set-nickname", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public void getMe(GetMeRequest request, StreamObserver<User> response) {
      Session session = Sessions.current();
      String rename = NicknameHeader.current();
      if (rename != null) {
        session.setAttribute("nickname", rename);
        if (rename.startsWith("fail:")) {
          throw new io.parley.error.ParleyException(ErrorReason.PERMISSION_DENIED, "changed, then refused");
        }
      }
      response.onNext(User.newBuilder()
          .setUserId(session.userId())
          .setNickname(session.attribute("nickname") == null ? "" : session.attribute("nickname"))
          .build());
      response.onCompleted();
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      response.onNext(RegisterResponse.newBuilder()
          .setUser(User.newBuilder().setUsername(request.getUsername()))
          .build());
      response.onCompleted();
    }
  }

  /** Passes the test-only {@code x-set-nickname} header to the handler through the Context. */
  static final class NicknameHeader implements io.grpc.ServerInterceptor {
    private static final io.grpc.Context.Key<String> KEY = io.grpc.Context.key("test-set-nickname");

    static String current() {
      return KEY.get();
    }

    @Override
    public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
        io.grpc.ServerCall<ReqT, RespT> call, Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
      String value = headers.get(TestUserService.SET_NICKNAME);
      return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(KEY, value), call, headers, next);
    }
  }

  /** The test friend service: CheckRelation answers "friends" to message-svc only. */
  static final class TestFriendService extends FriendServiceGrpc.FriendServiceImplBase {
    @Override
    public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
      response.onNext(CheckRelationResponse.newBuilder().setFriends("message-svc".equals(Sessions.callingService())).build());
      response.onCompleted();
    }
  }
}
