package io.parley.message;

import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.retryInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.message.v1.GetPresenceRequest;
import io.parley.message.v1.PresenceVisibility;
import io.parley.message.v1.SetPresenceVisibilityRequest;
import io.parley.message.v1.SubscribeRequest;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opening Subscribe streams is limited per user: a client reopening streams in a loop cost upstream
 * calls and presence events. On the test clock, which stands still unless moved.
 */
class SubscribeRateLimitTest {
  @RegisterExtension
  static final MessageRig rig = MessageRig.start();

  private static SubscribeRequest watching(List<String> userIds) {
    return SubscribeRequest.newBuilder().addAllPresenceUserIds(userIds).build();
  }

  private static Throwable assertRefused(EventStream stream, String limit) {
    Throwable thrown = stream.awaitEnd();
    Errors.assertStatus(thrown, Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(errorInfo(thrown).getMetadataMap()).containsEntry("limit", limit);
    assertThat(Durations.toMillis(retryInfo(thrown).getRetryDelay())).isPositive();
    return thrown;
  }

  private static boolean online(User user) {
    return rig.as(user).getPresence(GetPresenceRequest.newBuilder().addUserIds(user.id()).build())
        .getPresences(0).getOnline();
  }

  @Test
  void theThirtyFirstOpenInAMinuteIsRefusedAndRegistersNothing() {
    User[] pair = rig.friendsPair();
    User me = pair[0];
    User friend = pair[1];
    EventStream friendStream = EventStream.subscribed(rig.asyncAs(friend));
    int before = rig.replica.module.subscriberCount();
    try {
      for (int i = 0; i < 30; i++) {
        EventStream.subscribed(rig.asyncAs(me)).cancel();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> rig.replica.module.subscriberCount() == before
          && !online(me));

      EventStream refused = EventStream.open(rig.asyncAs(me), watching(List.of(friend.id())));
      Throwable thrown = assertRefused(refused, "message.subscribe");
      assertThat(Durations.toMillis(retryInfo(thrown).getRetryDelay())).isEqualTo(2000);
      assertThat(rig.replica.module.subscriberCount()).as("no subscriber").isEqualTo(before);
      assertThat(rig.replica.module.presence().watcherCount(friend.id())).as("no watch").isZero();
      assertThat(online(me)).as("no presence lease").isFalse();
      EventStream.subscribed(rig.asyncAs(friend)).cancel();  // another user is not limited

      rig.clock.advance(Duration.ofSeconds(2));
      EventStream.subscribed(rig.asyncAs(me)).cancel();
    } finally {
      friendStream.cancel();
    }
  }

  @Test
  void moreThanAHundredWatchedUsersAreLimitedMoreStrictly() {
    User me = rig.user();
    List<String> many = IntStream.rangeClosed(0, MessageGrpcService.LARGE_WATCH_LIST)
        .mapToObj(i -> Ids.newId("u")).toList();
    for (int i = 0; i < 10; i++) {
      EventStream stream = EventStream.open(rig.asyncAs(me), watching(many));
      assertThat(stream.next().hasSubscribed()).as("open %s", i).isTrue();
      stream.cancel();
    }

    for (int i = 0; i < 25; i++) {
      assertRefused(EventStream.open(rig.asyncAs(me), watching(many)), "message.presence-watch");
    }
    // The refused opens cost no permit of message.subscribe: the 20 left of its burst of 30 are there.
    EventStream hundred = EventStream.open(rig.asyncAs(me), watching(many.subList(0, 100)));
    assertThat(hundred.next().hasSubscribed()).as("a hundred are not a long list").isTrue();
    hundred.cancel();
    for (int i = 0; i < 19; i++) {
      EventStream.subscribed(rig.asyncAs(me)).cancel();
    }
    assertRefused(EventStream.open(rig.asyncAs(me), watching(List.of())), "message.subscribe");
  }

  @Test
  void presenceQuestionsAndVisibilityChangesAreLimitedAfterTheRequestIsChecked() {
    User me = rig.user();
    GetPresenceRequest ask = GetPresenceRequest.newBuilder().addUserIds(rig.user().id()).build();
    for (int i = 0; i < 60; i++) {
      rig.as(me).getPresence(ask);
    }
    Throwable thrown = Errors.assertFails(() -> rig.as(me).getPresence(ask),
        Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(errorInfo(thrown).getMetadataMap()).containsEntry("limit", "message.presence-get");
    Errors.assertFails(() -> rig.as(me).getPresence(GetPresenceRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);

    SetPresenceVisibilityRequest nobody = SetPresenceVisibilityRequest.newBuilder()
        .setVisibility(PresenceVisibility.NOBODY).build();
    for (int i = 0; i < 10; i++) {
      rig.as(me).setPresenceVisibility(nobody);
    }
    thrown = Errors.assertFails(() -> rig.as(me).setPresenceVisibility(nobody),
        Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(errorInfo(thrown).getMetadataMap()).containsEntry("limit", "message.presence-visibility");
    Errors.assertFails(() -> rig.as(me).setPresenceVisibility(SetPresenceVisibilityRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    rig.as(rig.user()).setPresenceVisibility(nobody);  // another user is not limited
  }
}
