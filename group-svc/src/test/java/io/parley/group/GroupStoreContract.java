package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.Member;
import io.parley.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link GroupStore} keeps, run against each implementation by a subclass that
 * says how to make a store.
 */
abstract class GroupStoreContract {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  MutableClock clock;
  GroupStore store;

  /** A new store on the implementation under test, using {@code clock}. */
  abstract GroupStore newStore(Clock clock);

  /** Checks what the implementation keeps besides the public view (e.g. its Redis keys) for {@code groupId}. */
  void assertStoredStateConsistent(String groupId) {}

  @BeforeEach
  void openStore() {
    clock = new MutableClock(START);
    store = newStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static String user() {
    return Ids.newId("u");
  }

  static Group fields(String name, JoinPolicy policy) {
    return Group.newBuilder().setName(name).setNotice("notice of " + name).setAvatarUrl("https://example.com/a.png")
        .setJoinPolicy(policy).build();
  }

  Group create(String owner, JoinPolicy policy, int max, String... members) {
    return store.create(Ids.newId("g"), fields("g", policy), owner, List.of(members), max);
  }

  /** An INVITE_ONLY group of {@code owner}, one admin and the given members; limit 50. */
  String groupWithAdmin(String owner, String admin, String... members) {
    List<String> all = new ArrayList<>(List.of(admin));
    all.addAll(List.of(members));
    String groupId = store.create(Ids.newId("g"), fields("team", JoinPolicy.INVITE_ONLY), owner, all, 50).getGroupId();
    store.setRole(groupId, owner, admin, GroupRole.ADMIN);
    return groupId;
  }

  List<Member> allMembers(String groupId) {
    List<Member> members = new ArrayList<>();
    String cursor = null;
    do {
      Page<Member> page = store.listMembers(groupId, null, cursor, 3);
      members.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    return members;
  }

  List<String> memberIds(String groupId) {
    return allMembers(groupId).stream().map(Member::getUserId).toList();
  }

  List<String> groupIdsOf(String userId) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      Page<Group> page = store.listGroups(userId, cursor, 2);
      page.items().forEach(g -> ids.add(g.getGroupId()));
      cursor = page.nextCursor();
    } while (cursor != null);
    return ids;
  }

  Member memberOf(String groupId, String userId) {
    return store.find(groupId, userId).orElseThrow().member();
  }

  /** The member count equals the member list, within the limit, with exactly one owner, in strictly increasing join order. */
  void assertConsistent(String groupId) {
    Group group = store.find(groupId, null).orElseThrow().group();
    List<Member> members = allMembers(groupId);
    assertThat(members).hasSize(group.getMemberCount());
    assertThat(group.getMemberCount()).isLessThanOrEqualTo(group.getMaxMembers());
    assertThat(members).filteredOn(m -> m.getRole() == GroupRole.OWNER).extracting(Member::getUserId)
        .containsExactly(group.getOwnerId());
    for (int i = 1; i < members.size(); i++) {
      assertThat(Timestamps.compare(members.get(i - 1).getJoinTime(), members.get(i).getJoinTime())).isNegative();
    }
    assertStoredStateConsistent(groupId);
  }

  static void assertRefused(ErrorReason reason, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ParleyException.class,
        e -> assertThat(e.reason()).as(e.toString()).isEqualTo(reason));
  }

  @Test
  void createdGroupHasItsFieldsAndTheOwnerFirstThenTheMembersInOrder() {
    String owner = user();
    String a = user();
    String b = user();
    Group group = store.create(Ids.newId("g"), fields("friends", JoinPolicy.OPEN), owner, List.of(a, b), 10);

    assertThat(group.getName()).isEqualTo("friends");
    assertThat(group.getNotice()).isEqualTo("notice of friends");
    assertThat(group.getAvatarUrl()).isEqualTo("https://example.com/a.png");
    assertThat(group.getJoinPolicy()).isEqualTo(JoinPolicy.OPEN);
    assertThat(group.getOwnerId()).isEqualTo(owner);
    assertThat(group.getMemberCount()).isEqualTo(3);
    assertThat(group.getMaxMembers()).isEqualTo(10);
    assertThat(Timestamps.toMillis(group.getCreateTime())).isEqualTo(START.toEpochMilli());
    assertThat(store.find(group.getGroupId(), null).orElseThrow().group()).isEqualTo(group);
    assertThat(allMembers(group.getGroupId())).extracting(Member::getUserId, Member::getRole)
        .containsExactly(
            tuple(owner, GroupRole.OWNER),
            tuple(a, GroupRole.MEMBER),
            tuple(b, GroupRole.MEMBER));
    assertConsistent(group.getGroupId());
  }

  @Test
  void joinTimesAreDistinctAndIncreasingEvenWithinOneMillisecond() {
    String owner = user();
    String late = user();
    Group group = create(owner, JoinPolicy.OPEN, 10, user(), user());
    Member joined = store.join(group.getGroupId(), late);

    assertThat(allMembers(group.getGroupId())).extracting(m -> Timestamps.toMillis(m.getJoinTime()))
        .containsExactly(START.toEpochMilli(), START.toEpochMilli() + 1, START.toEpochMilli() + 2,
            START.toEpochMilli() + 3);
    assertThat(Timestamps.toMillis(joined.getJoinTime())).isEqualTo(START.toEpochMilli() + 3);
  }

  @Test
  void createBeyondTheLimitFailsGroupFullAndStoresNothing() {
    String owner = user();
    assertRefused(ErrorReason.GROUP_FULL, () -> create(owner, JoinPolicy.OPEN, 2, user(), user()));
    assertThat(store.listGroups(owner, null, 10).items()).isEmpty();
  }

  @Test
  void findShowsTheMembershipOfAMemberOnly() {
    String owner = user();
    String member = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, member);

    Membership asMember = store.find(group.getGroupId(), member).orElseThrow();
    assertThat(asMember.isMember()).isTrue();
    assertThat(asMember.role()).isEqualTo(GroupRole.MEMBER);
    assertThat(asMember.member().getUserId()).isEqualTo(member);
    assertThat(asMember.member().hasMuteUntil()).isFalse();
    assertThat(store.find(group.getGroupId(), user()).orElseThrow().isMember()).isFalse();
    assertThat(store.find(group.getGroupId(), null).orElseThrow().isMember()).isFalse();
    assertThat(store.find(Ids.newId("g"), owner)).isEmpty();
  }

  @Test
  void updateWritesOnlyTheListedFieldsAndStampsTheUpdateTime() {
    String owner = user();
    String admin = user();
    String groupId = groupWithAdmin(owner, admin);
    clock.advance(Duration.ofMinutes(1));

    Group values = Group.newBuilder().setName("renamed").setNotice("ignored").setJoinPolicy(JoinPolicy.OPEN).build();
    Group updated = store.update(groupId, admin, values, Set.of("name", "join_policy"));

    assertThat(updated.getName()).isEqualTo("renamed");
    assertThat(updated.getJoinPolicy()).isEqualTo(JoinPolicy.OPEN);
    assertThat(updated.getNotice()).isEqualTo("notice of team");
    assertThat(updated.getAvatarUrl()).isEqualTo("https://example.com/a.png");
    assertThat(Timestamps.toMillis(updated.getUpdateTime())).isEqualTo(START.plus(Duration.ofMinutes(1)).toEpochMilli());
    assertThat(Timestamps.toMillis(updated.getCreateTime())).isEqualTo(START.toEpochMilli());
    assertThat(store.find(groupId, null).orElseThrow().group()).isEqualTo(updated);

    Group cleared = store.update(groupId, owner, Group.getDefaultInstance(), Set.of("notice", "avatar_url"));
    assertThat(cleared.getNotice()).isEmpty();
    assertThat(cleared.getAvatarUrl()).isEmpty();
    assertThat(cleared.getName()).isEqualTo("renamed");
  }

  @Test
  void updateIsRefusedToMembersAndStrangers() {
    String owner = user();
    String member = user();
    String groupId = groupWithAdmin(owner, user(), member);
    Group before = store.find(groupId, null).orElseThrow().group();
    Group values = Group.newBuilder().setName("x").build();

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.update(groupId, member, values, Set.of("name")));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.update(groupId, user(), values, Set.of("name")));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.update(Ids.newId("g"), owner, values, Set.of("name")));
    assertThat(store.find(groupId, null).orElseThrow().group()).isEqualTo(before);

    Group open = create(owner, JoinPolicy.OPEN, 10);
    assertRefused(ErrorReason.NOT_GROUP_MEMBER, () -> store.update(open.getGroupId(), user(), values, Set.of("name")));
  }

  @Test
  void inviteAddsNewUsersInOrderAndReportsThoseAlreadyMembers() {
    String owner = user();
    String admin = user();
    String existing = user();
    String groupId = groupWithAdmin(owner, admin, existing);
    String x = user();
    String y = user();
    clock.advance(Duration.ofSeconds(5));

    AddedMembers result = store.invite(groupId, admin, List.of(x, existing, y));

    assertThat(result.added()).extracting(Member::getUserId).containsExactly(x, y);
    assertThat(result.added()).allSatisfy(m -> {
      assertThat(m.getRole()).isEqualTo(GroupRole.MEMBER);
      assertThat(Timestamps.toMillis(m.getJoinTime())).isGreaterThanOrEqualTo(clock.millis());
    });
    assertThat(result.alreadyMembers()).containsExactly(existing);
    assertThat(memberIds(groupId)).containsExactly(owner, admin, existing, x, y);
    assertThat(groupIdsOf(x)).containsExactly(groupId);
    assertThat(groupIdsOf(existing)).containsExactly(groupId);
    assertConsistent(groupId);
  }

  @Test
  void inviteIsAllOrNothingAtTheLimit() {
    String owner = user();
    String existing = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 4, existing);
    String a = user();
    String b = user();
    String c = user();

    assertRefused(ErrorReason.GROUP_FULL, () -> store.invite(group.getGroupId(), owner, List.of(a, existing, b, c)));

    assertThat(memberIds(group.getGroupId())).containsExactly(owner, existing);
    assertThat(groupIdsOf(a)).isEmpty();
    assertThat(groupIdsOf(existing)).containsExactly(group.getGroupId());
    assertThat(store.invite(group.getGroupId(), owner, List.of(a, existing, b)).added()).hasSize(2);
    assertConsistent(group.getGroupId());
  }

  @Test
  void inviteIsRefusedToMembersAndStrangers() {
    String owner = user();
    String member = user();
    String groupId = groupWithAdmin(owner, user(), member);
    String newcomer = user();

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.invite(groupId, member, List.of(newcomer)));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.invite(groupId, user(), List.of(newcomer)));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.invite(Ids.newId("g"), owner, List.of(newcomer)));
    assertThat(memberIds(groupId)).doesNotContain(newcomer);
    assertThat(groupIdsOf(newcomer)).isEmpty();
  }

  @Test
  void joinAddsToAnOpenGroupOnly() {
    String owner = user();
    String joiner = user();
    Group open = create(owner, JoinPolicy.OPEN, 3);
    Group inviteOnly = create(owner, JoinPolicy.INVITE_ONLY, 3);

    Member member = store.join(open.getGroupId(), joiner);

    assertThat(member.getUserId()).isEqualTo(joiner);
    assertThat(member.getRole()).isEqualTo(GroupRole.MEMBER);
    assertThat(memberIds(open.getGroupId())).containsExactly(owner, joiner);
    assertRefused(ErrorReason.ALREADY_GROUP_MEMBER, () -> store.join(open.getGroupId(), joiner));
    assertRefused(ErrorReason.ALREADY_GROUP_MEMBER, () -> store.join(inviteOnly.getGroupId(), owner));
    assertRefused(ErrorReason.GROUP_INVITE_ONLY, () -> store.join(inviteOnly.getGroupId(), joiner));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.join(Ids.newId("g"), joiner));
    store.join(open.getGroupId(), user());
    String late = user();
    assertRefused(ErrorReason.GROUP_FULL, () -> store.join(open.getGroupId(), late));
    assertThat(groupIdsOf(joiner)).containsExactly(open.getGroupId());
    assertThat(groupIdsOf(late)).isEmpty();
    assertConsistent(open.getGroupId());
  }

  @Test
  void membersLeaveButTheOwnerCannot() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);

    Member left = store.leave(groupId, member);
    store.leave(groupId, admin);

    assertThat(left.getUserId()).isEqualTo(member);
    assertThat(memberIds(groupId)).containsExactly(owner);
    assertThat(groupIdsOf(member)).isEmpty();
    assertRefused(ErrorReason.OWNER_CANNOT_LEAVE, () -> store.leave(groupId, owner));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.leave(groupId, member));
    Group open = create(owner, JoinPolicy.OPEN, 10);
    assertRefused(ErrorReason.NOT_GROUP_MEMBER, () -> store.leave(open.getGroupId(), member));
    assertConsistent(groupId);
  }

  @Test
  void adminsRemoveMembersAndTheOwnerRemovesAnyoneButItself() {
    String owner = user();
    String admin = user();
    String otherAdmin = user();
    String member = user();
    String otherMember = user();
    String groupId = groupWithAdmin(owner, admin, otherAdmin, member, otherMember);
    store.setRole(groupId, owner, otherAdmin, GroupRole.ADMIN);

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.remove(groupId, member, otherMember));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.remove(groupId, member, member));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.remove(groupId, admin, otherAdmin));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.remove(groupId, admin, owner));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.remove(groupId, owner, owner));
    assertRefused(ErrorReason.MEMBER_NOT_FOUND, () -> store.remove(groupId, admin, user()));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.remove(groupId, user(), member));
    assertThat(memberIds(groupId)).containsExactly(owner, admin, otherAdmin, member, otherMember);

    Member removed = store.remove(groupId, admin, member);
    store.remove(groupId, owner, otherAdmin);

    assertThat(removed.getUserId()).isEqualTo(member);
    assertThat(memberIds(groupId)).containsExactly(owner, admin, otherMember);
    assertThat(groupIdsOf(member)).isEmpty();
    assertThat(groupIdsOf(otherAdmin)).isEmpty();
    assertConsistent(groupId);
  }

  @Test
  void onlyTheOwnerSetsRolesAndNeverItsOwn() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);

    assertThat(store.setRole(groupId, owner, member, GroupRole.ADMIN).getRole()).isEqualTo(GroupRole.ADMIN);
    assertThat(store.setRole(groupId, owner, admin, GroupRole.MEMBER).getRole()).isEqualTo(GroupRole.MEMBER);
    assertThat(memberOf(groupId, member).getRole()).isEqualTo(GroupRole.ADMIN);
    assertThat(memberOf(groupId, admin).getRole()).isEqualTo(GroupRole.MEMBER);

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.setRole(groupId, member, admin, GroupRole.ADMIN));
    assertRefused(ErrorReason.FAILED_PRECONDITION, () -> store.setRole(groupId, owner, owner, GroupRole.MEMBER));
    assertRefused(ErrorReason.MEMBER_NOT_FOUND, () -> store.setRole(groupId, owner, user(), GroupRole.ADMIN));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.setRole(groupId, user(), admin, GroupRole.ADMIN));
    assertThat(memberOf(groupId, owner).getRole()).isEqualTo(GroupRole.OWNER);
    assertConsistent(groupId);
  }

  @Test
  void transferMakesTheOldOwnerAnAdminAndEndsTheNewOwnersMute() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);
    store.mute(groupId, owner, member, START.plus(Duration.ofHours(1)));
    clock.advance(Duration.ofSeconds(1));

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.transferOwnership(groupId, admin, member));
    assertRefused(ErrorReason.MEMBER_NOT_FOUND, () -> store.transferOwnership(groupId, owner, user()));
    Group group = store.transferOwnership(groupId, owner, member);

    assertThat(group.getOwnerId()).isEqualTo(member);
    assertThat(Timestamps.toMillis(group.getUpdateTime())).isEqualTo(clock.millis());
    assertThat(memberOf(groupId, member).getRole()).isEqualTo(GroupRole.OWNER);
    assertThat(memberOf(groupId, member).hasMuteUntil()).isFalse();
    assertThat(memberOf(groupId, owner).getRole()).isEqualTo(GroupRole.ADMIN);
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.transferOwnership(groupId, owner, admin));
    assertThat(store.leave(groupId, owner).getRole()).isEqualTo(GroupRole.ADMIN);
    assertConsistent(groupId);
  }

  @Test
  void muteFollowsRanksAndEndsWithTime() {
    String owner = user();
    String admin = user();
    String otherAdmin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, otherAdmin, member);
    store.setRole(groupId, owner, otherAdmin, GroupRole.ADMIN);
    Instant until = START.plus(Duration.ofMinutes(10));

    Member muted = store.mute(groupId, admin, member, until);
    assertThat(Timestamps.toMillis(muted.getMuteUntil())).isEqualTo(until.toEpochMilli());
    assertThat(Timestamps.toMillis(memberOf(groupId, member).getMuteUntil())).isEqualTo(until.toEpochMilli());
    assertThat(store.mute(groupId, owner, otherAdmin, until).hasMuteUntil()).isTrue();

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.mute(groupId, admin, otherAdmin, until));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.mute(groupId, admin, owner, until));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.mute(groupId, owner, owner, until));
    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.mute(groupId, member, admin, until));
    assertRefused(ErrorReason.MEMBER_NOT_FOUND, () -> store.mute(groupId, admin, user(), until));
    assertThat(memberOf(groupId, owner).hasMuteUntil()).isFalse();
    assertThat(memberOf(groupId, admin).hasMuteUntil()).isFalse();

    clock.set(until);
    assertThat(memberOf(groupId, member).hasMuteUntil()).isFalse();
    assertThat(allMembers(groupId)).noneMatch(Member::hasMuteUntil);
  }

  @Test
  void aPastOrMissingTimeUnmutes() {
    String owner = user();
    String member = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, member);
    String groupId = group.getGroupId();

    store.mute(groupId, owner, member, START.plus(Duration.ofDays(1)));
    assertThat(store.mute(groupId, owner, member, START.minusSeconds(1)).hasMuteUntil()).isFalse();
    assertThat(memberOf(groupId, member).hasMuteUntil()).isFalse();

    store.mute(groupId, owner, member, START.plus(Duration.ofDays(1)));
    assertThat(store.mute(groupId, owner, member, null).hasMuteUntil()).isFalse();
    assertThat(memberOf(groupId, member).hasMuteUntil()).isFalse();
  }

  @Test
  void dismissIsForTheOwnerAndEndsTheGroupForEveryone() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);

    assertRefused(ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> store.dismiss(groupId, admin));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.dismiss(groupId, user()));
    store.dismiss(groupId, owner);

    assertThat(store.find(groupId, owner)).isEmpty();
    assertThat(store.listMemberIds(groupId, null, 10)).isEmpty();
    assertThat(groupIdsOf(owner)).isEmpty();
    assertThat(groupIdsOf(member)).isEmpty();
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.dismiss(groupId, owner));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.invite(groupId, owner, List.of(user())));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.listMembers(groupId, owner, null, 10));
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.leave(groupId, member));
  }

  @Test
  void membersArePagedInJoinOrderToMembersOnly() {
    String owner = user();
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      members.add(user());
    }
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, members.toArray(String[]::new));
    String groupId = group.getGroupId();

    Page<Member> first = store.listMembers(groupId, members.get(2), null, 4);
    Page<Member> second = store.listMembers(groupId, owner, first.nextCursor(), 4);

    assertThat(first.items()).extracting(Member::getUserId)
        .containsExactly(owner, members.get(0), members.get(1), members.get(2));
    assertThat(first.nextCursor()).isNotNull();
    assertThat(second.items()).extracting(Member::getUserId).containsExactly(members.get(3), members.get(4),
        members.get(5));
    assertThat(second.nextCursor()).isNull();
    assertThat(store.listMembers(groupId, owner, null, 7).nextCursor()).isNull();
    assertRefused(ErrorReason.GROUP_NOT_FOUND, () -> store.listMembers(groupId, user(), null, 10));
    assertRefused(ErrorReason.INVALID_PAGE_TOKEN, () -> store.listMembers(groupId, owner, "not-a-cursor", 10));
  }

  @Test
  void memberIdsArePagedAndAMissingGroupIsReported() {
    String owner = user();
    String a = user();
    String b = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, a, b);

    Page<String> first = store.listMemberIds(group.getGroupId(), null, 2).orElseThrow();
    Page<String> second = store.listMemberIds(group.getGroupId(), first.nextCursor(), 2).orElseThrow();

    assertThat(first.items()).containsExactly(owner, a);
    assertThat(second.items()).containsExactly(b);
    assertThat(second.nextCursor()).isNull();
    assertThat(store.listMemberIds(Ids.newId("g"), null, 2)).isEmpty();
  }

  @Test
  void aUsersGroupsComeMostRecentlyJoinedFirstAcrossPagesAndTies() {
    String me = user();
    String other = user();
    Group first = create(me, JoinPolicy.INVITE_ONLY, 10);
    Group tiedA = create(me, JoinPolicy.INVITE_ONLY, 10);
    Group tiedB = create(me, JoinPolicy.INVITE_ONLY, 10);
    clock.advance(Duration.ofSeconds(1));
    Group invited = create(other, JoinPolicy.INVITE_ONLY, 10);
    clock.advance(Duration.ofSeconds(1));
    store.invite(invited.getGroupId(), other, List.of(me));
    create(other, JoinPolicy.INVITE_ONLY, 10);

    List<String> tied = new ArrayList<>(List.of(first.getGroupId(), tiedA.getGroupId(), tiedB.getGroupId()));
    tied.sort(Collections.reverseOrder());
    List<String> expected = new ArrayList<>(List.of(invited.getGroupId()));
    expected.addAll(tied);
    assertThat(groupIdsOf(me)).containsExactlyElementsOf(expected);

    List<String> onePerPage = new ArrayList<>();
    String cursor = null;
    do {
      Page<Group> page = store.listGroups(me, cursor, 1);
      assertThat(page.items()).hasSize(1);
      onePerPage.add(page.items().get(0).getGroupId());
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(onePerPage).containsExactlyElementsOf(expected);
    assertThat(store.listGroups(me, null, 10).items().get(0).getMemberCount()).isEqualTo(2);
    assertRefused(ErrorReason.INVALID_PAGE_TOKEN, () -> store.listGroups(me, "garbage", 10));
  }

  @Test
  void aUsersGroupsForgetGroupsLeftRemovedOrDismissedAndShowAGroupJoinedAgain() {
    String owner = user();
    String me = user();
    Group left = create(owner, JoinPolicy.OPEN, 10, me);
    Group removed = create(owner, JoinPolicy.OPEN, 10, me);
    Group dismissed = create(owner, JoinPolicy.OPEN, 10, me);
    Group kept = create(owner, JoinPolicy.OPEN, 10, me);

    store.leave(left.getGroupId(), me);
    store.remove(removed.getGroupId(), owner, me);
    store.dismiss(dismissed.getGroupId(), owner);
    assertThat(groupIdsOf(me)).containsExactly(kept.getGroupId());

    clock.advance(Duration.ofSeconds(1));
    store.join(left.getGroupId(), me);
    assertThat(groupIdsOf(me)).containsExactly(left.getGroupId(), kept.getGroupId());
    assertThat(groupIdsOf(owner)).containsExactlyInAnyOrder(left.getGroupId(), removed.getGroupId(),
        kept.getGroupId());
  }

  /**
   * Several threads invite, join, remove and leave members of one small group at once, while a
   * reader watches: the limit holds at every moment, and at the end the count matches the list,
   * the successful adds minus removals, and every user's list of groups.
   */
  @Test
  void concurrentChangesNeverCorruptTheMemberListOrExceedTheLimit() throws Exception {
    int max = 6;
    String owner = user();
    String admin = user();
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pool.add(user());
    }
    String groupId = store.create(Ids.newId("g"), fields("busy", JoinPolicy.OPEN), owner, List.of(admin), max)
        .getGroupId();
    store.setRole(groupId, owner, admin, GroupRole.ADMIN);

    int threads = 4;
    int operations = 120;
    AtomicInteger added = new AtomicInteger();
    AtomicInteger removed = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Set<ErrorReason> expectedRefusals = Set.of(ErrorReason.GROUP_FULL, ErrorReason.MEMBER_NOT_FOUND,
        ErrorReason.ALREADY_GROUP_MEMBER, ErrorReason.NOT_GROUP_MEMBER);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random random = new Random(t);
        workers.add(executor.submit(() -> {
          go.await();
          for (int i = 0; i < operations; i++) {
            String actor = random.nextBoolean() ? owner : admin;
            String target = pool.get(random.nextInt(pool.size()));
            try {
              switch (random.nextInt(4)) {
                case 0 -> added.addAndGet(store.invite(groupId, actor,
                    List.of(target, pool.get(random.nextInt(pool.size())))).added().size());
                case 1 -> {
                  store.remove(groupId, actor, target);
                  removed.incrementAndGet();
                }
                case 2 -> {
                  store.join(groupId, target);
                  added.incrementAndGet();
                }
                default -> {
                  store.leave(groupId, target);
                  removed.incrementAndGet();
                }
              }
            } catch (ParleyException e) {
              if (!expectedRefusals.contains(e.reason())) {
                problems.add("unexpected " + e);
              }
            }
          }
          return null;
        }));
      }
      Future<?> reader = executor.submit(() -> {
        go.await();
        while (!done.get()) {
          int count = store.find(groupId, null).orElseThrow().group().getMemberCount();
          int listed = store.listMembers(groupId, null, null, 100).items().size();
          if (count > max || listed > max) {
            problems.add("over the limit: count " + count + ", listed " + listed);
          }
        }
        return null;
      });
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      reader.get(10, TimeUnit.SECONDS);
    } finally {
      executor.shutdownNow();
    }

    assertThat(problems).isEmpty();
    assertThat(added.get()).as("some changes must have succeeded").isPositive();
    assertConsistent(groupId);
    List<String> members = memberIds(groupId);
    assertThat(members).hasSize(2 + added.get() - removed.get()).contains(owner, admin);
    for (String userId : pool) {
      Optional<String> listed = groupIdsOf(userId).stream().filter(groupId::equals).findFirst();
      assertThat(listed.isPresent()).as("group listed for %s", userId).isEqualTo(members.contains(userId));
    }
  }
}
