package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.message.v1.Event;
import io.parley.message.v1.Presence;
import io.parley.message.v1.PresenceVisibility;
import io.parley.message.v1.SetPresenceVisibilityRequest;
import io.parley.server.Platform;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import io.parley.testing.WebhookReceiver;
import io.parley.webhook.WebhookSettings;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Presence across message-svc replicas, each with its own platform, on one real Redis: devices and
 * watchers on different replicas, and a replica that dies without closing its streams, whose devices
 * go offline once their leases run out (short leases here), reported once, with one {@code
 * user.offline} webhook; a watch on one replica ended by a block, an unfriend or a visibility set on
 * the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceAcrossReplicasTest {
  private static final PresenceTracker.Timing TIMING =
      new PresenceTracker.Timing(Duration.ofMillis(1200), Duration.ofMillis(300));

  private RedisServer redis;
  private Platform platformA;
  private Platform platformB;
  private Upstreams upstreams;
  private WebhookReceiver receiver;
  private Replica a;
  private Replica b;

  @BeforeAll
  void start() {
    redis = RedisServer.start();
    platformA = TestPlatforms.create(redis.url(), Clock.systemUTC());
    platformB = TestPlatforms.create(redis.url(), Clock.systemUTC());
    upstreams = Upstreams.start(platformA);
    receiver = WebhookReceiver.start();
    a = replica(platformA);
    b = replica(platformB);
  }

  private Replica replica(Platform platform) {
    return Replica.inProcess(platform, MessageRig.settings(), upstreams.target(), null, webhooks(), TIMING);
  }

  private WebhookSettings webhooks() {
    return WebhookSettings.builder().url(receiver.url("/events"))
        .secret("presence-webhook-secret-01".getBytes(UTF_8))
        .events(java.util.Set.of(WebhookSettings.USER_OFFLINE))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
  }

  @AfterAll
  void stop() {
    a.close();
    b.close();
    receiver.close();
    upstreams.close();
    platformA.close();
    platformB.close();
    redis.close();
  }

  private User user() {
    String id = Ids.newId("u");
    return new User(id, TestSessions.login(platformA, id, Terminal.WEB));
  }

  private long offlineHooks(User user) {
    return receiver.received().stream()
        .filter(r -> r.idempotencyKey().startsWith("user.offline:" + user.id() + ":"))
        .count();
  }

  private static Presence nextPresence(EventStream stream) {
    Event event = stream.next();
    assertThat(event.hasPresence()).as("a presence event: %s", event).isTrue();
    return event.getPresence();
  }

  @Test
  void aWatcherOnOneReplicaSeesADeviceOnTheOtherForAsLongAsItsStreamIsOpen() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    EventStream watcher = EventStream.watching(b.asyncAs(bob), alice.id());
    try {
      assertThat(nextPresence(watcher).getOnline()).isFalse();

      EventStream aliceOnA = EventStream.subscribed(a.asyncAs(alice));
      assertThat(nextPresence(watcher).getOnline()).isTrue();
      assertThat(watcher.poll(TIMING.lease().multipliedBy(2).toMillis()))
          .as("renewed leases hold beyond their length").isNull();

      aliceOnA.cancel();
      Presence offline = nextPresence(watcher);
      assertThat(offline.getOnline()).isFalse();
      assertThat(offline.hasLastSeen()).isTrue();
    } finally {
      watcher.cancel();
    }
  }

  private void assertHidingStopsTheWatchOnTheOtherReplica(java.util.function.BiConsumer<User, User> hide) {
    PresenceHiding.assertHidingStopsTheWatch(upstreams.friends, this::user, a, b, hide);
  }

  @Test
  void aBlockStopsAWatchOnTheOtherReplica() {
    assertHidingStopsTheWatchOnTheOtherReplica((alice, bob) -> upstreams.friends.block(alice.id(), bob.id()));
  }

  @Test
  void anUnfriendStopsAWatchOnTheOtherReplica() {
    assertHidingStopsTheWatchOnTheOtherReplica((alice, bob) -> upstreams.friends.unfriend(bob.id(), alice.id()));
  }

  @Test
  void settingNobodyOnOneReplicaStopsWatchesOnTheOther() {
    // The setting is kept where both replicas read it: PostgreSQL.
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    try (Replica first = Replica.inProcess(platformA, MessageRig.settings(), upstreams.target(), database,
            WebhookSettings.none(), TIMING);
        Replica second = Replica.inProcess(platformB, MessageRig.settings(), upstreams.target(), database,
            WebhookSettings.none(), TIMING)) {
      User alice = user();
      User bob = user();
      upstreams.friends.befriend(alice.id(), bob.id());
      EventStream aliceOnFirst = EventStream.subscribed(first.asyncAs(alice));
      EventStream bobOnSecond = EventStream.watching(second.asyncAs(bob), alice.id());
      try {
        assertThat(nextPresence(bobOnSecond).getOnline()).isTrue();

        first.as(alice).setPresenceVisibility(SetPresenceVisibilityRequest.newBuilder()
            .setVisibility(PresenceVisibility.NOBODY).build());

        assertThat(nextPresence(bobOnSecond)).isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> second.module.presence().watcherCount(alice.id()) == 0);
      } finally {
        aliceOnFirst.cancel();
        bobOnSecond.cancel();
      }
    }
  }

  @Test
  void aReplicaShuttingDownLetsItsDevicesGoAtOnce() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    // Leases of a minute: only the shutdown can take alice offline within this test.
    Replica leaving = Replica.inProcess(platformA, MessageRig.settings(), upstreams.target(), null, webhooks(),
        PresenceTracker.Timing.defaults());
    EventStream watcher = EventStream.watching(b.asyncAs(bob), alice.id());
    try {
      assertThat(nextPresence(watcher).getOnline()).isFalse();
      EventStream.subscribed(leaving.asyncAs(alice));
      assertThat(nextPresence(watcher).getOnline()).isTrue();

      leaving.close();

      assertThat(nextPresence(watcher).getOnline()).isFalse();
    } finally {
      watcher.cancel();
    }
  }

  @Test
  void aKilledReplicasDevicesGoOfflineAfterTheLeaseOnceWithOneWebhook() {
    User alice = user();
    User bob = user();
    upstreams.friends.befriend(alice.id(), bob.id());
    Replica doomed = replica(platformA);
    EventStream watcher = EventStream.watching(b.asyncAs(bob), alice.id());
    try {
      assertThat(nextPresence(watcher).getOnline()).isFalse();
      EventStream.subscribed(doomed.asyncAs(alice));
      EventStream.subscribed(doomed.asyncAs(new User(alice.id(),
          TestSessions.login(platformA, alice.id(), Terminal.MOBILE))));
      assertThat(nextPresence(watcher).getDevicesCount()).isEqualTo(1);
      assertThat(nextPresence(watcher).getDevicesCount()).isEqualTo(2);
      long killedAt = System.currentTimeMillis();

      doomed.kill();

      // The two leases may be swept by different replicas, whose reports can reach the log in either
      // order; a watcher is never handed one older than the last, so the one-device step may be skipped.
      Presence offline = nextPresence(watcher);
      if (offline.getOnline()) {
        assertThat(offline.getDevicesCount()).as("one lease swept").isEqualTo(1);
        offline = nextPresence(watcher);
      }
      assertThat(offline.getOnline()).isFalse();
      assertThat(offline.getDevicesCount()).isZero();
      assertThat(System.currentTimeMillis() - killedAt).as("gone within a lease and a sweep")
          .isLessThan(TIMING.lease().plus(TIMING.renewEvery()).toMillis() + 1000);
      assertThat(watcher.poll(500)).as("reported once").isNull();
      await().atMost(Duration.ofSeconds(15)).until(() -> offlineHooks(alice) == 1);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(15)).until(() -> offlineHooks(alice) == 1);
    } finally {
      watcher.cancel();
    }
  }
}
