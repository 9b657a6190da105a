package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.DismissGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinGroupResponse;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.ListMembersRequest;
import io.parley.group.v1.ListMembersResponse;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.Member;
import io.parley.group.v1.MuteMemberRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.group.v1.SetMemberRoleRequest;
import io.parley.group.v1.TransferOwnershipRequest;
import io.parley.group.v1.UserGroup;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link GroupRules} through GroupService and the real interceptors, on the memory store: limits,
 * the order of refusals, ownership, mutes, join times, a user's groups, and the invariants that
 * concurrent changes keep. Invitations and join requests have their own tests ({@link
 * InvitationsTest}, {@link JoinRequestsTest}). {@link PostgresGroupRulesTest} runs the same on PostgreSQL. One server
 * for the class, with a limit of {@value #MAX} members per group; every test makes its own users
 * and groups.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupRulesTest {
  static final int MAX = 6;

  GroupTestServer server;
  MutableClock clock;

  /** A server on the store under test, with {@code settings}; called once for the class. */
  GroupTestServer startServer(GroupSettings settings) throws InterruptedException {
    return GroupTestServer.start(settings, null);
  }

  @BeforeAll
  void start() throws InterruptedException {
    server = startServer(GroupTestServer.settings().withMaxMembers(MAX));
    clock = server.clock;
  }

  @AfterAll
  void stop() {
    server.close();
  }

  GroupServiceBlockingStub as(String userId) {
    return server.as(userId);
  }

  String user() {
    return server.newUser();
  }

  /** A group of {@code owner} with {@code members}, each invited and having accepted, in order. */
  Group create(String owner, JoinPolicy policy, String... members) {
    return server.groupOf(owner, policy, members);
  }

  /** An INVITE_ONLY group of {@code owner}, {@code admin} (made an admin) and {@code members}. */
  String groupWithAdmin(String owner, String admin, String... members) {
    List<String> all = new ArrayList<>(List.of(admin));
    all.addAll(List.of(members));
    String groupId = create(owner, JoinPolicy.INVITE_ONLY, all.toArray(String[]::new)).getGroupId();
    setRole(groupId, owner, admin, GroupRole.ADMIN);
    return groupId;
  }

  Member setRole(String groupId, String actor, String target, GroupRole role) {
    return as(actor).setMemberRole(SetMemberRoleRequest.newBuilder().setGroupId(groupId).setUserId(target)
        .setRole(role).build());
  }

  JoinGroupResponse join(String groupId, String userId) {
    return as(userId).joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
  }

  /** The ids {@code actor} invited (not those already members or invited). */
  List<String> invite(String groupId, String actor, String... userIds) {
    return as(actor).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(groupId)
        .addAllUserIds(List.of(userIds)).build()).getInvitedList().stream().map(Invitation::getInviteeId).toList();
  }

  Member accept(String groupId, String userId) {
    return as(userId).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(groupId).build());
  }

  void remove(String groupId, String actor, String target) {
    as(actor).removeMember(RemoveMemberRequest.newBuilder().setGroupId(groupId).setUserId(target).build());
  }

  void leave(String groupId, String userId) {
    as(userId).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(groupId).build());
  }

  Member mute(String groupId, String actor, String target, long untilMs) {
    return as(actor).muteMember(MuteMemberRequest.newBuilder().setGroupId(groupId).setUserId(target)
        .setMuteUntil(Timestamps.fromMillis(untilMs)).build());
  }

  Group transfer(String groupId, String actor, String newOwner) {
    return as(actor).transferOwnership(TransferOwnershipRequest.newBuilder().setGroupId(groupId)
        .setNewOwnerId(newOwner).build());
  }

  Group group(String groupId, String asUser) {
    return as(asUser).getGroup(GetGroupRequest.newBuilder().setGroupId(groupId).build());
  }

  /** Every member, as the owner of the group sees them (paged by 2, to cross pages). */
  List<Member> members(String groupId) {
    String owner = server.module.store().find(groupId, null).orElseThrow().group().ownerId();
    List<Member> members = new ArrayList<>();
    String token = "";
    do {
      ListMembersResponse page = as(owner).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).setPageSize(2)
          .setPageToken(token).build());
      members.addAll(page.getMembersList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return members;
  }

  List<String> memberIds(String groupId) {
    return members(groupId).stream().map(Member::getUserId).toList();
  }

  /** The user's groups as message-svc sees them. */
  List<UserGroup> userGroups(String userId) {
    return server.asService("message-svc").listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(userId)
        .build()).getGroupsList();
  }

  /** The user's groups as the user sees them. */
  List<String> myGroups(String userId) {
    return as(userId).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList().stream()
        .map(Group::getGroupId).toList();
  }

  /**
   * The member count equals the member list, within the limit, with exactly one owner (the group's
   * owner_id), in strictly increasing join order, and every member's own list of groups shows the
   * group with its role and join time.
   */
  void assertConsistent(String groupId) {
    Group group = server.module.store().find(groupId, null).orElseThrow().group().toGroup();
    List<Member> members = members(groupId);
    assertThat(members).hasSize(group.getMemberCount());
    assertThat(group.getMemberCount()).isLessThanOrEqualTo(group.getMaxMembers());
    assertThat(members).filteredOn(m -> m.getRole() == GroupRole.OWNER).extracting(Member::getUserId)
        .containsExactly(group.getOwnerId());
    for (int i = 1; i < members.size(); i++) {
      assertThat(Timestamps.compare(members.get(i - 1).getJoinTime(), members.get(i).getJoinTime())).isNegative();
    }
    for (Member member : members) {
      assertThat(userGroups(member.getUserId())).filteredOn(g -> g.getGroupId().equals(groupId))
          .extracting(UserGroup::getRole, UserGroup::getJoinTime)
          .containsExactly(tuple(member.getRole(), member.getJoinTime()));
    }
  }

  @Test
  void joinTimesAreDistinctAndIncreasingEvenWithinOneMillisecond() {
    long now = clock.millis();
    String owner = user();
    Group group = create(owner, JoinPolicy.OPEN, user(), user());
    JoinGroupResponse late = join(group.getGroupId(), user());

    assertThat(members(group.getGroupId())).extracting(m -> Timestamps.toMillis(m.getJoinTime()))
        .containsExactly(now, now + 1, now + 2, now + 3);
    assertThat(Timestamps.toMillis(late.getJoinTime())).isEqualTo(now + 3);
    clock.advance(Duration.ofSeconds(1));
    assertThat(Timestamps.toMillis(join(group.getGroupId(), user()).getJoinTime())).isEqualTo(clock.millis());
  }

  @Test
  void joinRefusesAMemberFirstThenAnInviteOnlyGroupThenAFullOne() {
    String owner = user();
    Group open = create(owner, JoinPolicy.OPEN, user(), user(), user(), user());
    Group inviteOnly = create(owner, JoinPolicy.INVITE_ONLY, user(), user(), user(), user(), user());
    String stranger = user();

    join(open.getGroupId(), user());
    assertThat(group(open.getGroupId(), owner).getMemberCount()).isEqualTo(MAX);
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER, () -> join(open.getGroupId(), owner));
    assertStatus(Code.ALREADY_EXISTS, ErrorReason.ALREADY_GROUP_MEMBER, () -> join(inviteOnly.getGroupId(), owner));
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_INVITE_ONLY, () -> join(inviteOnly.getGroupId(), stranger));
    assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.GROUP_FULL, () -> join(open.getGroupId(), stranger));
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> join(Ids.newId("g"), stranger));
    assertThat(userGroups(stranger)).isEmpty();
    assertConsistent(open.getGroupId());
  }

  @Test
  void theActorsRoleIsCheckedBeforeTheTargetAndTheTargetBeforeTheRanks() {
    String owner = user();
    String admin = user();
    String member = user();
    String otherAdmin = user();
    String groupId = groupWithAdmin(owner, admin, member, otherAdmin);
    setRole(groupId, owner, otherAdmin, GroupRole.ADMIN);
    String nobody = user();
    long later = clock.millis() + 60_000;

    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> remove(groupId, member, nobody));
    assertStatus(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND, () -> remove(groupId, admin, nobody));
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> remove(groupId, admin, otherAdmin));
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> mute(groupId, member, nobody, later));
    assertStatus(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND, () -> mute(groupId, admin, nobody, later));
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT,
        () -> setRole(groupId, admin, nobody, GroupRole.ADMIN));
    assertStatus(Code.NOT_FOUND, ErrorReason.MEMBER_NOT_FOUND, () -> setRole(groupId, owner, nobody, GroupRole.ADMIN));
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> remove(groupId, nobody, nobody));
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> remove(Ids.newId("g"), owner, member));
    Group open = create(owner, JoinPolicy.OPEN, member);
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.NOT_GROUP_MEMBER, () -> remove(open.getGroupId(), nobody, member));
    assertThat(memberIds(groupId)).containsExactly(owner, admin, member, otherAdmin);
    assertConsistent(groupId);
  }

  @Test
  void removingAndLeavingEndTheMembershipEverywhere() {
    String owner = user();
    String admin = user();
    String member = user();
    String otherMember = user();
    String groupId = groupWithAdmin(owner, admin, member, otherMember);

    remove(groupId, admin, member);
    leave(groupId, otherMember);
    remove(groupId, owner, admin);

    assertThat(memberIds(groupId)).containsExactly(owner);
    assertThat(group(groupId, owner).getMemberCount()).isEqualTo(1);
    for (String gone : List.of(admin, member, otherMember)) {
      assertThat(userGroups(gone)).isEmpty();
      assertThat(myGroups(gone)).isEmpty();
      assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> group(groupId, gone));
    }
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.OWNER_CANNOT_LEAVE, () -> leave(groupId, owner));
    assertConsistent(groupId);
  }

  @Test
  void rolesChangeOnlyByTheOwnerAndShowInEachUsersGroups() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);

    assertThat(setRole(groupId, owner, member, GroupRole.ADMIN).getRole()).isEqualTo(GroupRole.ADMIN);
    assertThat(setRole(groupId, owner, admin, GroupRole.MEMBER).getRole()).isEqualTo(GroupRole.MEMBER);
    assertThat(setRole(groupId, owner, admin, GroupRole.MEMBER).getRole()).as("again: no change").isEqualTo(GroupRole.MEMBER);

    assertThat(userGroups(member)).extracting(UserGroup::getRole).containsExactly(GroupRole.ADMIN);
    assertThat(userGroups(admin)).extracting(UserGroup::getRole).containsExactly(GroupRole.MEMBER);
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT,
        () -> setRole(groupId, member, admin, GroupRole.ADMIN));
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.FAILED_PRECONDITION,
        () -> setRole(groupId, owner, owner, GroupRole.MEMBER));
    assertConsistent(groupId);
  }

  @Test
  void transferMakesTheOldOwnerAnAdminAndEndsTheNewOwnersMute() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);
    mute(groupId, owner, member, clock.millis() + 3_600_000);
    clock.advance(Duration.ofSeconds(1));

    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> transfer(groupId, admin, member));
    Group transferred = transfer(groupId, owner, member);

    assertThat(transferred.getOwnerId()).isEqualTo(member);
    assertThat(Timestamps.toMillis(transferred.getUpdateTime())).isEqualTo(clock.millis());
    assertThat(members(groupId)).extracting(Member::getUserId, Member::getRole, Member::hasMuteUntil).containsExactly(
        tuple(owner, GroupRole.ADMIN, false),
        tuple(admin, GroupRole.ADMIN, false),
        tuple(member, GroupRole.OWNER, false));
    assertThat(userGroups(member)).extracting(UserGroup::getRole).containsExactly(GroupRole.OWNER);
    assertThat(userGroups(owner)).extracting(UserGroup::getRole).containsExactly(GroupRole.ADMIN);
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> transfer(groupId, owner, admin));
    leave(groupId, owner);
    assertStatus(Code.FAILED_PRECONDITION, ErrorReason.OWNER_CANNOT_LEAVE, () -> leave(groupId, member));
    assertConsistent(groupId);
  }

  @Test
  void aMuteFollowsRanksAndAPastTimeUnmutes() {
    String owner = user();
    String admin = user();
    String member = user();
    String groupId = groupWithAdmin(owner, admin, member);
    long until = clock.millis() + 600_000;

    assertThat(Timestamps.toMillis(mute(groupId, admin, member, until).getMuteUntil())).isEqualTo(until);
    assertThat(mute(groupId, owner, admin, until).hasMuteUntil()).isTrue();
    assertStatus(Code.PERMISSION_DENIED, ErrorReason.GROUP_ROLE_INSUFFICIENT, () -> mute(groupId, admin, owner, until));
    assertThat(mute(groupId, owner, member, clock.millis() - 1).hasMuteUntil()).isFalse();
    assertThat(as(owner).muteMember(MuteMemberRequest.newBuilder().setGroupId(groupId).setUserId(admin).build())
        .hasMuteUntil()).isFalse();
    assertThat(members(groupId)).noneMatch(Member::hasMuteUntil);
  }

  @Test
  void aUsersGroupsForgetGroupsLeftRemovedOrDismissedAndShowAGroupJoinedAgain() {
    String owner = user();
    String me = user();
    Group left = create(owner, JoinPolicy.OPEN, me);
    Group removed = create(owner, JoinPolicy.OPEN, me);
    Group dismissed = create(owner, JoinPolicy.OPEN, me);
    Group kept = create(owner, JoinPolicy.OPEN, me);

    leave(left.getGroupId(), me);
    remove(removed.getGroupId(), owner, me);
    as(owner).dismissGroup(DismissGroupRequest.newBuilder().setGroupId(dismissed.getGroupId()).build());
    assertThat(myGroups(me)).containsExactly(kept.getGroupId());
    assertThat(userGroups(me)).extracting(UserGroup::getGroupId).containsExactly(kept.getGroupId());

    clock.advance(Duration.ofSeconds(1));
    join(left.getGroupId(), me);
    assertThat(myGroups(me)).containsExactly(left.getGroupId(), kept.getGroupId());
    assertThat(userGroups(me)).extracting(UserGroup::getGroupId).containsExactly(left.getGroupId(), kept.getGroupId());
    assertThat(myGroups(owner)).containsExactlyInAnyOrder(left.getGroupId(), removed.getGroupId(), kept.getGroupId());
    assertStatus(Code.NOT_FOUND, ErrorReason.GROUP_NOT_FOUND, () -> group(dismissed.getGroupId(), owner));
  }

  /**
   * Several threads invite (and the invitee accepts), join, remove and leave members of one small
   * group at once, while a reader watches: the limit holds at every moment, and at the end the count matches the list,
   * the successful adds minus removals, and every user's list of groups.
   */
  @Test
  void concurrentAddsAndRemovesKeepTheCountTheListAndTheLimit() throws Exception {
    String owner = user();
    String admin = user();
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pool.add(user());
    }
    String groupId = create(owner, JoinPolicy.OPEN, admin).getGroupId();
    setRole(groupId, owner, admin, GroupRole.ADMIN);

    int threads = 4;
    int operations = 60;
    AtomicInteger added = new AtomicInteger();
    AtomicInteger removed = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Set<String> expectedRefusals = Set.of(ErrorReason.GROUP_FULL.name(), ErrorReason.MEMBER_NOT_FOUND.name(),
        ErrorReason.ALREADY_GROUP_MEMBER.name(), ErrorReason.NOT_GROUP_MEMBER.name(),
        ErrorReason.INVITATION_NOT_FOUND.name());
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
                case 0 -> {
                  invite(groupId, actor, target, pool.get(random.nextInt(pool.size())));
                  accept(groupId, target);
                  added.incrementAndGet();
                }
                case 1 -> {
                  remove(groupId, actor, target);
                  removed.incrementAndGet();
                }
                case 2 -> {
                  join(groupId, target);
                  added.incrementAndGet();
                }
                default -> {
                  leave(groupId, target);
                  removed.incrementAndGet();
                }
              }
            } catch (StatusRuntimeException e) {
              String reason = GroupTestServer.errorInfo(StatusProto.fromThrowable(e)).getReason();
              if (!expectedRefusals.contains(reason)) {
                problems.add("unexpected " + e.getStatus());
              }
            }
          }
          return null;
        }));
      }
      Future<?> reader = executor.submit(() -> {
        go.await();
        while (!done.get()) {
          int count = group(groupId, owner).getMemberCount();
          int listed = as(owner).listMembers(ListMembersRequest.newBuilder().setGroupId(groupId).build())
              .getMembersCount();
          if (count > MAX || listed > MAX) {
            problems.add("over the limit: count " + count + ", listed " + listed);
          }
        }
        return null;
      });
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(120, TimeUnit.SECONDS);
      }
      done.set(true);
      reader.get(30, TimeUnit.SECONDS);
    } finally {
      done.set(true);
      executor.shutdownNow();
    }

    assertThat(problems).isEmpty();
    assertThat(added.get()).as("some changes must have succeeded").isPositive();
    assertThat(removed.get()).as("some changes must have succeeded").isPositive();
    assertConsistent(groupId);
    List<String> members = memberIds(groupId);
    assertThat(members).hasSize(2 + added.get() - removed.get()).contains(owner, admin);
    for (String userId : pool) {
      boolean listed = userGroups(userId).stream().anyMatch(g -> g.getGroupId().equals(groupId));
      assertThat(listed).as("group listed for %s", userId).isEqualTo(members.contains(userId));
    }
  }

  /**
   * Every member tries, at once and again, to hand the group to another member while the owner
   * promotes and demotes: only the owner of the moment succeeds, and there is exactly one owner
   * throughout and at the end.
   */
  @Test
  void concurrentTransfersLeaveExactlyOneOwner() throws Exception {
    String first = user();
    List<String> members = new ArrayList<>(List.of(first, user(), user(), user(), user()));
    String groupId = create(first, JoinPolicy.INVITE_ONLY, members.subList(1, members.size()).toArray(String[]::new))
        .getGroupId();
    AtomicInteger transfers = new AtomicInteger();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(members.size());
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < members.size(); t++) {
        String me = members.get(t);
        Random random = new Random(t);
        workers.add(executor.submit(() -> {
          go.await();
          for (int i = 0; i < 30; i++) {
            String other = members.get(random.nextInt(members.size()));
            if (other.equals(me)) {
              continue;
            }
            try {
              if (random.nextBoolean()) {
                transfer(groupId, me, other);
                transfers.incrementAndGet();
              } else {
                setRole(groupId, me, other, random.nextBoolean() ? GroupRole.ADMIN : GroupRole.MEMBER);
              }
            } catch (StatusRuntimeException e) {
              String reason = GroupTestServer.errorInfo(StatusProto.fromThrowable(e)).getReason();
              if (!reason.equals(ErrorReason.GROUP_ROLE_INSUFFICIENT.name())
                  && !reason.equals(ErrorReason.FAILED_PRECONDITION.name())) {
                problems.add("unexpected " + e.getStatus());
              }
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(120, TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }

    assertThat(problems).isEmpty();
    assertThat(transfers.get()).as("some transfers must have succeeded").isPositive();
    assertConsistent(groupId);
    Map<GroupRole, Integer> roles = new HashMap<>();
    members(groupId).forEach(m -> roles.merge(m.getRole(), 1, Integer::sum));
    assertThat(roles.get(GroupRole.OWNER)).isEqualTo(1);
  }
}
