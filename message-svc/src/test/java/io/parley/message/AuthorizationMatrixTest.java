package io.parley.message;

import static io.parley.message.Errors.assertStatus;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.ClearHistoryForMeRequest;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.DeleteMessagesForMeRequest;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.GetBadgeRequest;
import io.parley.message.v1.GetPresenceRequest;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListMessageVersionsRequest;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PresenceVisibility;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SetPresenceVisibilityRequest;
import io.parley.message.v1.UpdateConversationSettingsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what, for every RPC: each caller role against each operation, with the exact status
 * code and reason a client sees.
 *
 * <p>The world: {@code alice} is friends with FRIEND and blocks BLOCKED (after having written to
 * them); the group is owned by OWNER, with ADMIN, MEMBER, MUTED_MEMBER (muted for a day) and a
 * member who posts the messages that are recalled. STRANGER knows no one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {
  enum Role { ANONYMOUS, STRANGER, FRIEND, BLOCKED, MEMBER, MUTED_MEMBER, ADMIN, OWNER }

  enum Operation {
    SEND_PRIVATE, SEND_GROUP, SEND_GROUP_MENTION_ALL,
    PULL_PRIVATE, PULL_GROUP, PULL_BLOCKED_HISTORY,
    MARK_READ_PRIVATE, MARK_READ_GROUP,
    RECALL_PRIVATE, RECALL_GROUP,
    EDIT_PRIVATE, EDIT_GROUP, VERSIONS_PRIVATE, VERSIONS_GROUP, REACT_PRIVATE, REACT_GROUP,
    SETTINGS_PRIVATE, SETTINGS_GROUP, BADGE, DELETE_FOR_ME_PRIVATE, CLEAR_HISTORY_GROUP,
    LIST_CONVERSATIONS, SUBSCRIBE,
    /** GetPresence of alice, online: only her friend sees it (others are answered as for a user never seen). */
    PRESENCE_OF_ALICE,
    /** GetPresence of the group's owner, online: fellow members see it (FRIENDS_AND_GROUPS). */
    PRESENCE_OF_OWNER,
    SET_PRESENCE_VISIBILITY
  }

  private static final String OK = "OK";
  private static final String UNAUTHENTICATED = "UNAUTHENTICATED TOKEN_MISSING";
  private static final String NOT_FOUND = "NOT_FOUND CONVERSATION_NOT_FOUND";
  private static final String NOT_FRIENDS = "PERMISSION_DENIED NOT_FRIENDS_CANNOT_MESSAGE";
  /** A non-member is not told that an INVITE_ONLY group exists. */
  private static final String NOT_MEMBER = "NOT_FOUND GROUP_NOT_FOUND";
  private static final String MUTED = "PERMISSION_DENIED MEMBER_MUTED";
  private static final String NO_RECALL = "PERMISSION_DENIED RECALL_NOT_ALLOWED";
  private static final String NO_EDIT = "PERMISSION_DENIED EDIT_NOT_ALLOWED";

  /** Expected outcomes in {@link Role} order: anonymous, stranger, friend, blocked, member, muted, admin, owner. */
  private static final Map<Operation, List<String>> MATRIX = new EnumMap<>(Map.ofEntries(
      Map.entry(Operation.SEND_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FRIENDS, OK, "PERMISSION_DENIED BLOCKED", NOT_FRIENDS, NOT_FRIENDS, NOT_FRIENDS,
          NOT_FRIENDS)),
      Map.entry(Operation.SEND_GROUP, List.of(
          UNAUTHENTICATED, NOT_MEMBER, NOT_MEMBER, NOT_MEMBER, OK, MUTED, OK, OK)),
      Map.entry(Operation.SEND_GROUP_MENTION_ALL, List.of(
          UNAUTHENTICATED, NOT_MEMBER, NOT_MEMBER, NOT_MEMBER, "PERMISSION_DENIED MENTION_ALL_NOT_ALLOWED", MUTED, OK,
          OK)),
      Map.entry(Operation.PULL_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.PULL_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
      Map.entry(Operation.PULL_BLOCKED_HISTORY, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.MARK_READ_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.MARK_READ_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
      Map.entry(Operation.RECALL_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, NO_RECALL, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.RECALL_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_RECALL, NO_RECALL, OK, OK)),
      Map.entry(Operation.EDIT_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, NO_EDIT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.EDIT_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_EDIT, NO_EDIT, NO_EDIT, NO_EDIT)),
      Map.entry(Operation.VERSIONS_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.VERSIONS_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
      Map.entry(Operation.REACT_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.REACT_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, MUTED, OK, OK)),
      Map.entry(Operation.SETTINGS_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.SETTINGS_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
      Map.entry(Operation.BADGE, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK)),
      Map.entry(Operation.DELETE_FOR_ME_PRIVATE, List.of(
          UNAUTHENTICATED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
      Map.entry(Operation.CLEAR_HISTORY_GROUP, List.of(
          UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
      Map.entry(Operation.LIST_CONVERSATIONS, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK)),
      Map.entry(Operation.SUBSCRIBE, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK)),
      Map.entry(Operation.PRESENCE_OF_ALICE, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK)),
      Map.entry(Operation.PRESENCE_OF_OWNER, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK)),
      Map.entry(Operation.SET_PRESENCE_VISIBILITY, List.of(
          UNAUTHENTICATED, OK, OK, OK, OK, OK, OK, OK))));

  /** Who sees alice online: her friend only (she blocked BLOCKED). */
  private static final Set<Role> SEE_ALICE = EnumSet.of(Role.FRIEND);
  /** Who sees the owner online: the owner and fellow members. */
  private static final Set<Role> SEE_OWNER = EnumSet.of(Role.MEMBER, Role.MUTED_MEMBER, Role.ADMIN, Role.OWNER);

  @RegisterExtension
  static final MessageRig rig = MessageRig.start();

  private final Map<Role, User> users = new EnumMap<>(Role.class);
  private User alice;
  private User poster;
  private String group;
  private final List<EventStream> online = new ArrayList<>();

  @BeforeAll
  void start() {
    for (Role role : Role.values()) {
      if (role != Role.ANONYMOUS) {
        users.put(role, rig.user());
      }
    }
    alice = rig.user();
    poster = rig.user();
    rig.friends().befriend(alice.id(), users.get(Role.FRIEND).id());
    rig.friends().befriend(alice.id(), users.get(Role.BLOCKED).id());
    rig.sendTo(alice, users.get(Role.FRIEND), "hello friend");
    rig.sendTo(alice, users.get(Role.BLOCKED), "hello before the block");
    rig.friends().block(alice.id(), users.get(Role.BLOCKED).id());

    group = rig.groups().create(users.get(Role.OWNER).id());
    rig.groups().add(group, users.get(Role.ADMIN).id(), GroupRole.ADMIN);
    rig.groups().add(group, users.get(Role.MEMBER).id(), GroupRole.MEMBER);
    rig.groups().add(group, users.get(Role.MUTED_MEMBER).id(), GroupRole.MEMBER);
    rig.groups().add(group, poster.id(), GroupRole.MEMBER);
    rig.groups().mute(group, users.get(Role.MUTED_MEMBER).id(), rig.clock.instant().plus(Duration.ofDays(1)));
    rig.sendToGroup(users.get(Role.OWNER), group, "hello group");
    online.add(EventStream.subscribed(rig.asyncAs(alice)));
    online.add(EventStream.subscribed(rig.asyncAs(users.get(Role.OWNER))));
  }

  @AfterAll
  void stop() {
    online.forEach(EventStream::cancel);
  }

  private static boolean seesOnline(MessageServiceGrpc.MessageServiceBlockingStub stub, User target) {
    return stub.getPresence(GetPresenceRequest.newBuilder().addUserIds(target.id()).build())
        .getPresences(0).getOnline();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> rows = new ArrayList<>();
    MATRIX.forEach((operation, outcomes) -> {
      for (Role role : Role.values()) {
        rows.add(Arguments.of(operation, role, outcomes.get(role.ordinal())));
      }
    });
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} by {1}: {2}")
  @MethodSource("matrix")
  void everyRoleGetsExactlyTheExpectedAnswer(Operation operation, Role role, String expected) {
    Throwable failure = catchThrowable(() -> perform(operation, role));
    if (expected.equals(OK)) {
      assertThat(failure).as("%s by %s", operation, role).isNull();
    } else {
      String[] parts = expected.split(" ");
      assertThat(failure).as("%s by %s fails", operation, role).isNotNull();
      assertStatus(failure, Status.Code.valueOf(parts[0]), ErrorReason.valueOf(parts[1]));
    }
  }

  private MessageServiceGrpc.MessageServiceBlockingStub stub(Role role) {
    return role == Role.ANONYMOUS ? rig.replica.anonymous() : rig.as(users.get(role));
  }

  private String withAlice(Role role) {
    return ConversationId.ofUsers(alice.id(), users.get(role).id()).value();
  }

  private static EditMessageRequest edit(SendMessageResponse sent) {
    return EditMessageRequest.newBuilder().setConversationId(sent.getConversationId()).setSeq(sent.getSeq())
        .setContent(text("edited", "edited").getContent()).build();
  }

  private void perform(Operation operation, Role role) throws Throwable {
    MessageServiceGrpc.MessageServiceBlockingStub stub = stub(role);
    String clientMsgId = Ids.newId("c");
    switch (operation) {
      case SEND_PRIVATE -> stub.sendMessage(text(clientMsgId, "hi").toBuilder().setToUserId(alice.id()).build());
      case SEND_GROUP -> stub.sendMessage(text(clientMsgId, "hi").toBuilder().setToGroupId(group).build());
      case SEND_GROUP_MENTION_ALL -> stub.sendMessage(text(clientMsgId, "all")
          .toBuilder().setToGroupId(group).setMentionAll(true).build());
      case PULL_PRIVATE -> assertThat(stub.pullMessages(PullMessagesRequest.newBuilder()
          .setConversationId(withAlice(Role.FRIEND)).build()).getMessagesCount()).isPositive();
      case PULL_GROUP -> stub.pullMessages(PullMessagesRequest.newBuilder().setConversationId("g_" + group).build());
      case PULL_BLOCKED_HISTORY -> assertThat(stub.pullMessages(PullMessagesRequest.newBuilder()
          .setConversationId(withAlice(Role.BLOCKED)).build()).getMessagesCount()).isEqualTo(1);
      case MARK_READ_PRIVATE -> stub.markRead(MarkReadRequest.newBuilder()
          .setConversationId(withAlice(Role.FRIEND)).setSeq(1).build());
      case MARK_READ_GROUP -> stub.markRead(MarkReadRequest.newBuilder().setConversationId("g_" + group).setSeq(1).build());
      case RECALL_PRIVATE -> {
        SendMessageResponse sent = rig.sendTo(alice, users.get(Role.FRIEND), "to recall");
        assertThat(stub.recallMessage(RecallMessageRequest.newBuilder()
            .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build()).getRecalled()).isTrue();
      }
      case RECALL_GROUP -> {
        SendMessageResponse sent = rig.sendToGroup(poster, group, "to recall");
        assertThat(stub.recallMessage(RecallMessageRequest.newBuilder()
            .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build()).getRecalled()).isTrue();
      }
      case EDIT_PRIVATE -> {
        SendMessageResponse sent = rig.sendTo(alice, users.get(Role.FRIEND), "to edit");
        assertThat(stub.editMessage(edit(sent)).getEdited()).isTrue();
      }
      case EDIT_GROUP -> {
        SendMessageResponse sent = rig.sendToGroup(poster, group, "to edit");
        assertThat(stub.editMessage(edit(sent)).getEdited()).isTrue();
      }
      case VERSIONS_PRIVATE -> assertThat(stub.listMessageVersions(ListMessageVersionsRequest.newBuilder()
          .setConversationId(withAlice(Role.FRIEND)).setSeq(1).build()).getVersionsCount()).isPositive();
      case VERSIONS_GROUP -> assertThat(stub.listMessageVersions(ListMessageVersionsRequest.newBuilder()
          .setConversationId("g_" + group).setSeq(1).build()).getVersionsCount()).isPositive();
      case REACT_PRIVATE -> assertThat(stub.addReaction(AddReactionRequest.newBuilder()
          .setConversationId(withAlice(Role.FRIEND)).setSeq(1).setEmoji("👍").build()).getReactionsCount()).isPositive();
      case REACT_GROUP -> assertThat(stub.addReaction(AddReactionRequest.newBuilder()
          .setConversationId("g_" + group).setSeq(1).setEmoji("👍").build()).getReactionsCount()).isPositive();
      case SETTINGS_PRIVATE -> assertThat(stub.updateConversationSettings(UpdateConversationSettingsRequest.newBuilder()
          .setConversationId(withAlice(Role.FRIEND)).setSettings(ConversationSettings.newBuilder().setArchived(true))
          .build()).getArchived()).isTrue();
      case SETTINGS_GROUP -> assertThat(stub.updateConversationSettings(UpdateConversationSettingsRequest.newBuilder()
          .setConversationId("g_" + group).setSettings(ConversationSettings.newBuilder().setArchived(true))
          .build()).getArchived()).isTrue();
      case BADGE -> stub.getBadge(GetBadgeRequest.getDefaultInstance());
      case DELETE_FOR_ME_PRIVATE -> {
        SendMessageResponse sent = rig.sendTo(alice, users.get(Role.FRIEND), "to delete for one");
        stub.deleteMessagesForMe(DeleteMessagesForMeRequest.newBuilder()
            .setConversationId(sent.getConversationId()).addSeqs(sent.getSeq()).build());
      }
      case CLEAR_HISTORY_GROUP -> stub.clearHistoryForMe(ClearHistoryForMeRequest.newBuilder()
          .setConversationId("g_" + group).build());
      case LIST_CONVERSATIONS -> stub.listConversations(ListConversationsRequest.getDefaultInstance());
      case SUBSCRIBE -> {
        EventStream stream = EventStream.open(role == Role.ANONYMOUS
            ? rig.replica.anonymousAsync()
            : rig.asyncAs(users.get(role)));
        try {
          if (role == Role.ANONYMOUS) {
            Throwable end = stream.awaitEnd();
            assertThat(end).as("the stream fails").isNotNull();
            throw end;
          }
          assertThat(stream.next().hasSubscribed()).isTrue();
        } finally {
          stream.cancel();
        }
      }
      case PRESENCE_OF_ALICE -> assertThat(seesOnline(stub, alice)).as("%s sees alice online", role)
          .isEqualTo(SEE_ALICE.contains(role));
      case PRESENCE_OF_OWNER -> assertThat(seesOnline(stub, users.get(Role.OWNER))).as("%s sees the owner online", role)
          .isEqualTo(SEE_OWNER.contains(role));
      case SET_PRESENCE_VISIBILITY -> assertThat(stub.setPresenceVisibility(SetPresenceVisibilityRequest.newBuilder()
          .setVisibility(PresenceVisibility.FRIENDS_AND_GROUPS).build()).getVisibility())
          .isEqualTo(PresenceVisibility.FRIENDS_AND_GROUPS);
      default -> throw new IllegalStateException("no such operation: " + operation);
    }
  }
}
