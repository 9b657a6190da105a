package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;

/**
 * Decides whether a caller takes part in a conversation, and from which seq on they may see it.
 *
 * <p>A private conversation's participants are the two users its id names (whatever their
 * relation now: history stays readable after an unfriending or a block). A group's are its
 * current members, as group-svc says; a member sees messages from the first one sent at or after
 * their join time (group-svc's {@code join_time}, mapped to a seq by the store's per-conversation
 * time index, whose times never decrease). This relies on the clocks of group-svc and message-svc
 * agreeing to within the time between a join and the next message; the mapping is cached per
 * (group, user, join time), which a leave and a rejoin change.
 *
 * <p>Anyone else is told CONVERSATION_NOT_FOUND, whether or not the conversation or the group
 * exists: NOT_CONVERSATION_PARTICIPANT would confirm that it does, and who talks to whom.
 * Thread-safe.
 */
final class ConversationGuard {
  private final MessageStore store;
  private final GroupDirectory groups;
  private final GroupIndexer indexer;
  private final Cache<String, Long> joinSeqs = Caffeine.newBuilder().maximumSize(200_000).build();

  ConversationGuard(MessageStore store, GroupDirectory groups, GroupIndexer indexer) {
    this.store = requireNonNull(store, "store");
    this.groups = requireNonNull(groups, "groups");
    this.indexer = requireNonNull(indexer, "indexer");
  }

  /**
   * Parses a conversation id from a request.
   *
   * @throws ParleyException INVALID_ARGUMENT naming {@code field} if it is malformed
   */
  static ConversationId parse(String value, String field) {
    return ConversationId.parse(value).orElseThrow(() -> ParleyException.invalidField(field,
        "must be p_<user id>_<user id> (smaller first) or g_<group id>"));
  }

  /**
   * The caller's access to a conversation.
   *
   * @throws ParleyException CONVERSATION_NOT_FOUND if the caller does not take part in it
   */
  ConversationAccess open(ConversationId conversation, String userId) {
    if (!conversation.isGroup()) {
      if (!conversation.hasParticipant(userId)) {
        throw notFound();
      }
      return new ConversationAccess(conversation, 1, null);
    }
    CheckMembershipResponse membership = groups.membership(conversation.groupId(), userId);
    if (!membership.getGroupExists() || !membership.getMember()) {
      throw notFound();
    }
    indexer.ensureMember(conversation.groupId(), userId);
    return new ConversationAccess(conversation, floorSeq(conversation, userId, membership), membership.getRole());
  }

  /** The first seq a member may see of a group conversation. */
  long floorSeq(ConversationId conversation, String userId, CheckMembershipResponse membership) {
    if (!membership.hasJoinTime()) {
      return 1;
    }
    long joinMillis = Timestamps.toMillis(membership.getJoinTime());
    return joinSeqs.get(conversation.groupId() + "|" + userId + "|" + joinMillis,
        key -> Math.max(1, store.firstSeqAtOrAfter(conversation, joinMillis)));
  }

  static ParleyException notFound() {
    return new ParleyException(ErrorReason.CONVERSATION_NOT_FOUND, "conversation not found");
  }
}
