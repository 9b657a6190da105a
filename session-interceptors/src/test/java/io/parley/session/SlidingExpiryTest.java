package io.parley.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenIssuer;
import io.parley.auth.TokenKeys;
import io.parley.auth.TokenVerifier;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.server.ParleyServer;
import io.parley.session.v1.SessionRecord;
import io.parley.testing.MutableClock;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sliding expiry through the real chain, on two replicas (each a cache over its own Redis store)
 * sharing one redis-server, with a clock the test moves. The idle limit is 16 minutes, so activity
 * is recorded at most once a minute: the stated tolerance is that an idle session expires between
 * {@code limit - touch interval - 1 s} and {@code limit} after its last call, never after.
 */
class SlidingExpiryTest {
  private static final SessionPolicy POLICY = SessionPolicy.defaults().withMaxInactive(Duration.ofMinutes(16));
  private static final byte[] SECRET = "sliding-expiry-test-secret-32-bytes!".getBytes(UTF_8);

  private static RedisServer redis;
  private static MutableClock clock;
  private static RedisSessionStore plain;
  private static TokenIssuer issuer;
  private static Replica a;
  private static Replica b;

  @BeforeAll
  static void start() throws InterruptedException {
    assertThat(POLICY.touchInterval()).isEqualTo(Duration.ofMinutes(1));
    redis = RedisServer.start();
    clock = MutableClock.startingNow();
    plain = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
    issuer = new TokenIssuer(TokenKeys.hmac(SECRET), "parley", clock);
    a = new Replica("sliding-a");
    b = new Replica("sliding-b");
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    plain.close();
    redis.close();
  }

  @Test
  void anIdleSessionExpiresLessThanATouchIntervalBeforeItsLimitAndNeverAfter() {
    Instant start = clock.instant();
    String token = login();

    clock.set(start.plusSeconds(30));
    a.call(token);
    assertThat(recorded(token)).as("30 s after login: nothing to record yet").isEqualTo(start);

    clock.set(start.plusSeconds(90));
    b.call(token);
    soon().until(() -> recorded(token).equals(start.plusSeconds(90)));

    // Replica A's copy still says the login time; the store already has better, and keeps it.
    clock.set(start.plusSeconds(120));
    a.call(token);
    soon().until(() -> a.lastAccess(token).equals(start.plusSeconds(90)));
    assertThat(recorded(token)).isEqualTo(start.plusSeconds(90));

    clock.set(start.plusSeconds(149));
    b.call(token);
    Instant lastCall = clock.instant();
    assertThat(recorded(token)).as("59 s after the recorded activity: not recorded").isEqualTo(start.plusSeconds(90));

    // Idle from here. Not expired before the tolerance window opens...
    clock.set(lastCall.plus(POLICY.maxInactive()).minus(POLICY.touchInterval()).minusSeconds(1));
    assertThat(plain.find(userId(token), sessionId(token)).orElseThrow().isLive(clock.instant())).isTrue();
    assertThat(a.cache.find(userId(token), sessionId(token)).orElseThrow().isLive(clock.instant())).isTrue();
    // ...and refused on every replica once the limit has passed since the last call.
    clock.set(lastCall.plus(POLICY.maxInactive()));
    for (Replica replica : new Replica[] {a, b}) {
      assertThatThrownBy(() -> replica.call(token)).isInstanceOfSatisfying(StatusRuntimeException.class,
          e -> assertThat(SessionServerInterceptorTest.reasonOf(e)).isEqualTo(ErrorReason.SESSION_EXPIRED.name()));
    }
  }

  @Test
  void aSessionInUseNeverExpiresAndIsWrittenAtMostOncePerTouchInterval() {
    String token = login();
    long writesBefore = redis.commandCount("hset");
    int calls = 0;

    for (Duration elapsed = Duration.ZERO; elapsed.compareTo(Duration.ofMinutes(40)) < 0; elapsed = elapsed.plusSeconds(50)) {
      clock.advance(Duration.ofSeconds(50));
      (calls % 2 == 0 ? a : b).call(token);
      calls++;
      soon().until(() -> a.cache.pendingActivity() == 0 && b.cache.pendingActivity() == 0);
    }

    long writes = redis.commandCount("hset") - writesBefore;
    assertThat(calls).isEqualTo(48);
    assertThat(writes).as("activity writes in 40 minutes").isBetween(20L, 41L);
    assertThat(plain.find(userId(token), sessionId(token)).orElseThrow().isLive(clock.instant())).isTrue();
  }

  private static String login() {
    String userId = Ids.newId("u");
    String sessionId = Ids.newSessionId();
    Instant now = clock.instant();
    Instant expires = now.plus(POLICY.absoluteLifetime());
    a.cache.create(SessionRecord.newBuilder()
        .setUserId(userId)
        .setSessionId(sessionId)
        .setTerminal(Terminal.WEB_VALUE)
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(POLICY.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(expires.toEpochMilli())
        .build(), TerminalPolicy.PER_TERMINAL);
    return userId + " " + sessionId + " " + issuer.issueUserToken(userId, sessionId, Terminal.WEB, null, null, expires);
  }

  private static String userId(String token) {
    return token.split(" ")[0];
  }

  private static String sessionId(String token) {
    return token.split(" ")[1];
  }

  /** The last access the store has recorded. */
  private static Instant recorded(String token) {
    return plain.find(userId(token), sessionId(token)).orElseThrow().lastAccess();
  }


  /** Awaitility, polling often: what is awaited here takes milliseconds. */
  private static ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
  }

  /** A replica: a cache over its own Redis store, behind the session interceptor of its own server. */
  private static final class Replica implements AutoCloseable {
    final CachingSessionStore cache;
    final ParleyServer server;
    final ManagedChannel channel;

    Replica(String name) throws InterruptedException {
      RedisSessionStore shared = RedisSessionStore.builder(redis.url()).clock(clock).policy(POLICY).build();
      assertThat(shared.awaitEvents(Duration.ofSeconds(5))).isTrue();
      cache = CachingSessionStore.builder(shared).clock(clock).activityGather(Duration.ofMillis(10)).build();
      TokenVerifier verifier = TokenVerifier.builder(TokenKeys.hmac(SECRET)).clock(clock).build();
      server = ParleyServer.builder().inProcess(name).directExecutor()
          .sessions(new SessionServerInterceptor(verifier, cache, POLICY, clock))
          .addService(new UserServiceGrpc.UserServiceImplBase() {
            @Override
            public void getMe(GetMeRequest request, StreamObserver<User> response) {
              response.onNext(User.newBuilder().setUserId(Sessions.current().userId()).build());
              response.onCompleted();
            }
          })
          .build().start();
      channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    void call(String token) {
      Metadata headers = new Metadata();
      headers.put(SessionServerInterceptor.AUTHORIZATION, "Bearer " + token.split(" ")[2]);
      UserServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .getMe(GetMeRequest.getDefaultInstance());
    }

    Instant lastAccess(String token) {
      return cache.find(userId(token), sessionId(token)).orElseThrow().lastAccess();
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.close();
      cache.close();
    }
  }
}
