package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static io.parley.group.GroupTestServer.badFields;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.ListJoinRequestsRequest;
import io.parley.group.v1.SetAnnouncementRequest;
import io.parley.group.v1.UpdateGroupRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group names, notices, announcements and join notes go through the shared text rules (#13.7):
 * names used to take any character but C0 and C1 controls (a right-to-left override to pass as
 * another group, zero-width characters to look like one), and notices anything at all. A name
 * refuses every invisible or deceptive character; a notice or an announcement, read as running
 * text, keeps what emoji and scripts need and refuses controls and bidirectional overrides.
 * Everything is stored as the rules return it: NFC-normalized, a name stripped.
 */
class GroupTextsTest {
  /** A family (ZWJ sequence), a rainbow flag (VS16, ZWJ) and Persian with a zero-width non-joiner. */
  private static final String EMOJI_AND_PERSIAN =
      "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08 "
          + "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645\nsecond line\twith a tab";

  private GroupTestServer server;
  private String owner;

  /** A server on the store under test. */
  GroupTestServer startServer() throws InterruptedException {
    return GroupTestServer.start();
  }

  @BeforeEach
  void start() throws InterruptedException {
    server = startServer();
    owner = server.newUser();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Group create(String name, String notice) {
    return server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName(name).setNotice(notice).setJoinPolicy(JoinPolicy.APPROVAL)).build());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Admins\u202E", // RIGHT-TO-LEFT OVERRIDE
      "\u2067Team", // an isolate left open
      "Te\u200Bam", // ZERO WIDTH SPACE: looks like "Team"
      "Te\u200Dam", // ZERO WIDTH JOINER
      "\u3164", // HANGUL FILLER: looks blank
      "Team\u0085" // C1 NEXT LINE
  })
  void groupNamesWithInvisibleOrDeceptiveCharactersAreRefused(String name) {
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> create(name, "")))).containsExactly("group.name");
    Group group = create("Team", "");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
            .setGroup(Group.newBuilder().setGroupId(group.getGroupId()).setName(name))
            .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build())))).containsExactly("group.name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"see \u202Etxt.exe", "\u2066isolate", "bell\u0007", "\u001B[2J", "a\u2028b"})
  void noticesAndAnnouncementsWithControlsOrBidiOverridesAreRefused(String text) {
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> create("Team", text)))).containsExactly("group.notice");
    Group group = create("Team", "");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
            .setGroup(Group.newBuilder().setGroupId(group.getGroupId()).setNotice(text)).build()))))
        .containsExactly("group.notice");
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
            .setText(text).build())))).containsExactly("text");
  }

  @Test
  void noticesAndAnnouncementsKeepEmojiSequencesAndJoinersAsWritten() {
    Group group = create("Team", EMOJI_AND_PERSIAN);
    assertThat(group.getNotice()).isEqualTo(EMOJI_AND_PERSIAN);
    server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
        .setText(EMOJI_AND_PERSIAN).build());

    Group stored = server.as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    assertThat(stored.getNotice()).isEqualTo(EMOJI_AND_PERSIAN);
    assertThat(stored.getAnnouncement().getText()).isEqualTo(EMOJI_AND_PERSIAN);
  }

  @Test
  void namesNoticesAnnouncementsAndJoinNotesAreStoredAsTheRulesReturnThem() {
    // "e" + COMBINING ACUTE ACCENT composes to "é"; a name loses its surrounding spaces, no-break ones included.
    Group group = create("\u00a0 Cafe\u0301 club ", "Cafe\u0301 ");
    assertThat(group.getName()).isEqualTo("Caf\u00e9 club");
    assertThat(group.getNotice()).isEqualTo("Caf\u00e9 ");
    Group renamed = server.as(owner).updateGroup(UpdateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setGroupId(group.getGroupId()).setName(" Re\u0301sume\u0301 ")
            .setNotice("nai\u0308ve")).build());
    assertThat(renamed.getName()).isEqualTo("R\u00e9sum\u00e9");
    assertThat(renamed.getNotice()).isEqualTo("na\u00efve");
    assertThat(server.as(owner).setAnnouncement(SetAnnouncementRequest.newBuilder().setGroupId(group.getGroupId())
        .setText("Cafe\u0301").build()).getText()).isEqualTo("Caf\u00e9");

    String asker = server.newUser();
    server.as(asker).joinGroup(JoinGroupRequest.newBuilder().setGroupId(group.getGroupId())
        .setMessage("Cafe\u0301?").build());
    assertThat(server.as(owner).listJoinRequests(ListJoinRequestsRequest.newBuilder()
        .setGroupId(group.getGroupId()).build()).getJoinRequests(0).getMessage()).isEqualTo("Caf\u00e9?");
  }

  @Test
  void textsAreLimitedInBytesAsWellAsCharacters() {
    // 64 characters of 4 bytes each: exactly a name's 256 bytes.
    String emoji64 = "\uD83D\uDE00".repeat(64);
    assertThat(create(emoji64, "").getName()).isEqualTo(emoji64);
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> create("\uD83D\uDE00".repeat(65), "")))).containsExactly("group.name");
    // 1,024 characters of 4 bytes are 4 KiB: the notice's limit both ways.
    assertThat(create("Team", "\uD83D\uDE00".repeat(1024)).getNotice()).hasSize(2048);
    assertThat(badFields(assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT,
        () -> create("Team", "\uD83D\uDE00".repeat(1025))))).containsExactly("group.notice");
  }
}
