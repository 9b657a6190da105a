package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.group.GroupStore.GroupTx;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.UserGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link GroupStore} persists, run against each implementation by a subclass that says
 * how to make a store. The rules are not the store's and are tested through the service
 * ({@link GroupRulesTest}); here the store is told exactly what to write.
 */
abstract class GroupStoreContract {
  static final long T0 = Instant.parse("2030-01-01T00:00:00.123Z").toEpochMilli();

  GroupStore store;

  /** A new store on the implementation under test. */
  abstract GroupStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static String user() {
    return Ids.newId("u");
  }

  /** Group {@code groupId} owned by {@code owner}, with {@code count} members, the last joined at {@code lastJoinMs}. */
  static StoredGroup group(String groupId, String owner, int count, long lastJoinMs) {
    return new StoredGroup(groupId, "team", "notice", "https://example.com/a.png", JoinPolicy.INVITE_ONLY, owner, count,
        500, T0, T0, lastJoinMs);
  }

  /** A new group of {@code owner} and {@code others}, joined one millisecond apart from {@link #T0}. */
  StoredGroup insert(String owner, String... others) {
    List<StoredMember> members = new ArrayList<>(List.of(new StoredMember(owner, GroupRole.OWNER, T0, 0)));
    for (int i = 0; i < others.length; i++) {
      members.add(new StoredMember(others[i], GroupRole.MEMBER, T0 + 1 + i, 0));
    }
    StoredGroup group = group(Ids.newId("g"), owner, members.size(), T0 + others.length);
    insert(group, members);
    return group;
  }

  /** Creates {@code group} with {@code members}, locking the owner first as the contract asks. */
  void insert(StoredGroup group, List<StoredMember> members) {
    store.create(group, tx -> {
      tx.lockUsers(members.stream().filter(m -> m.role() == GroupRole.OWNER).map(StoredMember::userId).toList());
      tx.addMembers(members);
      return true;
    });
  }

  /** Invites {@code invitee} to {@code groupId} at {@code createdMs}, locking the invitee as the contract asks. */
  StoredInvitation invite(String groupId, String invitee, long createdMs) {
    StoredInvitation invitation = StoredInvitation.pending(groupId, invitee, user(), createdMs);
    store.change(groupId, tx -> {
      tx.lockUsers(List.of(invitee));
      tx.putInvitations(List.of(invitation));
      return true;
    }).orElseThrow();
    return invitation;
  }

  /** Files {@code userId}'s join request to {@code groupId} at {@code createdMs}, locking the user. */
  StoredJoinRequest request(String groupId, String userId, long createdMs) {
    StoredJoinRequest request = StoredJoinRequest.pending(groupId, userId, "let me in", createdMs);
    store.change(groupId, tx -> {
      tx.lockUsers(List.of(userId));
      tx.putJoinRequest(request);
      return true;
    }).orElseThrow();
    return request;
  }

  List<StoredMember> members(String groupId) {
    return store.members(groupId, -1, 1000).orElseThrow();
  }

  List<String> groupIdsOf(String userId) {
    return store.userGroups(userId, null, 1000).stream().map(UserGroup::getGroupId).toList();
  }

  /** Everything stored about a group and its users' index entries, to compare before and after. */
  record Snapshot(Optional<StoredMembership> group, Optional<List<StoredMember>> members, List<List<UserGroup>> indexes,
      List<StoredInvitation> invitations, List<StoredJoinRequest> requests, List<Optional<StoredInvitation>> marks,
      List<List<StoredInvitation>> userInvitations, List<List<StoredJoinRequest>> userRequests) {}

  Snapshot snapshot(String groupId, List<String> users) {
    return new Snapshot(store.find(groupId, null), store.members(groupId, -1, 1000),
        users.stream().map(u -> store.userGroups(u, null, 1000)).toList(),
        store.groupInvitations(groupId, null, 1000), store.groupJoinRequests(groupId, null, 1000),
        users.stream().map(u -> store.invitation(groupId, u)).toList(),
        users.stream().map(u -> store.userInvitations(u, null, 1000)).toList(),
        users.stream().map(u -> store.userJoinRequests(u, null, 1000)).toList());
  }

  @Test
  void twoUsersShareAGroupWhileBothAreMembersOfOne() {
    String owner = user();
    String member = user();
    String stranger = user();
    StoredGroup group = new StoredGroup(Ids.newId("g"), "two", "", "", JoinPolicy.OPEN, owner, 2, 10, T0, T0, T0 + 1);
    insert(group, List.of(new StoredMember(owner, GroupRole.OWNER, T0, 0),
        new StoredMember(member, GroupRole.MEMBER, T0 + 1, 0)));

    assertThat(store.sharesGroup(owner, member)).isTrue();
    assertThat(store.sharesGroup(member, owner)).isTrue();
    assertThat(store.sharesGroup(owner, stranger)).isFalse();
    assertThat(store.sharesGroup(stranger, member)).isFalse();
  }

  @Test
  void anInsertedGroupReadsBackWithItsMembersAndTheirIndexEntries() {
    String owner = user();
    String a = user();
    String muted = user();
    StoredGroup group = new StoredGroup(Ids.newId("g"), "friends", "", "", JoinPolicy.OPEN, owner, 3, 10, T0, T0 + 5,
        T0 + 2);
    List<StoredMember> members = List.of(
        new StoredMember(owner, GroupRole.OWNER, T0, 0),
        new StoredMember(a, GroupRole.ADMIN, T0 + 1, 0),
        new StoredMember(muted, GroupRole.MEMBER, T0 + 2, T0 + 3_600_000));

    insert(group, members);

    assertThat(store.find(group.groupId(), a)).contains(new StoredMembership(group, members.get(1)));
    assertThat(store.find(group.groupId(), muted).orElseThrow().member()).isEqualTo(members.get(2));
    assertThat(store.find(group.groupId(), user()).orElseThrow().member()).isNull();
    assertThat(store.find(group.groupId(), null)).contains(new StoredMembership(group, null));
    assertThat(store.find(Ids.newId("g"), owner)).isEmpty();
    assertThat(members(group.groupId())).containsExactlyElementsOf(members);
    assertThat(store.userGroups(a, null, 10)).containsExactly(UserGroup.newBuilder().setGroupId(group.groupId())
        .setRole(GroupRole.ADMIN).setJoinTime(Timestamps.fromMillis(T0 + 1)).build());
    assertThat(groupIdsOf(owner)).containsExactly(group.groupId());
    String missing = Ids.newId("g");
    assertThat(store.groups(List.of(group.groupId(), missing))).containsExactly(Map.entry(group.groupId(), group));
    assertThat(store.groups(List.of())).isEmpty();
  }

  @Test
  void insertingATakenGroupIdFailsAndChangesNothing() {
    String owner = user();
    StoredGroup group = insert(owner);
    String intruder = user();

    assertThatThrownBy(() -> insert(group(group.groupId(), intruder, 1, T0),
        List.of(new StoredMember(intruder, GroupRole.OWNER, T0 + 7, 0))))
        .isInstanceOf(IllegalStateException.class);

    assertThat(store.find(group.groupId(), null).orElseThrow().group()).isEqualTo(group);
    assertThat(members(group.groupId())).extracting(StoredMember::userId).containsExactly(owner);
    assertThat(groupIdsOf(intruder)).isEmpty();
  }

  @Test
  void aCreationThatThrowsLeavesNoGroup() {
    String owner = user();
    String invitee = user();
    StoredGroup group = group(Ids.newId("g"), owner, 1, T0);

    assertThatThrownBy(() -> store.create(group, tx -> {
      tx.lockUsers(List.of(owner, invitee));
      tx.addMembers(List.of(new StoredMember(owner, GroupRole.OWNER, T0, 0)));
      tx.putInvitations(List.of(StoredInvitation.pending(group.groupId(), invitee, owner, T0)));
      throw new ParleyException(ErrorReason.GROUP_OWNED_LIMIT, "refused half way");
    })).isInstanceOf(ParleyException.class);

    assertThat(store.find(group.groupId(), owner)).isEmpty();
    assertThat(groupIdsOf(owner)).isEmpty();
    assertThat(store.userInvitations(invitee, null, 10)).isEmpty();
    String created = store.create(group, tx -> {
      tx.lockUsers(List.of(owner));
      tx.addMembers(List.of(new StoredMember(owner, GroupRole.OWNER, T0, 0)));
      return "created";
    });
    assertThat(created).isEqualTo("created");
    assertThat(groupIdsOf(owner)).containsExactly(group.groupId());
  }

  @Test
  void aChangeOfAMissingGroupRunsNoWork() {
    AtomicBoolean ran = new AtomicBoolean();

    assertThat(store.change(Ids.newId("g"), tx -> ran.getAndSet(true))).isEmpty();

    assertThat(ran).isFalse();
  }

  @Test
  void aChangeSeesItsOwnWritesAndAppliesThemAllWhenItReturns() {
    String owner = user();
    String a = user();
    String b = user();
    StoredGroup group = insert(owner, a, b);
    String c = user();
    StoredMember joined = new StoredMember(c, GroupRole.MEMBER, T0 + 10, 0);
    StoredGroup changed = group.withFields("renamed", "new notice", "", JoinPolicy.OPEN, T0 + 20)
        .withOwner(a, T0 + 20).withMembers(3, T0 + 10);

    String result = store.change(group.groupId(), tx -> {
      assertThat(tx.group()).isEqualTo(group);
      assertThat(tx.members(List.of(owner, a, c)).keySet()).containsExactlyInAnyOrder(owner, a);
      tx.lockUsers(List.of(a));
      tx.addMembers(List.of(joined));
      tx.updateMember(tx.member(a).orElseThrow().withRole(GroupRole.OWNER).withMuteUntil(T0 + 99));
      tx.updateMember(tx.member(owner).orElseThrow().withRole(GroupRole.ADMIN));
      tx.removeMember(b);
      tx.updateGroup(changed);
      assertThat(tx.group()).isEqualTo(changed);
      assertThat(tx.members(List.of(a, b, c))).containsOnlyKeys(a, c).containsEntry(c, joined);
      assertThat(tx.member(a).orElseThrow().muteUntilMs()).isEqualTo(T0 + 99);
      return "done";
    }).orElseThrow();

    assertThat(result).isEqualTo("done");
    assertThat(store.find(group.groupId(), c).orElseThrow()).isEqualTo(new StoredMembership(changed, joined));
    assertThat(members(group.groupId())).containsExactly(
        new StoredMember(owner, GroupRole.ADMIN, T0, 0),
        new StoredMember(a, GroupRole.OWNER, T0 + 1, T0 + 99),
        joined);
    assertThat(groupIdsOf(b)).isEmpty();
    assertThat(store.userGroups(a, null, 10)).extracting(UserGroup::getRole).containsExactly(GroupRole.OWNER);
    assertThat(store.userGroups(owner, null, 10)).extracting(UserGroup::getRole).containsExactly(GroupRole.ADMIN);
    assertThat(store.userGroups(c, null, 10)).extracting(g -> Timestamps.toMillis(g.getJoinTime()))
        .containsExactly(T0 + 10);
  }

  @Test
  void aChangeThatThrowsWritesNothing() {
    String owner = user();
    String a = user();
    String b = user();
    StoredGroup group = insert(owner, a, b);
    String c = user();
    String d = user();
    invite(group.groupId(), c, T0 + 5);
    request(group.groupId(), d, T0 + 6);
    List<String> everyone = List.of(owner, a, b, c, d);
    Snapshot before = snapshot(group.groupId(), everyone);

    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.lockUsers(List.of(d));
      tx.addMembers(List.of(new StoredMember(c, GroupRole.MEMBER, T0 + 10, 0)));
      tx.deleteInvitations(List.of(c));
      tx.putJoinRequest(tx.joinRequest(d).orElseThrow().rejected(T0 + 11));
      tx.putInvitations(List.of(StoredInvitation.pending(group.groupId(), d, owner, T0 + 12)));
      tx.updateMember(tx.member(a).orElseThrow().withRole(GroupRole.ADMIN).withMuteUntil(T0 + 99));
      tx.removeMember(b);
      tx.updateGroup(group.withMembers(3, T0 + 10).withOwner(a, T0 + 20)
          .withAnnouncement(new StoredAnnouncement("hello", a, T0 + 20)));
      throw new ParleyException(ErrorReason.GROUP_FULL, "refused half way");
    })).isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.GROUP_FULL));

    assertThat(snapshot(group.groupId(), everyone)).isEqualTo(before);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.removeMember(b);
      tx.deleteGroup();
      throw new IllegalArgumentException("a bug half way");
    })).isInstanceOf(IllegalArgumentException.class);
    assertThat(snapshot(group.groupId(), everyone)).isEqualTo(before);
  }

  @Test
  void aWriteNoRuleShouldAskForFailsAndTheChangeWritesNothing() {
    String owner = user();
    String a = user();
    StoredGroup group = insert(owner, a);
    String c = user();
    Snapshot before = snapshot(group.groupId(), List.of(owner, a, c));

    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.addMembers(List.of(new StoredMember(c, GroupRole.MEMBER, T0 + 10, 0)));
      tx.addMembers(List.of(new StoredMember(a, GroupRole.MEMBER, T0 + 11, 0)));
      return true;
    })).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.addMembers(List.of(new StoredMember(c, GroupRole.MEMBER, T0 + 1, 0)));
      return true;
    })).as("join times are distinct within a group").isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.removeMember(c);
      return true;
    })).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.updateGroup(group.withMembers(group.maxMembers() + 1, T0 + 1));
      return true;
    })).as("the count stays within the limit").isInstanceOf(IllegalStateException.class);

    assertThat(snapshot(group.groupId(), List.of(owner, a, c))).isEqualTo(before);
  }

  @Test
  void deletingAGroupDeletesItsMembersAndTheirIndexEntries() {
    String owner = user();
    String a = user();
    StoredGroup deleted = insert(owner, a);
    StoredGroup kept = insert(owner, a);
    String invitee = user();
    String requester = user();
    invite(deleted.groupId(), invitee, T0 + 1);
    invite(kept.groupId(), invitee, T0 + 2);
    request(deleted.groupId(), requester, T0 + 3);

    String joined = user();
    assertThat(store.change(deleted.groupId(), tx -> {
      tx.removeMember(a);
      tx.addMembers(List.of(new StoredMember(joined, GroupRole.MEMBER, T0 + 4, 0)));
      return tx.deleteGroup();
    })).hasValueSatisfying(ids -> assertThat(ids).as("the members as the change saw them")
        .containsExactlyInAnyOrder(owner, joined));

    assertThat(store.userInvitations(invitee, null, 10)).extracting(StoredInvitation::groupId)
        .containsExactly(kept.groupId());
    assertThat(store.userJoinRequests(requester, null, 10)).isEmpty();
    assertThat(store.invitation(deleted.groupId(), invitee)).isEmpty();
    assertThat(store.groupInvitations(deleted.groupId(), null, 10)).isEmpty();
    assertThat(store.staffIds(deleted.groupId(), 10)).isEmpty();

    assertThat(store.find(deleted.groupId(), owner)).isEmpty();
    assertThat(store.members(deleted.groupId(), -1, 10)).isEmpty();
    assertThat(store.groups(List.of(deleted.groupId()))).isEmpty();
    assertThat(groupIdsOf(owner)).containsExactly(kept.groupId());
    assertThat(groupIdsOf(a)).containsExactly(kept.groupId());
    assertThat(store.change(deleted.groupId(), tx -> true)).isEmpty();
  }

  @Test
  void membersArePagedInJoinOrderStrictlyAfterAJoinTime() {
    String owner = user();
    String[] others = {user(), user(), user(), user()};
    StoredGroup group = insert(owner, others);

    assertThat(store.members(group.groupId(), -1, 2).orElseThrow()).extracting(StoredMember::userId)
        .containsExactly(owner, others[0]);
    assertThat(store.members(group.groupId(), T0 + 1, 2).orElseThrow()).extracting(StoredMember::userId)
        .containsExactly(others[1], others[2]);
    assertThat(store.members(group.groupId(), T0 + 3, 10).orElseThrow()).extracting(StoredMember::userId)
        .containsExactly(others[3]);
    assertThat(store.members(group.groupId(), T0 + 4, 10)).contains(List.of());
    assertThat(store.members(Ids.newId("g"), -1, 10)).isEmpty();
  }

  @Test
  void aUsersGroupsComeNewestFirstThenByGroupIdDescendingAndPageAfterAPosition() {
    String me = user();
    List<String> tied = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      tied.add(insert(me).groupId());
    }
    tied.sort(Collections.reverseOrder());
    String other = user();
    StoredGroup later = insert(other);
    store.change(later.groupId(), tx -> {
      tx.addMembers(List.of(new StoredMember(me, GroupRole.MEMBER, T0 + 1000, 0)));
      return true;
    });
    List<String> expected = new ArrayList<>(List.of(later.groupId()));
    expected.addAll(tied);

    assertThat(groupIdsOf(me)).containsExactlyElementsOf(expected);
    List<String> onePerPage = new ArrayList<>();
    Page.Position after = null;
    for (List<UserGroup> page = store.userGroups(me, null, 1); !page.isEmpty(); page = store.userGroups(me, after, 1)) {
      UserGroup entry = page.get(0);
      onePerPage.add(entry.getGroupId());
      after = new Page.Position(Timestamps.toMillis(entry.getJoinTime()), entry.getGroupId());
    }
    assertThat(onePerPage).containsExactlyElementsOf(expected);
    assertThat(store.userGroups(me, new Page.Position(T0, tied.get(0)), 10)).extracting(UserGroup::getGroupId)
        .containsExactlyElementsOf(tied.subList(1, 3));
    assertThat(store.userGroups(user(), null, 10)).isEmpty();
  }

  @Test
  void timesKeepTheirMillisecondsAndAMuteOfZeroIsNone() {
    String owner = user();
    StoredGroup group = insert(owner);
    long odd = T0 + 86_400_000L * 365 + 7;

    store.change(group.groupId(), tx -> {
      tx.updateMember(tx.member(owner).orElseThrow().withMuteUntil(odd));
      tx.updateGroup(group.withFields("n", "", "", JoinPolicy.OPEN, odd + 1));
      return true;
    });
    assertThat(store.find(group.groupId(), owner).orElseThrow().member().muteUntilMs()).isEqualTo(odd);
    assertThat(store.find(group.groupId(), owner).orElseThrow().group().updatedMs()).isEqualTo(odd + 1);

    store.change(group.groupId(), tx -> {
      tx.updateMember(tx.member(owner).orElseThrow().withMuteUntil(0));
      return true;
    });
    assertThat(store.find(group.groupId(), owner).orElseThrow().member().muteUntilMs()).isZero();
  }

  /**
   * Threads each add members to one group through read-modify-write changes (count and last join
   * time read from the locked group): nothing is lost or doubled only if changes of one group
   * serialize.
   */
  @Test
  void changesOfOneGroupSerialize() throws Exception {
    String owner = user();
    StoredGroup group = insert(owner);
    int threads = 4;
    int each = 25;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(executor.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            String newcomer = user();
            store.change(group.groupId(), tx -> {
              StoredGroup current = tx.group();
              long join = current.lastJoinMs() + 1;
              tx.addMembers(List.of(new StoredMember(newcomer, GroupRole.MEMBER, join, 0)));
              tx.updateGroup(current.withMembers(current.memberCount() + 1, join));
              return true;
            });
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }

    StoredGroup after = store.find(group.groupId(), null).orElseThrow().group();
    assertThat(after.memberCount()).isEqualTo(1 + threads * each);
    assertThat(members(group.groupId())).hasSize(1 + threads * each);
    assertThat(after.lastJoinMs()).isEqualTo(T0 + threads * each);
  }

  @Test
  void aChangeOfOneGroupDoesNotWaitForAChangeOfAnother() throws Exception {
    String owner = user();
    StoredGroup busy = insert(owner);
    StoredGroup free = insert(owner);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<Boolean>> slow = executor.submit(() -> store.change(busy.groupId(), tx -> {
        holding.countDown();
        try {
          return release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }));
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(store.change(free.groupId(), GroupTx::group)).contains(free);

      release.countDown();
      assertThat(slow.get(30, TimeUnit.SECONDS)).contains(true);
    } finally {
      release.countDown();
      executor.shutdownNow();
    }
  }

  @Test
  void invitationsArePendingOrDeclinedAndListedPendingNewestFirstByGroupAndByInvitee() {
    String owner = user();
    StoredGroup group = insert(owner);
    StoredGroup other = insert(owner);
    String a = user();
    String b = user();
    String c = user();
    StoredInvitation toA = invite(group.groupId(), a, T0 + 10);
    StoredInvitation toB = invite(group.groupId(), b, T0 + 20);
    StoredInvitation toC = invite(group.groupId(), c, T0 + 20);
    StoredInvitation otherToA = invite(other.groupId(), a, T0 + 30);

    store.change(group.groupId(), tx -> {
      assertThat(tx.invitations(List.of(a, b, owner))).containsOnlyKeys(a, b).containsEntry(a, toA);
      tx.putInvitations(List.of(tx.invitation(b).orElseThrow().declined(T0 + 40)));
      assertThat(tx.invitation(b).orElseThrow().isPending()).isFalse();
      return true;
    });

    assertThat(store.invitation(group.groupId(), b)).contains(toB.declined(T0 + 40));
    assertThat(store.invitation(group.groupId(), owner)).isEmpty();
    assertThat(store.groupInvitations(group.groupId(), null, 10)).containsExactly(toC, toA);
    assertThat(store.groupInvitations(group.groupId(), new Page.Position(T0 + 20, c), 10)).containsExactly(toA);
    assertThat(store.groupInvitations(group.groupId(), null, 1)).containsExactly(toC);
    assertThat(store.userInvitations(a, null, 10)).containsExactly(otherToA, toA);
    assertThat(store.userInvitations(a, new Page.Position(T0 + 30, other.groupId()), 10)).containsExactly(toA);
    assertThat(store.userInvitations(b, null, 10)).as("declined: not pending").isEmpty();

    StoredInvitation again = invite(group.groupId(), b, T0 + 50);
    store.change(group.groupId(), tx -> {
      tx.deleteInvitations(List.of(a, owner));
      return true;
    });

    assertThat(store.invitation(group.groupId(), b)).contains(again);
    assertThat(store.groupInvitations(group.groupId(), null, 10)).containsExactly(again, toC);
    assertThat(store.userInvitations(a, null, 10)).containsExactly(otherToA);
  }

  @Test
  void joinRequestsArePendingOrRejectedAndListedPendingNewestFirstByGroupAndByUser() {
    String owner = user();
    StoredGroup group = insert(owner);
    StoredGroup other = insert(owner);
    String a = user();
    String b = user();
    StoredJoinRequest fromA = request(group.groupId(), a, T0 + 10);
    StoredJoinRequest fromB = request(group.groupId(), b, T0 + 20);
    StoredJoinRequest otherFromA = request(other.groupId(), a, T0 + 30);

    store.change(group.groupId(), tx -> {
      assertThat(tx.joinRequests(List.of(a, b, owner))).containsOnlyKeys(a, b).containsEntry(b, fromB);
      tx.putJoinRequest(tx.joinRequest(a).orElseThrow().rejected(T0 + 40));
      return true;
    });

    assertThat(store.groupJoinRequests(group.groupId(), null, 10)).containsExactly(fromB);
    assertThat(store.userJoinRequests(a, null, 10)).containsExactly(otherFromA);
    store.change(group.groupId(), tx -> {
      assertThat(tx.joinRequest(a)).contains(fromA.rejected(T0 + 40));
      tx.deleteJoinRequests(List.of(a, b));
      return true;
    });
    assertThat(store.groupJoinRequests(group.groupId(), null, 10)).isEmpty();
    StoredJoinRequest third = request(group.groupId(), a, T0 + 50);
    assertThat(store.userJoinRequests(a, null, 10)).containsExactly(third, otherFromA);
    assertThat(store.userJoinRequests(a, new Page.Position(T0 + 50, group.groupId()), 10))
        .containsExactly(otherFromA);
    assertThat(store.groupJoinRequests(group.groupId(), new Page.Position(T0 + 50, a), 10)).isEmpty();
  }

  @Test
  void lockUsersCountsWhatEachUserHoldsAcrossGroups() {
    String owner = user();
    String busy = user();
    StoredGroup first = insert(owner, busy);
    StoredGroup second = insert(owner);
    insert(busy);
    String idle = user();
    invite(first.groupId(), idle, T0 + 1);
    invite(second.groupId(), idle, T0 + 2);
    request(second.groupId(), busy, T0 + 3);
    store.change(second.groupId(), tx -> {
      tx.putInvitations(List.of(tx.invitation(idle).orElseThrow().declined(T0 + 4)));
      return true;
    });

    Map<String, UserTally> tallies = store.change(first.groupId(), tx -> tx.lockUsers(List.of(owner, busy, idle)))
        .orElseThrow();

    assertThat(tallies).containsEntry(owner, new UserTally(2, 0, 0))
        .containsEntry(busy, new UserTally(1, 0, 1))
        .containsEntry(idle, new UserTally(0, 1, 0));
    assertThatThrownBy(() -> store.change(first.groupId(), tx -> {
      tx.lockUsers(List.of(owner));
      return tx.lockUsers(List.of(busy));
    })).as("once per change").isInstanceOf(IllegalStateException.class);
  }

  /**
   * Threads each invite one user to a group of their own, but only while the user holds fewer than
   * three pending invitations, as counted under the user's lock: exactly three invitations exist
   * at the end only if changes that lock the same user serialize, whatever their groups.
   */
  @Test
  void changesThatLockTheSameUserSerializeAcrossGroups() throws Exception {
    String invitee = user();
    List<StoredGroup> groups = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      groups.add(insert(user()));
    }
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> workers = new ArrayList<>();
      for (StoredGroup group : groups) {
        workers.add(executor.submit(() -> {
          go.await();
          return store.change(group.groupId(), tx -> {
            if (tx.lockUsers(List.of(invitee)).get(invitee).pendingInvitations() >= 3) {
              return false;
            }
            tx.putInvitations(List.of(StoredInvitation.pending(group.groupId(), invitee, group.ownerId(), T0)));
            return true;
          }).orElseThrow();
        }));
      }
      go.countDown();
      int invited = 0;
      for (Future<Boolean> worker : workers) {
        invited += worker.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(invited).isEqualTo(3);
    } finally {
      executor.shutdownNow();
    }
    assertThat(store.userInvitations(invitee, null, 100)).hasSize(3);
  }

  @Test
  void anAnnouncementReadsBackAndClears() {
    String owner = user();
    StoredGroup group = insert(owner);
    StoredAnnouncement announcement = new StoredAnnouncement("Trip on Sunday\n9am, bring water", owner, T0 + 5);

    store.change(group.groupId(), tx -> {
      tx.updateGroup(tx.group().withAnnouncement(announcement));
      return true;
    });
    assertThat(store.find(group.groupId(), null).orElseThrow().group().announcement()).isEqualTo(announcement);
    assertThat(store.groups(List.of(group.groupId())).get(group.groupId()).announcement()).isEqualTo(announcement);

    store.change(group.groupId(), tx -> {
      tx.updateGroup(tx.group().withAnnouncement(null));
      return true;
    });
    assertThat(store.find(group.groupId(), null).orElseThrow().group().announcement()).isNull();
  }

  @Test
  void staffIdsAreTheOwnerThenAdminsInJoinOrder() {
    String owner = user();
    String a = user();
    String b = user();
    String c = user();
    StoredGroup group = insert(owner, a, b, c);
    store.change(group.groupId(), tx -> {
      tx.updateMember(tx.member(c).orElseThrow().withRole(GroupRole.ADMIN));
      tx.updateMember(tx.member(a).orElseThrow().withRole(GroupRole.ADMIN));
      return true;
    });

    assertThat(store.staffIds(group.groupId(), 10)).containsExactly(owner, a, c);
    assertThat(store.staffIds(group.groupId(), 2)).containsExactly(owner, a);
    assertThat(store.staffIds(Ids.newId("g"), 10)).isEmpty();
  }
}
