package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.error.FieldViolations;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.ClearHistoryForMeResponse;
import io.parley.message.v1.DeleteMessagesForMeRequest;
import io.parley.message.v1.DeleteMessagesForMeResponse;
import io.parley.message.v1.DeletedForMe;
import io.parley.message.v1.Event;
import io.parley.session.Session;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user deletes of a conversation for themselves only: some messages, or its whole history up
 * to now. The others' history is untouched; the user's other devices are told. Thread-safe.
 */
final class PersonalHistory {
  static final int MAX_SEQS = 100;

  private final MessageStore store;
  private final MessageAppender appender;
  private final ConversationGuard guard;
  private final Clock clock;

  PersonalHistory(MessageStore store, MessageAppender appender, ConversationGuard guard, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.appender = requireNonNull(appender, "appender");
    this.guard = requireNonNull(guard, "guard");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Hides the request's messages from the caller, in one store statement. Refusals:
   * INVALID_ARGUMENT (id, seqs), CONVERSATION_NOT_FOUND. Seqs without a message, or hidden
   * already, are not counted.
   */
  DeleteMessagesForMeResponse delete(Session session, DeleteMessagesForMeRequest request) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    FieldViolations violations = new FieldViolations();
    Set<Long> seqs = new LinkedHashSet<>();
    if (violations.check(request.getSeqsCount() >= 1 && request.getSeqsCount() <= MAX_SEQS, "seqs",
        "1-" + MAX_SEQS + " seqs")) {
      for (int i = 0; i < request.getSeqsCount(); i++) {
        long seq = request.getSeqs(i);
        if (violations.check(seq >= 1, "seqs[" + i + "]", "must be positive")) {
          violations.check(seqs.add(seq), "seqs[" + i + "]", "repeats an earlier seq");
        }
      }
    }
    violations.throwIfAny();
    guard.open(conversation, me);
    // One statement, whatever the seqs: hiding a message the caller does not see (before their join
    // point, cleared already) changes nothing they see, so it needs no check of its own.
    List<Long> deleted = store.hide(me, conversation, seqs);
    if (!deleted.isEmpty()) {
      tell(session, DeletedForMe.newBuilder().setConversationId(conversation.value()).addAllSeqs(deleted).build());
    }
    return DeleteMessagesForMeResponse.newBuilder().setDeletedCount(deleted.size()).build();
  }

  /** Clears the conversation's history for the caller, up to its last seq now. */
  ClearHistoryForMeResponse clear(Session session, String conversationId) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(conversationId, "conversation_id");
    ConversationAccess access = guard.open(conversation, me);
    long last = store.states(Map.of(conversation, access.visibleFromMillis())).get(conversation).lastSeq();
    long cleared = Math.max(last, access.clearedSeq());
    if (cleared > access.clearedSeq()) {
      store.clearHistory(me, conversation, cleared);
      tell(session, DeletedForMe.newBuilder().setConversationId(conversation.value()).setClearedSeq(cleared).build());
    }
    return ClearHistoryForMeResponse.newBuilder().setClearedSeq(cleared).build();
  }

  private void tell(Session session, DeletedForMe deleted) {
    appender.publish(new LiveEvent(session.sessionId(), session.userId(), Event.newBuilder()
        .setTime(Timestamps.fromMillis(clock.millis()))
        .setDeletedForMe(deleted)
        .build()));
  }
}
