package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.ConversationType;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListConversationsResponse;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListConversationsTest {
  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store here. */
  MessageRig startRig() {
    return MessageRig.start();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  private List<Conversation> list(User user) {
    return rig.as(user).listConversations(ListConversationsRequest.getDefaultInstance()).getConversationsList();
  }

  private void tick() {
    rig.clock.advance(Duration.ofSeconds(1));
  }

  @Test
  void conversationsComeNewestFirstWithPreviewReadStateAndUnreadCounts() {
    User me = rig.user();
    User alice = rig.user();
    User bob = rig.user();
    rig.friends().befriend(me.id(), alice.id());
    rig.friends().befriend(me.id(), bob.id());
    String group = rig.groups().create(bob.id());
    rig.groups().add(group, me.id(), GroupRole.MEMBER);

    rig.sendTo(alice, me, "a1");
    tick();
    rig.sendTo(alice, me, "a2");
    tick();
    rig.sendToGroup(bob, group, "g1");
    tick();
    SendMessageResponse mine = rig.sendTo(me, bob, "to bob");
    tick();
    rig.sendToGroup(me, group, "g2 by me");
    tick();
    SendMessageResponse last = rig.sendTo(alice, me, "a3");

    List<Conversation> conversations = list(me);

    assertThat(conversations).extracting(Conversation::getConversationId)
        .containsExactly(last.getConversationId(), "g_" + group, mine.getConversationId());
    Conversation withAlice = conversations.get(0);
    assertThat(withAlice.getType()).isEqualTo(ConversationType.PRIVATE);
    assertThat(withAlice.getPeerUserId()).isEqualTo(alice.id());
    assertThat(withAlice.getLastSeq()).isEqualTo(3);
    assertThat(withAlice.getReadSeq()).isZero();
    assertThat(withAlice.getUnreadCount()).isEqualTo(3);
    assertThat(withAlice.getLastMessage().getContent().getText().getText()).isEqualTo("a3");
    assertThat(withAlice.getUpdateTime()).isEqualTo(last.getServerTime());
    Conversation inGroup = conversations.get(1);
    assertThat(inGroup.getType()).isEqualTo(ConversationType.GROUP);
    assertThat(inGroup.getGroupId()).isEqualTo(group);
    assertThat(inGroup.getLastSeq()).isEqualTo(2);
    assertThat(inGroup.getUnreadCount()).as("my own message is not unread").isEqualTo(1);
    Conversation withBob = conversations.get(2);
    assertThat(withBob.getUnreadCount()).isZero();
    assertThat(withBob.getReadSeq()).isEqualTo(1);

    assertThat(list(bob)).extracting(Conversation::getConversationId)
        .containsExactly("g_" + group, mine.getConversationId());
    assertThat(list(bob).get(1).getUnreadCount()).isEqualTo(1);
  }

  @Test
  void unreadCountsFollowMarkReadAndIgnoreOwnMessages() {
    User[] pair = rig.friendsPair();
    User me = pair[0];
    String conversation = rig.sendTo(pair[1], me, "1").getConversationId();
    rig.sendTo(pair[1], me, "2");
    rig.sendTo(me, pair[1], "3 (mine)");
    rig.sendTo(pair[1], me, "4");
    assertThat(list(me).get(0).getUnreadCount()).isEqualTo(3);

    rig.as(me).markRead(MarkReadRequest.newBuilder().setConversationId(conversation).setSeq(2).build());
    assertThat(list(me).get(0).getUnreadCount()).isEqualTo(1);
    assertThat(list(me).get(0).getReadSeq()).isEqualTo(2);
  }

  @Test
  void pagesWalkEveryConversationOnce() {
    User me = rig.user();
    for (int i = 0; i < 5; i++) {
      User peer = rig.user();
      rig.friends().befriend(me.id(), peer.id());
      rig.sendTo(peer, me, "hi " + i);
      if (i % 2 == 0) {
        tick();  // some conversations share a time: ties are ordered by id
      }
    }
    String group = rig.groups().create(me.id());
    tick();
    rig.sendToGroup(me, group, "newest");

    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListConversationsResponse page = rig.as(me).listConversations(
          ListConversationsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      assertThat(page.getConversationsCount()).isLessThanOrEqualTo(2);
      page.getConversationsList().forEach(c -> seen.add(c.getConversationId()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty() && pages < 10);

    List<Conversation> all = rig.as(me).listConversations(
        ListConversationsRequest.newBuilder().setPageSize(100).build()).getConversationsList();
    assertThat(seen).hasSize(6).doesNotHaveDuplicates()
        .containsExactlyElementsOf(all.stream().map(Conversation::getConversationId).toList());
    assertThat(all.get(0).getConversationId()).isEqualTo("g_" + group);
  }

  @Test
  void aForeignOrMangledPageTokenIsRejected() {
    User me = rig.user();
    assertFails(() -> rig.as(me).listConversations(ListConversationsRequest.newBuilder().setPageToken("bogus").build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
    String foreign = io.parley.data.PageTokens.encode("12:p_x", "SomethingElse");
    assertFails(() -> rig.as(me).listConversations(ListConversationsRequest.newBuilder().setPageToken(foreign).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
    String mangled = io.parley.data.PageTokens.encode("twelve:p_x", "ListConversations");
    assertFails(() -> rig.as(me).listConversations(ListConversationsRequest.newBuilder().setPageToken(mangled).build()),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_PAGE_TOKEN);
  }

  @Test
  void aGroupLeftDisappearsAndShowsNothingSentAfterwards() {
    User owner = rig.user();
    User member = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.sendToGroup(owner, group, "hello all");
    assertThat(list(member)).extracting(Conversation::getConversationId).containsExactly("g_" + group);

    tick();
    rig.groups().remove(group, member.id());
    rig.sendToGroup(owner, group, "secret plans");

    assertThat(list(member)).isEmpty();
    tick();
    rig.groups().add(group, member.id(), GroupRole.MEMBER);
    rig.sendToGroup(owner, group, "welcome back");
    assertThat(list(member)).singleElement().satisfies(c -> {
      assertThat(c.getLastMessage().getContent().getText().getText()).isEqualTo("welcome back");
      assertThat(c.getUnreadCount()).isEqualTo(1);
    });
  }

  @Test
  void aNewMemberCountsUnreadFromTheirJoin() {
    User owner = rig.user();
    User late = rig.user();
    String group = rig.groups().create(owner.id());
    for (int i = 0; i < 3; i++) {
      rig.sendToGroup(owner, group, "old " + i);
    }
    tick();
    rig.groups().add(group, late.id(), GroupRole.MEMBER);
    assertThat(list(late)).as("no message since the join").isEmpty();
    rig.sendToGroup(owner, group, "new");

    assertThat(list(late)).singleElement().satisfies(c -> {
      assertThat(c.getLastSeq()).isEqualTo(4);
      assertThat(c.getReadSeq()).isEqualTo(3);
      assertThat(c.getUnreadCount()).isEqualTo(1);
    });
  }

  @Test
  void aRecalledLastMessageShowsAsATombstone() {
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "oops");
    rig.as(pair[0]).recallMessage(RecallMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq()).build());
    Conversation conversation = list(pair[1]).get(0);
    assertThat(conversation.getLastMessage().getRecalled()).isTrue();
    assertThat(conversation.getLastMessage().hasContent()).isFalse();
  }

  @Test
  void aUserWithoutMessagesHasNoConversations() {
    ListConversationsResponse response =
        rig.as(rig.user()).listConversations(ListConversationsRequest.getDefaultInstance());
    assertThat(response.getConversationsList()).isEmpty();
    assertThat(response.getNextPageToken()).isEmpty();
  }
}
