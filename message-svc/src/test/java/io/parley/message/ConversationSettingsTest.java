package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.message.v1.Badge;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.GetBadgeRequest;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListConversationsResponse;
import io.parley.message.v1.SettingsChanged;
import io.parley.message.v1.UpdateConversationSettingsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversationSettingsTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private ConversationSettings update(User user, String conversation, ConversationSettings settings, String... paths) {
    return rig.as(user).updateConversationSettings(UpdateConversationSettingsRequest.newBuilder()
        .setConversationId(conversation).setSettings(settings)
        .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths))).build());
  }

  private static ConversationSettings pinned() {
    return ConversationSettings.newBuilder().setPinned(true).build();
  }

  private ListConversationsResponse list(User user, int pageSize, String token) {
    return rig.as(user).listConversations(ListConversationsRequest.newBuilder()
        .setPageSize(pageSize).setPageToken(token).build());
  }

  /** A conversation of {@code user} with a new friend, active now; the clock then moves on. */
  private String newConversation(User user) {
    User friend = rig.user();
    rig.friends().befriend(user.id(), friend.id());
    String id = rig.sendTo(friend, user, "hi").getConversationId();
    rig.clock.advance(Duration.ofSeconds(1));
    return id;
  }

  @Test
  void settingsAreTheUsersOwnAndReachTheirOtherDevices() {
    User[] pair = rig.friendsPair();
    User phone = rig.login(pair[0].id(), Terminal.MOBILE);
    EventStream phoneStream = EventStream.subscribed(rig.asyncAs(phone));
    try {
      String conversation = rig.sendTo(pair[0], pair[1], "hi").getConversationId();
      assertThat(phoneStream.next().getMessage().getConversationId()).isEqualTo(conversation);
      ConversationSettings wanted = ConversationSettings.newBuilder().setPinned(true).setArchived(true)
          .setMuteUntil(Timestamps.fromMillis(rig.clock.millis() + 3_600_000)).build();

      assertThat(update(pair[0], conversation, wanted)).isEqualTo(wanted);

      assertThat(phoneStream.next().getSettingsChanged()).isEqualTo(SettingsChanged.newBuilder()
          .setConversationId(conversation).setSettings(wanted).build());
      assertThat(list(pair[0], 10, "").getConversations(0).getSettings()).isEqualTo(wanted);
      assertThat(list(pair[1], 10, "").getConversations(0).getSettings())
          .as("the peer's are untouched").isEqualTo(ConversationSettings.getDefaultInstance());

      assertThat(update(pair[0], conversation, ConversationSettings.getDefaultInstance(), "archived"))
          .as("the mask names what changes").isEqualTo(wanted.toBuilder().setArchived(false).build());
      assertThat(update(pair[0], conversation, ConversationSettings.getDefaultInstance()))
          .as("no mask: every field").isEqualTo(ConversationSettings.getDefaultInstance());
    } finally {
      phoneStream.cancel();
    }
  }

  @Test
  void pinnedConversationsHeadTheFirstPageMostRecentlyPinnedFirstAndNoOtherPage() {
    User user = rig.user();
    List<String> byAge = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byAge.add(newConversation(user));
    }
    update(user, byAge.get(0), pinned());
    rig.clock.advance(Duration.ofSeconds(1));
    update(user, byAge.get(2), pinned());

    ListConversationsResponse first = list(user, 2, "");
    ListConversationsResponse second = list(user, 2, first.getNextPageToken());

    assertThat(first.getConversationsList()).extracting(Conversation::getConversationId)
        .containsExactly(byAge.get(2), byAge.get(0), byAge.get(4), byAge.get(3));
    assertThat(second.getConversationsList()).extracting(Conversation::getConversationId)
        .containsExactly(byAge.get(1));
    assertThat(second.getNextPageToken()).isEmpty();
  }

  @Test
  void aUserPinsAtMostTwentyConversations() {
    User user = rig.user();
    List<String> conversations = new ArrayList<>();
    for (int i = 0; i <= PersonalSettings.MAX_PINNED; i++) {
      conversations.add(newConversation(user));
    }
    for (int i = 0; i < PersonalSettings.MAX_PINNED; i++) {
      update(user, conversations.get(i), pinned());
    }
    String last = conversations.get(PersonalSettings.MAX_PINNED);

    Throwable refused = assertFails(() -> update(user, last, pinned()), Status.Code.RESOURCE_EXHAUSTED,
        ErrorReason.CONVERSATION_PIN_LIMIT);

    assertThat(errorInfo(refused).getMetadataMap()).containsEntry("limit", "20");
    assertThat(update(user, conversations.get(0), pinned()).getPinned()).as("pinned already").isTrue();
    update(user, conversations.get(0), ConversationSettings.getDefaultInstance());
    assertThat(update(user, last, pinned()).getPinned()).isTrue();
  }

  @Test
  void theBadgeCountsUnreadMessagesOfConversationsNotMutedNow() {
    User user = rig.user();
    User bob = rig.user();
    User carol = rig.user();
    rig.friends().befriend(user.id(), bob.id());
    rig.friends().befriend(user.id(), carol.id());
    for (int i = 0; i < 3; i++) {
      rig.sendTo(bob, user, "bob " + i);
    }
    String withCarol = rig.sendTo(carol, user, "carol 1").getConversationId();
    rig.sendTo(carol, user, "carol 2");
    rig.sendTo(user, carol, "mine never count");
    assertThat(badge(user)).isEqualTo(Badge.newBuilder().setUnreadCount(5).setUnreadConversations(2).build());

    update(user, withCarol, ConversationSettings.newBuilder()
        .setMuteUntil(Timestamps.fromMillis(rig.clock.millis() + 60_000)).build());
    assertThat(badge(user)).isEqualTo(Badge.newBuilder().setUnreadCount(3).setUnreadConversations(1).build());

    rig.clock.advance(Duration.ofMinutes(2));
    assertThat(badge(user).getUnreadCount()).as("the mute ended").isEqualTo(5);
  }

  private Badge badge(User user) {
    return rig.as(user).getBadge(GetBadgeRequest.getDefaultInstance());
  }

  @Test
  void onlyAParticipantChangesSettingsAndOnlyKnownFields() {
    User[] pair = rig.friendsPair();
    String conversation = rig.sendTo(pair[0], pair[1], "hi").getConversationId();

    assertFails(() -> update(rig.user(), conversation, pinned()), Status.Code.NOT_FOUND,
        ErrorReason.CONVERSATION_NOT_FOUND);
    assertThat(violatedFields(assertFails(() -> update(pair[0], conversation, pinned(), "color"),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT))).containsExactly("update_mask");
    ConversationSettings never = ConversationSettings.newBuilder()
        .setMuteUntil(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build();
    assertThat(violatedFields(assertFails(() -> update(pair[0], conversation, never), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT))).containsExactly("settings.mute_until");
  }
}
