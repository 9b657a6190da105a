package io.parley.message;

import static io.parley.message.Errors.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Event;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SessionEnded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscribeTest {
  private static final int BUFFER = 8;

  @RegisterExtension
  static final MessageRig rig = MessageRig.start(MessageRig.settings()
      .withSubscriberBufferSize(BUFFER)
      .withSessionCheckInterval(Duration.ofMillis(50)));

  /** Waits (polling) until no stream of the replica is open: a closed stream is forgotten. */
  private void awaitNoSubscribers() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (rig.replica.module.subscriberCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(rig.replica.module.subscriberCount()).isZero();
  }

  @Test
  void theFirstEventIsSubscribedWithTheSessionId() {
    User user = rig.user();
    EventStream stream = EventStream.open(rig.asyncAs(user));
    try {
      Event first = stream.next();
      assertThat(first.hasSubscribed()).isTrue();
      assertThat(first.getSubscribed().getSessionId()).isNotEmpty();
      assertThat(first.hasTime()).isTrue();
    } finally {
      stream.cancel();
    }
  }

  @Test
  void everyDeviceOfBothParticipantsGetsANewMessageExceptTheSendingOne() {
    User[] pair = rig.friendsPair();
    User senderPhone = rig.login(pair[0].id(), Terminal.MOBILE);
    User peerDesktop = rig.login(pair[1].id(), Terminal.DESKTOP);
    EventStream senderWeb = EventStream.subscribed(rig.asyncAs(pair[0]));
    EventStream phone = EventStream.subscribed(rig.asyncAs(senderPhone));
    EventStream peerWeb = EventStream.subscribed(rig.asyncAs(pair[1]));
    EventStream desktop = EventStream.subscribed(rig.asyncAs(peerDesktop));
    try {
      SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "hello everywhere");
      SendMessageResponse reply = rig.sendTo(pair[1], pair[0], "hello back");

      for (EventStream stream : List.of(phone, peerWeb, desktop)) {
        Event event = stream.next();
        assertThat(event.getMessage().getMessageId()).isEqualTo(sent.getMessageId());
        assertThat(event.getMessage().getSeq()).isEqualTo(1);
        assertThat(event.getMessage().getContent().getText().getText()).isEqualTo("hello everywhere");
        assertThat(event.getTime()).isEqualTo(sent.getServerTime());
      }
      assertThat(senderWeb.next().getMessage().getMessageId()).isEqualTo(reply.getMessageId());
      assertThat(phone.next().getMessage().getMessageId()).isEqualTo(reply.getMessageId());
      assertThat(desktop.next().getMessage().getMessageId()).isEqualTo(reply.getMessageId());
    } finally {
      List.of(senderWeb, phone, peerWeb, desktop).forEach(EventStream::cancel);
    }
  }

  @Test
  void groupMessagesReachMembersInOrderAndNobodyElse() {
    User owner = rig.user();
    User member = rig.user();
    User outsider = rig.user();
    rig.friends().befriend(owner.id(), outsider.id());
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    EventStream memberStream = EventStream.subscribed(rig.asyncAs(member));
    EventStream outsiderStream = EventStream.subscribed(rig.asyncAs(outsider));
    try {
      List<Long> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(rig.sendToGroup(owner, group, "g" + i).getSeq());
      }
      rig.sendTo(owner, outsider, "marker");

      List<Long> received = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        received.add(memberStream.next().getMessage().getSeq());
      }
      assertThat(received).isEqualTo(sent);
      assertThat(outsiderStream.next().getMessage().getContent().getText().getText()).isEqualTo("marker");
    } finally {
      memberStream.cancel();
      outsiderStream.cancel();
    }
  }

  @Test
  void aKickedSessionIsToldAndItsStreamEndsUnauthenticated() {
    User user = rig.user();
    EventStream stream = EventStream.subscribed(rig.asyncAs(user));
    rig.login(user.id(), Terminal.WEB);  // the same terminal: kicks the first session

    assertThat(stream.next().getSessionEnded()).isEqualTo(SessionEnded.newBuilder().setReason("SESSION_KICKED").build());
    assertStatus(stream.awaitEnd(), Status.Code.UNAUTHENTICATED, ErrorReason.SESSION_KICKED);
  }

  @Test
  void aRevokedSessionIsToldAndItsStreamEndsWhileOtherDevicesStay() {
    User user = rig.user();
    User phone = rig.login(user.id(), Terminal.MOBILE);
    User friend = rig.user();
    rig.friends().befriend(user.id(), friend.id());
    EventStream web = EventStream.open(rig.asyncAs(user));
    String webSession = web.next().getSubscribed().getSessionId();
    EventStream mobile = EventStream.subscribed(rig.asyncAs(phone));
    try {
      assertThat(rig.platform.sessionStore().revoke(user.id(), webSession)).isTrue();

      assertThat(web.next().getSessionEnded().getReason()).isEqualTo("SESSION_REVOKED");
      assertStatus(web.awaitEnd(), Status.Code.UNAUTHENTICATED, ErrorReason.SESSION_REVOKED);
      rig.sendTo(friend, user, "still there?");
      assertThat(mobile.next().getMessage().getContent().getText().getText()).isEqualTo("still there?");
    } finally {
      mobile.cancel();
    }
  }

  @Test
  void anOpenStreamKeepsItsSessionAliveUntilTheSessionExpires() throws Exception {
    try (MessageRig own = MessageRig.start(MessageRig.settings().withSessionCheckInterval(Duration.ofMillis(20)))) {
      User user = own.user();
      EventStream stream = EventStream.open(own.asyncAs(user));
      String session = stream.next().getSubscribed().getSessionId();

      own.clock.advance(own.platform.sessionPolicy().touchInterval().plusSeconds(1));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!own.platform.sessionStore().find(user.id(), session).orElseThrow().lastAccess()
          .equals(own.clock.instant()) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(own.platform.sessionStore().find(user.id(), session).orElseThrow().lastAccess())
          .as("the connected session's activity is recorded").isEqualTo(own.clock.instant());

      own.clock.advance(own.platform.sessionPolicy().maxInactive().plusMinutes(1));
      assertThat(stream.next().getSessionEnded().getReason()).isEqualTo("SESSION_EXPIRED");
      assertStatus(stream.awaitEnd(), Status.Code.UNAUTHENTICATED, ErrorReason.SESSION_EXPIRED);
    }
  }

  @Test
  void aSlowSubscriberIsToldToResyncAndEndedWithoutHoldingOthersUp() {
    User[] pair = rig.friendsPair();
    User peerPhone = rig.login(pair[1].id(), Terminal.MOBILE);
    EventStream slow = EventStream.open(rig.asyncAs(pair[1]), 1);
    EventStream fast = EventStream.subscribed(rig.asyncAs(peerPhone));
    try {
      assertThat(slow.next().hasSubscribed()).isTrue();
      int sent = BUFFER * 4;
      for (int i = 0; i < sent; i++) {
        // Paced by the fast reader, which never falls behind; the slow one reads nothing.
        rig.sendTo(pair[0], pair[1], "flood " + i);
        Event next = fast.next();
        assertThat(next.getMessage().getSeq()).as("%s", next).isEqualTo(i + 1);
      }

      slow.request(Integer.MAX_VALUE);
      List<Event> received = new ArrayList<>();
      Event event;
      do {
        event = slow.next();
        received.add(event);
      } while (event.hasMessage());
      assertThat(event.hasResyncRequired()).isTrue();
      assertThat(received.size() - 1).isLessThan(sent);
      assertStatus(slow.awaitEnd(), Status.Code.RESOURCE_EXHAUSTED, ErrorReason.SUBSCRIBER_TOO_SLOW);
    } finally {
      slow.cancel();
      fast.cancel();
    }
  }

  @Test
  void aSessionOpeningMoreStreamsThanItMayHoldEndsItsOldestWithSubscriptionReplaced() {
    int max = MessageSettings.defaults().maxStreamsPerSession();
    User[] pair = rig.friendsPair();
    User phone = rig.login(pair[1].id(), Terminal.MOBILE);
    List<EventStream> web = new ArrayList<>();
    List<EventStream> mobile = new ArrayList<>();
    try {
      for (int i = 0; i < max; i++) {
        web.add(EventStream.subscribed(rig.asyncAs(pair[1])));
        mobile.add(EventStream.subscribed(rig.asyncAs(phone)));
      }
      assertThat(web).noneMatch(EventStream::isEnded);

      web.add(EventStream.subscribed(rig.asyncAs(pair[1])));
      web.add(EventStream.subscribed(rig.asyncAs(pair[1])));

      for (EventStream replaced : web.subList(0, 2)) {
        Throwable ended = replaced.awaitEnd();
        assertStatus(ended, Status.Code.RESOURCE_EXHAUSTED, ErrorReason.SUBSCRIPTION_REPLACED);
        assertThat(Errors.errorInfo(ended).getMetadataMap()).containsEntry("max_streams_per_session",
            Integer.toString(max));
      }
      // The session's newest streams, and every stream of its other session, still get events.
      rig.sendTo(pair[0], pair[1], "who is listening?");
      for (EventStream live : concat(web.subList(2, web.size()), mobile)) {
        assertThat(live.next().getMessage().getContent().getText().getText()).isEqualTo("who is listening?");
        assertThat(live.isEnded()).isFalse();
      }
    } finally {
      concat(web, mobile).forEach(EventStream::cancel);
    }
  }

  private static List<EventStream> concat(List<EventStream> a, List<EventStream> b) {
    List<EventStream> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void aCancelledStreamIsForgotten() throws Exception {
    awaitNoSubscribers();
    User user = rig.user();
    EventStream stream = EventStream.subscribed(rig.asyncAs(user));
    assertThat(rig.replica.module.subscriberCount()).isEqualTo(1);
    stream.cancel();
    awaitNoSubscribers();
  }

  @Test
  void anonymousCallersCannotSubscribe() {
    EventStream stream = EventStream.open(rig.replica.anonymousAsync());
    assertStatus(stream.awaitEnd(), Status.Code.UNAUTHENTICATED, ErrorReason.TOKEN_MISSING);
  }
}
