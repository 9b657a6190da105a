package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.message.store.MessageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each user's group list in the store ({@link MessageStore#addGroupMembers}), which
 * ListConversations reads, without a write per member per message (read diffusion): a replica
 * records a (group, user) pair once and remembers it did, so a group's member list costs writes
 * only when it changes. Members come from the sends (the cached member list of the group, and the
 * sender) and from reads of the conversation (the reader). The list is allowed to hold groups the
 * user left: ListConversations checks each one with group-svc and prunes it.
 *
 * <p>What a replica remembers is bounded (the most recent 10,000 groups) and forgotten for a group
 * member on any change group-svc announces, so a rejoin is recorded again. Thread-safe.
 */
final class GroupIndexer {
  private final MessageStore store;
  private final Cache<String, Recorded> groups = Caffeine.newBuilder().maximumSize(10_000).build();

  private static final class Recorded {
    final Set<String> users = ConcurrentHashMap.newKeySet();
    /** The member set last recorded in full; the same instance means nothing new to record. */
    volatile Set<String> lastMembers;
  }

  GroupIndexer(MessageStore store) {
    this.store = requireNonNull(store, "store");
  }

  /** Records the group for every member of {@code members} not recorded yet. */
  void ensureMembers(String groupId, Set<String> members) {
    Recorded recorded = groups.get(groupId, g -> new Recorded());
    if (recorded.lastMembers == members) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String member : members) {
      if (!recorded.users.contains(member)) {
        missing.add(member);
      }
    }
    if (!missing.isEmpty()) {
      store.addGroupMembers(groupId, missing);
      recorded.users.addAll(missing);
    }
    recorded.lastMembers = members;
  }

  /** Records the group for one member, unless done already. */
  void ensureMember(String groupId, String userId) {
    Recorded recorded = groups.get(groupId, g -> new Recorded());
    if (!recorded.users.contains(userId)) {
      store.addGroupMembers(groupId, List.of(userId));
      recorded.users.add(userId);
    }
  }

  /** Forgets what was recorded for a member (null: the whole group), so it is recorded again. */
  void forget(String groupId, String userId) {
    if (userId == null) {
      groups.invalidate(groupId);
      return;
    }
    Recorded recorded = groups.getIfPresent(groupId);
    if (recorded != null) {
      recorded.users.remove(userId);
      recorded.lastMembers = null;
    }
  }

  void forgetAll() {
    groups.invalidateAll();
  }
}
