package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.store.PersonalView;
import io.parley.message.v1.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a caller takes part in a conversation, and which of its messages they see: from
 * which time on, after which seq they cleared, and not those they deleted for themselves.
 *
 * <p>A private conversation's participants are the two users its id names (whatever their
 * relation now: history stays readable after an unfriending or a block). A group's are its
 * current members, as group-svc says; a member sees the messages sent at or after their join time
 * (group-svc's {@code join_time}; server times never decrease along a conversation's seqs, so this
 * is a suffix of them). This relies on the clocks of group-svc and message-svc agreeing to within
 * the time between a join and the next message. With a retention age, nobody sees messages older
 * than that.
 *
 * <p>Anyone else is told CONVERSATION_NOT_FOUND, whether or not the conversation or the group
 * exists: NOT_CONVERSATION_PARTICIPANT would confirm that it does, and who talks to whom.
 * Thread-safe.
 */
final class ConversationGuard {
  private final MessageStore store;
  private final GroupDirectory groups;
  private final Clock clock;
  private final Optional<Duration> retentionAge;

  ConversationGuard(MessageStore store, GroupDirectory groups, Clock clock, Optional<Duration> retentionAge) {
    this.store = requireNonNull(store, "store");
    this.groups = requireNonNull(groups, "groups");
    this.clock = requireNonNull(clock, "clock");
    this.retentionAge = requireNonNull(retentionAge, "retentionAge");
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
    return admit(conversation, userId).with(store.view(userId, conversation));
  }

  /**
   * Whether the caller takes part in a conversation and from when they see it, without their own
   * view of it: for a read that fetches the view together with its rows.
   *
   * @throws ParleyException CONVERSATION_NOT_FOUND if the caller does not take part in it
   */
  Admission admit(ConversationId conversation, String userId) {
    if (!conversation.isGroup()) {
      if (!conversation.hasParticipant(userId)) {
        throw notFound();
      }
      return new Admission(conversation, userId, visibleFrom(0), null);
    }
    CheckMembershipResponse membership = groups.membership(conversation.groupId(), userId);
    if (!membership.getGroupExists() || !membership.getMember()) {
      throw notFound();
    }
    long joined = membership.hasJoinTime() ? Timestamps.toMillis(membership.getJoinTime()) : 0;
    return new Admission(conversation, userId, visibleFrom(joined), membership.getRole());
  }

  /** A participant admitted to a conversation ({@link #admit}): {@link ConversationAccess} but the view. */
  record Admission(ConversationId conversation, String userId, long visibleFromMillis, GroupRole role) {
    ConversationAccess with(PersonalView view) {
      return new ConversationAccess(conversation, userId, visibleFromMillis, role, view);
    }
  }

  /**
   * The message at {@code seq} if the caller sees it ({@link ConversationAccess#sees}) and did not
   * delete it for themselves; recalled ones included (a tombstone).
   */
  Optional<Message> visibleMessage(ConversationAccess access, long seq) {
    Optional<Message> message = store.find(access.conversation(), seq).filter(access::sees);
    if (message.isPresent() && access.hidesSome()
        && !store.hiddenOf(access.userId(), access.conversation(), List.of(seq)).isEmpty()) {
      return Optional.empty();
    }
    return message;
  }

  /**
   * {@code userId}'s role in the group of {@code conversation} now, as group-svc says (cached for a
   * few seconds, dropped at once on its change events): GROUP_ROLE_UNSPECIFIED for someone who is
   * not a member (any more).
   */
  GroupRole roleNow(ConversationId conversation, String userId) {
    CheckMembershipResponse membership = groups.membership(conversation.groupId(), userId);
    return membership.getGroupExists() && membership.getMember()
        ? membership.getRole()
        : GroupRole.GROUP_ROLE_UNSPECIFIED;
  }

  /** The time from which a member since {@code sinceMillis} sees a conversation: retention applied. */
  long visibleFrom(long sinceMillis) {
    return Math.max(sinceMillis, retentionCutoff());
  }

  /** Messages older than this are past the retention age (0 when everything is kept). */
  long retentionCutoff() {
    return retentionAge.map(age -> clock.millis() - age.toMillis()).orElse(0L);
  }

  static ParleyException notFound() {
    return new ParleyException(ErrorReason.CONVERSATION_NOT_FOUND, "conversation not found");
  }
}
