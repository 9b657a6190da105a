package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.group.v1.GroupRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryGroupStore} against the {@link GroupStoreContract}, and the rule bugs it catches
 * that PostgreSQL could not: what a user holds raised without locking the user.
 */
class MemoryGroupStoreTest extends GroupStoreContract {
  @Override
  GroupStore newStore() {
    return new MemoryGroupStore();
  }

  @Test
  void raisingWhatAUserHoldsWithoutLockingTheUserFailsAndWritesNothing() {
    String owner = user();
    String a = user();
    StoredGroup group = insert(owner, a);
    String invitee = user();
    Snapshot before = snapshot(group.groupId(), List.of(owner, a, invitee));

    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.putInvitations(List.of(StoredInvitation.pending(group.groupId(), invitee, owner, T0)));
      return true;
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining(invitee);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.putJoinRequest(StoredJoinRequest.pending(group.groupId(), invitee, "", T0));
      return true;
    })).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.lockUsers(List.of(owner));
      tx.updateMember(tx.member(a).orElseThrow().withRole(GroupRole.OWNER));
      return true;
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining(a);
    assertThatThrownBy(() -> store.change(group.groupId(), tx -> {
      tx.deleteInvitations(List.of(invitee));
      return tx.lockUsers(List.of(invitee));
    })).as("locking after a write").isInstanceOf(IllegalStateException.class);

    assertThat(snapshot(group.groupId(), List.of(owner, a, invitee))).isEqualTo(before);
  }
}
