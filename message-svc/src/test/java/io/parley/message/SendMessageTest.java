package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.violatedFields;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.CustomContent;
import io.parley.message.v1.FileContent;
import io.parley.message.v1.ImageContent;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendMessageTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private List<Message> pull(User user, String conversationId) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversationId).build())
        .getMessagesList();
  }

  @Test
  void privateMessageBetweenFriendsGetsTheConversationSeqAndServerTime() {
    User[] pair = rig.friendsPair();
    SendMessageResponse first = rig.sendTo(pair[0], pair[1], "hello");
    SendMessageResponse second = rig.sendTo(pair[1], pair[0], "hi back");

    String low = pair[0].id().compareTo(pair[1].id()) < 0 ? pair[0].id() : pair[1].id();
    String high = low.equals(pair[0].id()) ? pair[1].id() : pair[0].id();
    assertThat(first.getConversationId()).isEqualTo("p_" + low + "_" + high);
    assertThat(second.getConversationId()).isEqualTo(first.getConversationId());
    assertThat(first.getSeq()).isEqualTo(1);
    assertThat(second.getSeq()).isEqualTo(2);
    assertThat(first.getServerTime()).isEqualTo(Timestamps.fromMillis(rig.clock.millis()));
    assertThat(first.getDuplicate()).isFalse();
    assertThat(Ids.isValid(first.getMessageId(), "m")).isTrue();

    List<Message> stored = pull(pair[1], first.getConversationId());
    assertThat(stored).extracting(Message::getMessageId).containsExactly(first.getMessageId(), second.getMessageId());
    assertThat(stored.get(0).getSenderId()).isEqualTo(pair[0].id());
    assertThat(stored.get(0).getContent().getText().getText()).isEqualTo("hello");
  }

  @Test
  void retriedSendReturnsTheFirstResultAndStoresNothingTwice() {
    User[] pair = rig.friendsPair();
    SendMessageRequest request = text("retry-me", "once").toBuilder().setToUserId(pair[1].id()).build();
    SendMessageResponse first = rig.as(pair[0]).sendMessage(request);
    rig.clock.advance(Duration.ofSeconds(3));

    SendMessageResponse retry = rig.as(pair[0]).sendMessage(request);

    assertThat(retry).isEqualTo(first.toBuilder().setDuplicate(true).build());
    assertThat(pull(pair[0], first.getConversationId())).hasSize(1);
  }

  @Test
  void retryAfterABlockStillReturnsTheFirstResult() {
    User[] pair = rig.friendsPair();
    SendMessageRequest request = text("before-block", "made it").toBuilder().setToUserId(pair[1].id()).build();
    SendMessageResponse first = rig.as(pair[0]).sendMessage(request);
    rig.friends().block(pair[1].id(), pair[0].id());

    assertThat(rig.as(pair[0]).sendMessage(request).getDuplicate()).isTrue();
    assertFails(() -> rig.sendTo(pair[0], pair[1], "after the block"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
    assertThat(pull(pair[0], first.getConversationId())).hasSize(1);
  }

  @Test
  void strangersCannotMessageEachOther() {
    User a = rig.user();
    User b = rig.user();
    assertFails(() -> rig.sendTo(a, b, "hi"), Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
  }

  @Test
  void aServerThatAllowsStrangersStillHonoursBlocks() {
    try (MessageRig open = MessageRig.start(MessageRig.settings().withAllowStrangers(true))) {
      User a = open.user();
      User b = open.user();
      User c = open.user();
      assertThat(open.sendTo(a, b, "hello stranger").getSeq()).isEqualTo(1);
      open.friends().block(c.id(), a.id());
      assertFails(() -> open.sendTo(a, c, "hi"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
    }
  }

  @Test
  void aBlockEitherWayStopsMessagesBothWays() {
    User[] pair = rig.friendsPair();
    rig.friends().block(pair[0].id(), pair[1].id());
    assertFails(() -> rig.sendTo(pair[0], pair[1], "x"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
    assertFails(() -> rig.sendTo(pair[1], pair[0], "y"), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
  }

  @Test
  void relationChangesApplyAtOnceThroughFriendEvents() {
    User a = rig.user();
    User b = rig.user();
    assertFails(() -> rig.sendTo(a, b, "x"), Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
    rig.friends().befriend(a.id(), b.id());
    assertThat(rig.sendTo(a, b, "now friends").getSeq()).isEqualTo(1);
    rig.friends().unfriend(a.id(), b.id());
    assertFails(() -> rig.sendTo(a, b, "y"), Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
  }

  @Test
  void relationAnswersAreReusedUntilTheCacheTtlPasses() {
    User a = rig.user();
    User b = rig.user();
    assertFails(() -> rig.sendTo(a, b, "x"), Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
    int calls = rig.friends().calls();
    rig.friends().befriendSilently(a.id(), b.id());
    assertFails(() -> rig.sendTo(b, a, "y"), Status.Code.PERMISSION_DENIED, ErrorReason.NOT_FRIENDS_CANNOT_MESSAGE);
    assertThat(rig.friends().calls()).isEqualTo(calls);

    rig.clock.advance(MessageSettings.defaults().cacheTtl().plusMillis(1));
    assertThat(rig.sendTo(a, b, "the cache expired").getSeq()).isEqualTo(1);
    assertThat(rig.friends().calls()).isEqualTo(calls + 1);
    assertThat(rig.friends().callers()).containsExactly("message-svc");
  }

  @Test
  void sendingToOneselfIsInvalid() {
    User a = rig.user();
    Throwable thrown = assertFails(() -> rig.sendTo(a, a, "me"), Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(violatedFields(thrown)).containsExactly("to_user_id");
  }

  static Stream<Arguments> invalidRequests() {
    String to = Ids.newId("u");
    SendMessageRequest valid = text("c1", "hello").toBuilder().setToUserId(to).build();
    UnaryOperator<SendMessageRequest.Builder> noTarget = SendMessageRequest.Builder::clearTarget;
    return Stream.of(
        Arguments.of("no target", valid.toBuilder().clearTarget().build(), ErrorReason.INVALID_ARGUMENT, "to_user_id"),
        Arguments.of("bad user id", valid.toBuilder().setToUserId("bob").build(), ErrorReason.INVALID_ARGUMENT, "to_user_id"),
        Arguments.of("bad group id", noTarget.apply(valid.toBuilder()).setToGroupId("g_1").build(),
            ErrorReason.INVALID_ARGUMENT, "to_group_id"),
        Arguments.of("no client_msg_id", valid.toBuilder().setClientMsgId("").build(),
            ErrorReason.INVALID_ARGUMENT, "client_msg_id"),
        Arguments.of("long client_msg_id", valid.toBuilder().setClientMsgId("x".repeat(65)).build(),
            ErrorReason.INVALID_ARGUMENT, "client_msg_id"),
        Arguments.of("no content", valid.toBuilder().clearContent().build(), ErrorReason.INVALID_ARGUMENT, "content"),
        Arguments.of("empty text", withContent(valid, MessageContent.newBuilder()
            .setText(TextContent.newBuilder().setText("")).build()), ErrorReason.INVALID_ARGUMENT, "content.text"),
        Arguments.of("text over 4 KiB", withContent(valid, MessageContent.newBuilder()
            .setText(TextContent.newBuilder().setText("é".repeat(2049))).build()), ErrorReason.PAYLOAD_TOO_LARGE,
            "content.text"),
        Arguments.of("image without url", withContent(valid, MessageContent.newBuilder()
            .setImage(ImageContent.newBuilder().setSizeBytes(10)).build()), ErrorReason.INVALID_ARGUMENT,
            "content.image.url"),
        Arguments.of("image with an ftp url", withContent(valid, MessageContent.newBuilder()
            .setImage(ImageContent.newBuilder().setUrl("ftp://example.com/a.png")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.image.url"),
        Arguments.of("file without name", withContent(valid, MessageContent.newBuilder()
            .setFile(FileContent.newBuilder().setUrl("https://example.com/f.pdf").setSizeBytes(1)).build()),
            ErrorReason.INVALID_ARGUMENT, "content.file.name"),
        Arguments.of("file of negative size", withContent(valid, MessageContent.newBuilder()
            .setFile(FileContent.newBuilder().setUrl("https://example.com/f.pdf").setName("f.pdf").setSizeBytes(-1))
            .build()), ErrorReason.INVALID_ARGUMENT, "content.file.size_bytes"),
        Arguments.of("custom without type", withContent(valid, MessageContent.newBuilder()
            .setCustom(CustomContent.newBuilder()).build()), ErrorReason.INVALID_ARGUMENT, "content.custom.type"),
        Arguments.of("custom over 16 KiB", withContent(valid, MessageContent.newBuilder()
            .setCustom(CustomContent.newBuilder().setType("blob").setData(Struct.newBuilder()
                .putFields("data", Value.newBuilder().setStringValue("x".repeat(16 * 1024)).build()))).build()),
            ErrorReason.PAYLOAD_TOO_LARGE, "content.custom.data"),
        Arguments.of("text with a right-to-left override", withText(valid, "see \u202Etxt.exe"),
            ErrorReason.INVALID_ARGUMENT, "content.text"),
        Arguments.of("text with an isolate left open", withText(valid, "\u2067\u05e9\u05dc\u05d5\u05dd"),
            ErrorReason.INVALID_ARGUMENT, "content.text"),
        Arguments.of("text with a bell", withText(valid, "ding\u0007"), ErrorReason.INVALID_ARGUMENT, "content.text"),
        Arguments.of("text that clears a terminal", withText(valid, "\u001B[2J"), ErrorReason.INVALID_ARGUMENT,
            "content.text"),
        Arguments.of("file name disguised by an override", withContent(valid, MessageContent.newBuilder()
            .setFile(FileContent.newBuilder().setUrl("https://example.com/f").setName("invoice\u202Efdp.exe")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.file.name"),
        Arguments.of("image url disguised by an override", withContent(valid, MessageContent.newBuilder()
            .setImage(ImageContent.newBuilder().setUrl("https://example.com/\u202Egnp.exe")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.image.url"),
        Arguments.of("file name of spaces", withContent(valid, MessageContent.newBuilder()
            .setFile(FileContent.newBuilder().setUrl("https://example.com/f").setName("   ")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.file.name"),
        Arguments.of("image name on two lines", withContent(valid, MessageContent.newBuilder()
            .setImage(ImageContent.newBuilder().setUrl("https://example.com/a.png").setName("a\nb")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.image.name"),
        Arguments.of("mime type that injects a header", withContent(valid, MessageContent.newBuilder()
            .setImage(ImageContent.newBuilder().setUrl("https://example.com/a.png")
                .setMimeType("image/png\r\nX-Injected: 1")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.image.mime_type"),
        Arguments.of("custom type with a zero-width space", withContent(valid, MessageContent.newBuilder()
            .setCustom(CustomContent.newBuilder().setType("loc\u200Bation")).build()),
            ErrorReason.INVALID_ARGUMENT, "content.custom.type"),
        Arguments.of("mentions in a private message", valid.toBuilder().addMentionUserIds(to).build(),
            ErrorReason.INVALID_ARGUMENT, "mention_user_ids"),
        Arguments.of("mention all in a private message", valid.toBuilder().setMentionAll(true).build(),
            ErrorReason.INVALID_ARGUMENT, "mention_all"));
  }

  private static SendMessageRequest withContent(SendMessageRequest request, MessageContent content) {
    return request.toBuilder().setContent(content).build();
  }

  private static SendMessageRequest withText(SendMessageRequest request, String text) {
    return withContent(request, MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text)).build());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 family dinner", // ZWJ sequence
      "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08 and \uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73"
          + "\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F", // rainbow flag (VS16, ZWJ), Scotland (tags)
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645 \u0628\u0631\u0645", // Persian, with a ZWNJ
      "price \u200F\u05e9\u05f4\u05d7 100\u200E", // directional marks
      "line one\r\nline two\n\tindented" // line breaks and tabs
  })
  void messageTextKeepsWhatEmojiAndScriptsNeedAsWritten(String text) {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.as(pair[0]).sendMessage(withText(text("t", "x").toBuilder()
        .setToUserId(pair[1].id()).build(), text));
    assertThat(pull(pair[1], sent.getConversationId()).get(0).getContent().getText().getText()).isEqualTo(text);
  }

  @Test
  void textAndNamesAreStoredAsTheirRulesNormalizeThem() {
    User[] pair = rig.friendsPair();
    SendMessageRequest base = text("n1", "x").toBuilder().setToUserId(pair[1].id()).build();
    rig.as(pair[0]).sendMessage(withText(base, "cafe\u0301 "));
    rig.as(pair[0]).sendMessage(withContent(base.toBuilder().setClientMsgId("n2").build(), MessageContent.newBuilder()
        .setFile(FileContent.newBuilder().setUrl("https://example.com/f").setName("  Re\u0301sume\u0301.pdf ")
            .setMimeType(" application/pdf")).build()));
    rig.as(pair[0]).sendMessage(withContent(base.toBuilder().setClientMsgId("n3").build(), MessageContent.newBuilder()
        .setCustom(CustomContent.newBuilder().setType(" location ")).build()));

    List<Message> stored = pull(pair[1], conversationOf(pair));
    assertThat(stored.get(0).getContent().getText().getText()).isEqualTo("caf\u00e9 ");
    assertThat(stored.get(1).getContent().getFile().getName()).isEqualTo("R\u00e9sum\u00e9.pdf");
    assertThat(stored.get(1).getContent().getFile().getMimeType()).isEqualTo("application/pdf");
    assertThat(stored.get(2).getContent().getCustom().getType()).isEqualTo("location");
  }

  private static String conversationOf(User[] pair) {
    return ConversationId.ofUsers(pair[0].id(), pair[1].id()).value();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void malformedRequestsAreRejectedNamingTheField(String name, SendMessageRequest request, ErrorReason reason,
      String field) {
    User a = rig.user();
    Throwable thrown = assertFails(() -> rig.as(a).sendMessage(request), Status.Code.INVALID_ARGUMENT, reason);
    assertThat(violatedFields(thrown)).containsExactly(field);
  }

  @Test
  void contentAtItsLimitsIsAccepted() {
    User[] pair = rig.friendsPair();
    SendMessageRequest.Builder base = text("t", "x").toBuilder().setToUserId(pair[1].id());
    assertThat(rig.as(pair[0]).sendMessage(base.setClientMsgId("4KiB").setContent(MessageContent.newBuilder()
        .setText(TextContent.newBuilder().setText("é".repeat(2048)))).build()).getSeq()).isEqualTo(1);
    assertThat(rig.as(pair[0]).sendMessage(base.setClientMsgId("y".repeat(64)).setContent(MessageContent.newBuilder()
        .setImage(ImageContent.newBuilder().setUrl("https://cdn.example.com/cat.png").setSizeBytes(2048)
            .setMimeType("image/png").setWidth(64).setHeight(64))).build()).getSeq()).isEqualTo(2);
    Struct data = Struct.newBuilder().putFields("lat", Value.newBuilder().setNumberValue(48.85).build()).build();
    SendMessageResponse custom = rig.as(pair[0]).sendMessage(base.setClientMsgId("custom").setContent(
        MessageContent.newBuilder().setCustom(CustomContent.newBuilder().setType("location").setData(data))).build());
    assertThat(pull(pair[1], custom.getConversationId()).get(2).getContent().getCustom().getData()).isEqualTo(data);
  }

  // --- groups -----------------------------------------------------------------------------------

  @Test
  void groupMessagesNeedAnExistingGroupAndMembership() {
    User owner = rig.user();
    User outsider = rig.user();
    String group = rig.groups().create(owner.id());

    assertThat(rig.sendToGroup(owner, group, "welcome").getConversationId()).isEqualTo("g_" + group);
    // An outsider is not told that an INVITE_ONLY group exists; an OPEN one anyone may see.
    assertFails(() -> rig.sendToGroup(outsider, group, "let me in"), Status.Code.NOT_FOUND,
        ErrorReason.GROUP_NOT_FOUND);
    String open = rig.groups().create(owner.id(), io.parley.group.v1.JoinPolicy.OPEN);
    assertFails(() -> rig.sendToGroup(outsider, open, "let me in"), Status.Code.PERMISSION_DENIED,
        ErrorReason.NOT_GROUP_MEMBER);
    assertFails(() -> rig.sendToGroup(owner, Ids.newId("g"), "anyone?"), Status.Code.NOT_FOUND,
        ErrorReason.GROUP_NOT_FOUND);
    rig.groups().dismiss(group);
    assertFails(() -> rig.sendToGroup(owner, group, "hello?"), Status.Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND);
  }

  @Test
  void aMutedMemberCannotSendUntilTheMuteEnds() {
    User owner = rig.user();
    User member = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.groups().mute(group, member.id(), rig.clock.instant().plus(Duration.ofMinutes(10)));

    Throwable thrown = assertFails(() -> rig.sendToGroup(member, group, "hush"), Status.Code.PERMISSION_DENIED,
        ErrorReason.MEMBER_MUTED);
    assertThat(errorInfo(thrown).getMetadataMap())
        .containsEntry("mute_until", Timestamps.toString(Timestamps.fromMillis(
            rig.clock.instant().plus(Duration.ofMinutes(10)).toEpochMilli())));

    rig.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(rig.sendToGroup(member, group, "free again").getSeq()).isEqualTo(1);
  }

  @Test
  void mentionAllIsForAdminsAndTheOwner() {
    User owner = rig.user();
    User admin = rig.user();
    User member = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, admin.id(), GroupRole.ADMIN);
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    SendMessageRequest all = text("all", "everyone!").toBuilder().setToGroupId(group).setMentionAll(true).build();

    assertFails(() -> rig.as(member).sendMessage(all), Status.Code.PERMISSION_DENIED,
        ErrorReason.MENTION_ALL_NOT_ALLOWED);
    rig.as(admin).sendMessage(all);
    rig.as(owner).sendMessage(all);
    assertThat(pull(member, "g_" + group)).extracting(Message::getMentionAll).containsExactly(true, true);
  }

  @Test
  void onlyMembersMayBeMentionedAndRepeatsCountOnce() {
    User owner = rig.user();
    User member = rig.user();
    User outsider = rig.user();
    String group = rig.groups().create(owner.id());
    for (int i = 0; i < 4; i++) {
      rig.groups().add(group, rig.user().id(), GroupRole.MEMBER);  // more members than one ListMemberIds page
    }
    rig.groups().add(group, member.id(), GroupRole.MEMBER);

    Throwable thrown = assertFails(() -> rig.as(owner).sendMessage(text("m1", "hey").toBuilder().setToGroupId(group)
            .addMentionUserIds(member.id()).addMentionUserIds(outsider.id()).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(violatedFields(thrown)).containsExactly("mention_user_ids[1]");

    rig.as(owner).sendMessage(text("m2", "hey").toBuilder().setToGroupId(group)
        .addMentionUserIds(member.id()).addMentionUserIds(owner.id()).addMentionUserIds(member.id()).build());
    assertThat(pull(member, "g_" + group).get(0).getMentionUserIdsList()).containsExactly(member.id(), owner.id());
  }

  @Test
  void anUnreachableFriendServiceFailsUnavailable() {
    try (MessageRig broken = MessageRig.start()) {
      try (Replica replica = Replica.inProcess(broken.platform, MessageRig.settings(), "in-process:nobody-home")) {
        User a = broken.user();
        User b = broken.user();
        assertFails(() -> replica.as(a).sendMessage(text("c", "hi").toBuilder().setToUserId(b.id()).build()),
            Status.Code.UNAVAILABLE, ErrorReason.UPSTREAM_UNAVAILABLE);
      }
    }
  }
}
