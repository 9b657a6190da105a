package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Event;
import io.parley.message.v1.GetPresenceRequest;
import io.parley.message.v1.Presence;
import io.parley.message.v1.PresenceDevice;
import io.parley.message.v1.PresenceVisibility;
import io.parley.message.v1.SetPresenceVisibilityRequest;
import io.parley.message.v1.SubscribeRequest;
import io.parley.testing.WebhookReceiver;
import io.parley.webhook.WebhookSettings;
import io.parley.webhook.WebhookSignature;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Presence on one replica: who sees whom, on Subscribe and with GetPresence. */
class PresenceTest {
  @RegisterExtension
  static final MessageRig rig = MessageRig.start();

  /** How long a test waits to show that no event comes. */
  private static final long QUIET_MILLIS = 300;

  private static Presence nextPresence(EventStream stream) {
    Event event = stream.next();
    assertThat(event.hasPresence()).as("a presence event: %s", event).isTrue();
    return event.getPresence();
  }

  private static Presence get(User viewer, User target) {
    return rig.as(viewer).getPresence(GetPresenceRequest.newBuilder().addUserIds(target.id()).build())
        .getPresences(0);
  }

  private static void setVisibility(User user, PresenceVisibility visibility) {
    rig.as(user).setPresenceVisibility(SetPresenceVisibilityRequest.newBuilder().setVisibility(visibility).build());
  }

  private static void assertNothingComes(EventStream stream) {
    assertThat(stream.poll(QUIET_MILLIS)).isNull();
  }

  @Test
  void aFriendSeesTheWatchedFriendComeOnlineThenGoOfflineWithLastSeen() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), alice.id());
    try {
      assertThat(nextPresence(bob)).as("never seen").isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());

      EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
      Presence online = nextPresence(bob);
      assertThat(online.getOnline()).isTrue();
      assertThat(online.getDevicesList()).containsExactly(PresenceDevice.newBuilder().setTerminal(Terminal.WEB)
          .setOnlineSince(Timestamps.fromMillis(rig.clock.millis())).build());
      assertThat(get(pair[1], alice)).isEqualTo(online);

      rig.clock.advance(Duration.ofMinutes(3));
      aliceStream.cancel();
      Presence offline = nextPresence(bob);
      assertThat(offline.getOnline()).isFalse();
      assertThat(offline.getDevicesList()).isEmpty();
      assertThat(offline.getLastSeen()).isEqualTo(Timestamps.fromMillis(rig.clock.millis()));
      assertThat(get(pair[1], alice)).isEqualTo(offline);
    } finally {
      bob.cancel();
    }
  }

  @Test
  void aSecondDeviceIsShownWithoutTheUserComingOnlineAgain() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    EventStream web = EventStream.subscribed(rig.asyncAs(alice));
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), alice.id());
    try {
      assertThat(nextPresence(bob).getDevicesList()).extracting(PresenceDevice::getTerminal)
          .containsExactly(Terminal.WEB);

      rig.clock.advance(Duration.ofSeconds(1));
      User phone = rig.login(alice.id(), Terminal.MOBILE);
      EventStream mobile = EventStream.subscribed(rig.asyncAs(phone));
      Presence both = nextPresence(bob);
      assertThat(both.getOnline()).isTrue();
      assertThat(both.getDevicesList()).extracting(PresenceDevice::getTerminal)
          .containsExactly(Terminal.WEB, Terminal.MOBILE);

      web.cancel();
      Presence stillOnline = nextPresence(bob);
      assertThat(stillOnline.getOnline()).isTrue();
      assertThat(stillOnline.hasLastSeen()).isFalse();
      assertThat(stillOnline.getDevicesList()).extracting(PresenceDevice::getTerminal)
          .containsExactly(Terminal.MOBILE);
      mobile.cancel();
      assertThat(nextPresence(bob).getOnline()).isFalse();
    } finally {
      bob.cancel();
    }
  }

  @Test
  void aSecondStreamOfOneSessionChangesNothing() {
    User[] pair = rig.friendsPair();
    EventStream first = EventStream.subscribed(rig.asyncAs(pair[0]));
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), pair[0].id());
    try {
      assertThat(nextPresence(bob).getDevicesCount()).isEqualTo(1);
      EventStream second = EventStream.subscribed(rig.asyncAs(pair[0]));
      assertNothingComes(bob);
      first.cancel();
      assertNothingComes(bob);
      second.cancel();
      assertThat(nextPresence(bob).getOnline()).isFalse();
    } finally {
      bob.cancel();
    }
  }

  @Test
  void anOlderPresenceArrivingLateIsNotHandedOn() {
    User[] pair = rig.friendsPair();
    EventStream alice = EventStream.subscribed(rig.asyncAs(pair[0]));
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), pair[0].id());
    try {
      Presence current = nextPresence(bob);
      assertThat(current.getVersion()).isPositive();

      rig.replica.module.presence().deliver(Event.newBuilder().setPresence(current.toBuilder()
          .setOnline(false).clearDevices().setVersion(current.getVersion() - 1)).build());

      assertNothingComes(bob);
    } finally {
      bob.cancel();
      alice.cancel();
    }
  }

  @Test
  void nobodyHidesAUserFromFriendsButNotFromThemself() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    setVisibility(alice, PresenceVisibility.NOBODY);
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), alice.id());
    EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
    try {
      assertNothingComes(bob);
      assertThat(get(pair[1], alice)).isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
      Presence own = get(alice, alice);
      assertThat(own.getOnline()).isTrue();
      assertThat(own.getVisibility()).isEqualTo(PresenceVisibility.NOBODY);
    } finally {
      bob.cancel();
      aliceStream.cancel();
    }
  }

  @Test
  void aStrangerSeesNothingAndIsAnsweredAsForAUserNeverSeen() {
    User alice = rig.user();
    User stranger = rig.user();
    EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
    EventStream watcher = EventStream.watching(rig.asyncAs(stranger), alice.id());
    try {
      assertNothingComes(watcher);
      assertThat(get(stranger, alice)).isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
      User neverSeen = rig.user();
      assertThat(get(stranger, neverSeen)).isEqualTo(Presence.newBuilder().setUserId(neverSeen.id()).build());
      assertThat(rig.replica.module.presence().watcherCount(alice.id())).isZero();
    } finally {
      watcher.cancel();
      aliceStream.cancel();
    }
  }

  @Test
  void aBlockEitherWayHidesPresence() {
    User[] pair = rig.friendsPair();
    User[] other = rig.friendsPair();
    rig.friends().block(pair[0].id(), pair[1].id());
    rig.friends().block(other[1].id(), other[0].id());
    EventStream a = EventStream.subscribed(rig.asyncAs(pair[0]));
    EventStream b = EventStream.subscribed(rig.asyncAs(other[0]));
    try {
      assertThat(get(pair[1], pair[0]).getOnline()).as("blocked by the target").isFalse();
      assertThat(get(other[1], other[0]).getOnline()).as("the viewer blocked the target").isFalse();
      assertThat(get(pair[0], pair[0]).getOnline()).isTrue();
    } finally {
      a.cancel();
      b.cancel();
    }
  }

  @Test
  void aFellowGroupMemberSeesPresenceWithFriendsAndGroupsButNotWithFriends() {
    User alice = rig.user();
    User member = rig.user();
    String group = rig.groups().create(alice.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
    try {
      EventStream watcher = EventStream.watching(rig.asyncAs(member), alice.id());
      assertThat(nextPresence(watcher).getOnline()).isTrue();
      watcher.cancel();
      assertThat(get(member, alice).getOnline()).isTrue();

      setVisibility(alice, PresenceVisibility.FRIENDS);
      assertThat(get(member, alice).getOnline()).isFalse();
      EventStream hidden = EventStream.watching(rig.asyncAs(member), alice.id());
      assertNothingComes(hidden);
      hidden.cancel();
      assertThat(get(alice, alice).getVisibility()).isEqualTo(PresenceVisibility.FRIENDS);
    } finally {
      aliceStream.cancel();
    }
  }

  /**
   * {@code watcher} watches {@code alice}, a fellow member of their one group, who is online; then
   * {@code leave} ends what they share. The watch ends with alice shown as never seen.
   */
  private static void assertLeavingStopsTheWatch(java.util.function.BiConsumer<String, User[]> leave) {
    User alice = rig.user();
    User watcher = rig.user();
    String group = rig.groups().create(alice.id());
    rig.groups().add(group, watcher.id(), GroupRole.MEMBER);
    EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
    EventStream watch = EventStream.watching(rig.asyncAs(watcher), alice.id());
    try {
      assertThat(nextPresence(watch).getOnline()).isTrue();

      leave.accept(group, new User[] {alice, watcher});

      assertThat(nextPresence(watch)).as("shown as never seen")
          .isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> rig.replica.module.presence().watcherCount(alice.id()) == 0);
      aliceStream.cancel();
      assertNothingComes(watch);
      assertThat(watch.isEnded()).as("the stream itself goes on").isFalse();
    } finally {
      aliceStream.cancel();
      watch.cancel();
    }
  }

  @Test
  void aWatcherWhoLeavesTheOnlySharedGroupStopsWatchingItsMembers() {
    assertLeavingStopsTheWatch((group, users) -> rig.groups().remove(group, users[1].id()));
  }

  @Test
  void aWatchedUserWhoLeavesTheOnlySharedGroupIsNoLongerWatchedThroughIt() {
    assertLeavingStopsTheWatch((group, users) -> rig.groups().remove(group, users[0].id()));
  }

  @Test
  void dismissingTheOnlySharedGroupStopsTheWatch() {
    assertLeavingStopsTheWatch((group, users) -> rig.groups().dismiss(group));
  }

  @Test
  void leavingOneOfTwoSharedGroupsKeepsTheWatch() {
    User alice = rig.user();
    User watcher = rig.user();
    String first = rig.groups().create(alice.id());
    String second = rig.groups().create(alice.id());
    rig.groups().add(first, watcher.id(), GroupRole.MEMBER);
    rig.groups().add(second, watcher.id(), GroupRole.MEMBER);
    EventStream aliceStream = EventStream.subscribed(rig.asyncAs(alice));
    EventStream watch = EventStream.watching(rig.asyncAs(watcher), alice.id());
    try {
      assertThat(nextPresence(watch).getOnline()).isTrue();

      rig.groups().remove(first, watcher.id());

      assertNothingComes(watch);
      aliceStream.cancel();
      assertThat(nextPresence(watch).getOnline()).as("alice's going offline still comes").isFalse();
    } finally {
      aliceStream.cancel();
      watch.cancel();
    }
  }

  private static void assertHidingStopsTheWatch(java.util.function.BiConsumer<User, User> hide) {
    PresenceHiding.assertHidingStopsTheWatch(rig.friends(), rig::user, rig.replica, rig.replica, hide);
  }

  @Test
  void aBlockStopsAnOpenWatchWithALastPresenceAsNeverSeen() {
    assertHidingStopsTheWatch((alice, bob) -> rig.friends().block(alice.id(), bob.id()));
  }

  @Test
  void beingBlockedByTheWatchedUserStopsTheWatchToo() {
    assertHidingStopsTheWatch((alice, bob) -> rig.friends().block(bob.id(), alice.id()));
  }

  @Test
  void anUnfriendStopsAnOpenWatchWithALastPresenceAsNeverSeen() {
    assertHidingStopsTheWatch((alice, bob) -> rig.friends().unfriend(alice.id(), bob.id()));
  }

  @Test
  void aBlockStopsTheWatchBothWays() {
    User[] pair = rig.friendsPair();
    EventStream first = EventStream.watching(rig.asyncAs(pair[0]), pair[1].id());
    EventStream second = EventStream.watching(rig.asyncAs(pair[1]), pair[0].id());
    try {
      assertThat(nextPresence(first).getOnline()).as("not yet online").isFalse();
      assertThat(nextPresence(second).getOnline()).isTrue();
      assertThat(nextPresence(first).getOnline()).isTrue();

      rig.friends().block(pair[0].id(), pair[1].id());

      assertThat(nextPresence(first)).isEqualTo(Presence.newBuilder().setUserId(pair[1].id()).build());
      assertThat(nextPresence(second)).isEqualTo(Presence.newBuilder().setUserId(pair[0].id()).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> rig.replica.module.presence().watcherCount(pair[0].id()) == 0
          && rig.replica.module.presence().watcherCount(pair[1].id()) == 0);
    } finally {
      first.cancel();
      second.cancel();
    }
  }

  @Test
  void settingNobodyStopsOpenWatchesButNotTheUsersOwn() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    EventStream own = EventStream.watching(rig.asyncAs(alice), alice.id());
    EventStream bob = EventStream.watching(rig.asyncAs(pair[1]), alice.id());
    try {
      assertThat(nextPresence(own).getOnline()).isTrue();
      assertThat(nextPresence(bob).getOnline()).isTrue();

      setVisibility(alice, PresenceVisibility.NOBODY);

      assertThat(nextPresence(bob)).isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> rig.replica.module.presence().watcherCount(alice.id()) == 1);
      EventStream mobile = EventStream.subscribed(rig.asyncAs(rig.login(alice.id(), Terminal.MOBILE)));
      assertThat(nextPresence(own).getDevicesCount()).isEqualTo(2);
      assertNothingComes(bob);
      mobile.cancel();
    } finally {
      own.cancel();
      bob.cancel();
    }
  }

  @Test
  void tooManyUsersOrAnUnsetVisibilityAreRefusedWithAReason() {
    User me = rig.user();
    List<String> tooMany = IntStream.rangeClosed(0, PresenceTracker.MAX_WATCHED).mapToObj(i -> "u" + i).toList();
    EventStream stream = EventStream.open(rig.asyncAs(me), SubscribeRequest.newBuilder()
        .addAllPresenceUserIds(tooMany).build());
    Errors.assertStatus(stream.awaitEnd(), Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);

    List<String> overAsked = Collections.nCopies(PresenceTracker.MAX_ASKED + 1, me.id());
    assertFails(() -> rig.as(me).getPresence(GetPresenceRequest.newBuilder().addAllUserIds(overAsked).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertFails(() -> rig.as(me).getPresence(GetPresenceRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertFails(() -> setVisibility(me, PresenceVisibility.PRESENCE_VISIBILITY_UNSPECIFIED),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
  }

  @Test
  void theLastDeviceGoingOfflineSendsTheUserOfflineWebhook() {
    byte[] secret = "presence-webhook-secret-01".getBytes(UTF_8);
    try (WebhookReceiver receiver = WebhookReceiver.start();
        MessageRig hooked = MessageRig.withWebhooks(WebhookSettings.builder().url(receiver.url("/events"))
            .secret(secret).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build(), null)) {
      User alice = hooked.user();
      EventStream web = EventStream.subscribed(hooked.asyncAs(alice));
      EventStream mobile = EventStream.subscribed(hooked.asyncAs(hooked.login(alice.id(), Terminal.MOBILE)));
      web.cancel();
      mobile.cancel();

      await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 1);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(15))
          .until(() -> receiver.received().size() == 1);
      WebhookReceiver.Received got = receiver.received().get(0);
      assertThat(new WebhookSignature(secret).verify(got.signature(), got.body(), Instant.now(), Duration.ofMinutes(5)))
          .isTrue();
      JsonObject body = JsonParser.parseString(got.text()).getAsJsonObject();
      assertThat(body.get("type").getAsString()).isEqualTo("user.offline");
      assertThat(got.idempotencyKey()).startsWith("user.offline:" + alice.id() + ":");
      assertThat(body.getAsJsonObject("data").get("userId").getAsString()).isEqualTo(alice.id());
      assertThat(body.getAsJsonObject("data").get("lastSeen").getAsString())
          .isEqualTo(Timestamps.toString(Timestamps.fromMillis(hooked.clock.millis())));
    }
  }
}
