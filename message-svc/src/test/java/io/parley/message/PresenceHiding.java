package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.message.v1.Event;
import io.parley.message.v1.Presence;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The scenario of a watch ended because its viewer may no longer see the watched user, on one
 * replica or across two: alice online on {@code aliceSide}, watched on {@code watcherSide} by bob and
 * carol (both her friends); {@code hide} makes alice invisible to bob. Bob's stream gets one last
 * presence of alice as never seen, then nothing of her, while carol's stream (on the same replica:
 * it shows that alice's later changes were delivered there) still sees her go offline.
 */
final class PresenceHiding {
  private PresenceHiding() {}

  static void assertHidingStopsTheWatch(FakeFriendService friends, Supplier<User> users, Replica aliceSide,
      Replica watcherSide, BiConsumer<User, User> hide) {
    User alice = users.get();
    User bob = users.get();
    User carol = users.get();
    friends.befriend(alice.id(), bob.id());
    friends.befriend(alice.id(), carol.id());
    EventStream aliceStream = EventStream.subscribed(aliceSide.asyncAs(alice));
    EventStream bobWatch = EventStream.watching(watcherSide.asyncAs(bob), alice.id());
    EventStream carolWatch = EventStream.watching(watcherSide.asyncAs(carol), alice.id());
    try {
      assertThat(nextPresence(bobWatch).getOnline()).isTrue();
      assertThat(nextPresence(carolWatch).getOnline()).isTrue();

      hide.accept(alice, bob);

      assertThat(nextPresence(bobWatch)).as("shown as never seen")
          .isEqualTo(Presence.newBuilder().setUserId(alice.id()).build());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> watcherSide.module.presence().watcherCount(alice.id()) == 1);
      aliceStream.cancel();
      assertThat(nextPresence(carolWatch).getOnline()).isFalse();
      assertThat(bobWatch.poll(300)).as("nothing more of alice").isNull();
      assertThat(bobWatch.isEnded()).as("the stream itself goes on").isFalse();
    } finally {
      aliceStream.cancel();
      bobWatch.cancel();
      carolWatch.cancel();
    }
  }

  private static Presence nextPresence(EventStream stream) {
    Event event = stream.next();
    assertThat(event.hasPresence()).as("a presence event: %s", event).isTrue();
    return event.getPresence();
  }
}
