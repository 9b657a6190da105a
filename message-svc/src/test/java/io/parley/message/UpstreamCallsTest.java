package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.group.v1.GroupRole;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListConversationsResponse;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * No call costs more upstream calls the more groups a user has ever been in (#13.3). ListConversations
 * used to make one membership call per group ever opened; it makes one ListUserGroups call per page
 * of the groups the user is in now (1,000 a page; the fake serves {@value FakeGroupService#MAX_PAGE}),
 * and nothing per group. Every other call asks about the one conversation it names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamCallsTest {
  private static final int GROUPS = 30;

  private final MessageRig rig = MessageRig.start();

  @AfterAll
  void closeRig() {
    rig.close();
  }

  /** Upstream calls made while {@code call} runs. */
  private record Calls(int userGroups, int memberships, int memberIds, int relations) {}

  private Calls count(Runnable call) {
    FakeGroupService groups = rig.groups();
    int userGroups = groups.userGroupCalls();
    int memberships = groups.membershipCalls();
    int memberIds = groups.memberIdCalls();
    int relations = rig.friends().calls();
    call.run();
    return new Calls(groups.userGroupCalls() - userGroups, groups.membershipCalls() - memberships,
        groups.memberIdCalls() - memberIds, rig.friends().calls() - relations);
  }

  /** {@code count} groups, each owned by someone else, that {@code user} is a member of, each with a message. */
  private List<String> joinGroupsWithMessages(User user, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      User owner = rig.user();
      String group = rig.groups().create(owner.id());
      rig.groups().add(group, user.id(), GroupRole.MEMBER);
      rig.clock.advance(Duration.ofMillis(1));
      rig.sendToGroup(owner, group, "welcome " + i);
      ids.add(group);
    }
    return ids;
  }

  private ListConversationsResponse listAll(User user) {
    return rig.as(user).listConversations(ListConversationsRequest.newBuilder().setPageSize(100).build());
  }

  @Test
  void listConversationsAsksForTheUsersGroupsByPageAndNothingPerGroup() {
    User user = rig.user();
    joinGroupsWithMessages(user, GROUPS);

    Calls calls = count(() -> assertThat(listAll(user).getConversationsCount()).isEqualTo(GROUPS));

    int pages = (GROUPS + FakeGroupService.MAX_PAGE - 1) / FakeGroupService.MAX_PAGE;
    assertThat(calls).isEqualTo(new Calls(pages, 0, 0, 0));
    assertThat(rig.groups().lastUserGroupsPageSize()).as("the page size asked for").isEqualTo(1000);

    // Groups joined and left since cost nothing: only the groups the user is in now are listed.
    List<String> left = joinGroupsWithMessages(user, GROUPS);
    left.forEach(group -> rig.groups().remove(group, user.id()));
    assertThat(count(() -> assertThat(listAll(user).getConversationsCount()).isEqualTo(GROUPS)))
        .isEqualTo(new Calls(pages, 0, 0, 0));
  }

  @Test
  void callsOnOneConversationAskAboutThatConversationOnlyWhateverTheUserIsIn() {
    User user = rig.user();
    List<String> groups = joinGroupsWithMessages(user, GROUPS);
    String group = groups.get(0);
    String conversation = "g_" + group;

    // At most one membership question each (none while the answer is cached), never the user's groups.
    Calls sent = count(() -> rig.sendToGroup(user, group, "hello"));
    Calls pulled = count(() -> rig.as(user).pullMessages(
        PullMessagesRequest.newBuilder().setConversationId(conversation).build()));
    Calls read = count(() -> rig.as(user).markRead(
        MarkReadRequest.newBuilder().setConversationId(conversation).setSeq(2).build()));
    SendMessageResponse mine = rig.sendToGroup(user, group, "oops");
    Calls recalled = count(() -> rig.as(user).recallMessage(
        RecallMessageRequest.newBuilder().setConversationId(conversation).setSeq(mine.getSeq()).build()));

    for (Calls calls : List.of(sent, pulled, read, recalled)) {
      assertThat(calls.userGroups()).isZero();
      assertThat(calls.memberships()).isLessThanOrEqualTo(1);
      assertThat(calls.memberIds()).isZero();
      assertThat(calls.relations()).isZero();
    }
  }

  /**
   * A pair that keeps talking never waits for friend-svc once its relation is known: past half the
   * cache time a send is answered from the cache and the relation reloads in the background, which
   * starts the cache time over, so the answer never expires under the pair's sends.
   */
  @Test
  void aPairThatKeepsTalkingHasItsRelationReloadedInTheBackgroundBeforeItExpires() {
    User[] pair = rig.friendsPair();
    Duration ttl = MessageRig.settings().cacheTtl();
    assertThat(count(() -> rig.sendTo(pair[0], pair[1], "first")).relations()).isEqualTo(1);

    int before = rig.friends().calls();
    rig.clock.advance(ttl.multipliedBy(3).dividedBy(5));
    rig.sendTo(pair[0], pair[1], "past half the cache time");
    awaitCalls(before + 1);

    // Past the first answer's whole cache time, short of half the reloaded one's: nothing is asked.
    rig.clock.advance(ttl.multipliedBy(9).dividedBy(20));
    assertThat(count(() -> rig.sendTo(pair[1], pair[0], "still cached")).relations()).isZero();
  }

  private void awaitCalls(int calls) {
    await().atMost(Duration.ofSeconds(5)).until(() -> rig.friends().calls() >= calls);
    assertThat(rig.friends().calls()).isEqualTo(calls);
  }
}
