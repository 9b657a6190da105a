package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.Edit;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.ListMessageVersionsRequest;
import io.parley.message.v1.ListMessageVersionsResponse;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Session;
import java.time.Clock;

/**
 * The rules of editing a message: only its sender, within the edit window, while they may still
 * send to the conversation (not blocked, still a member and not muted); content of the message's
 * kind, checked as a send's and by the operator's before-send hook; one permit of the sender's
 * send rate per edit. Earlier versions are
 * kept by the store until the message is recalled. Thread-safe.
 */
final class MessageEdits {
  private static final int ATTEMPTS = 3;

  private final MessageStore store;
  private final MessageAppender appender;
  private final ConversationGuard guard;
  private final SendRights rights;
  private final MessageSettings settings;
  private final RateLimiter limiter;
  private final BeforeSendHook beforeSend;
  private final Clock clock;

  MessageEdits(MessageStore store, MessageAppender appender, ConversationGuard guard, SendRights rights,
      MessageSettings settings, RateLimiter limiter, BeforeSendHook beforeSend, Clock clock) {
    this.beforeSend = requireNonNull(beforeSend, "beforeSend");
    this.store = requireNonNull(store, "store");
    this.appender = requireNonNull(appender, "appender");
    this.guard = requireNonNull(guard, "guard");
    this.rights = requireNonNull(rights, "rights");
    this.settings = requireNonNull(settings, "settings");
    this.limiter = requireNonNull(limiter, "limiter");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Edits a message for {@code session}'s user and tells everyone online, the editor's other
   * devices included, once the edit is committed. Refusals, in order: INVALID_ARGUMENT (ids),
   * RATE_LIMITED, CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND, EDIT_NOT_ALLOWED (not the sender, or
   * recalled), EDIT_WINDOW_EXPIRED, the send rights (BLOCKED, NOT_FRIENDS_CANNOT_MESSAGE,
   * GROUP_NOT_FOUND, NOT_GROUP_MEMBER, MEMBER_MUTED), then the content (INVALID_ARGUMENT,
   * PAYLOAD_TOO_LARGE, then the hook's MESSAGE_REJECTED or MESSAGE_CHECK_UNAVAILABLE). Two edits of one version at once: one wins, the other is retried on the
   * new version (each is applied, in some order), and fails ABORTED after a few tries.
   *
   * @return the message as it is stored now
   */
  Message edit(Session session, EditMessageRequest request) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    if (request.getSeq() < 1) {
      throw ParleyException.invalidField("seq", "must be positive");
    }
    limiter.acquire(settings.sendLimit(), me);
    ConversationAccess access = guard.open(conversation, me);
    long now = clock.millis();
    Message message = editable(access, request.getSeq(), me, now);
    if (conversation.isGroup()) {
      rights.groupMember(conversation.groupId(), me);
    } else {
      rights.privateChat(me, conversation.peerOf(me));
    }
    MessageContent.KindCase kind = message.getContent().getKindCase();
    MessageContent validated = SendRequests.validateEdit(request.getContent(), kind);
    // New content passes the operator's before-send hook as a send's does; the call waits for it,
    // at most its timeout (no hook: at once).
    MessageContent content = UnaryCalls.await(beforeSend.check(message.toBuilder().setContent(validated).build(),
        rewritten -> SendRequests.validateEdit(rewritten, kind))).getContent();
    Timestamp editTime = Timestamps.fromMillis(Math.max(now, Timestamps.toMillis(message.getServerTime())));
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Message edited = message.toBuilder()
          .setContent(content)
          .setEdited(true)
          .setEditTime(editTime)
          .setEditCount(message.getEditCount() + 1)
          .build();
      if (store.edit(conversation, edited)) {
        appender.publish(new LiveEvent(session.sessionId(), "", Event.newBuilder()
            .setTime(editTime)
            .setEdit(Edit.newBuilder()
                .setConversationId(conversation.value())
                .setSeq(edited.getSeq())
                .setMessageId(edited.getMessageId())
                .setEditTime(editTime)
                .setEditCount(edited.getEditCount()))
            .build()));
        return edited;
      }
      message = editable(access, request.getSeq(), me, now);
    }
    throw new ParleyException(ErrorReason.ABORTED, "the message changed meanwhile: retry");
  }

  /** The message at {@code seq} if {@code me} may edit it now. */
  private Message editable(ConversationAccess access, long seq, String me, long now) {
    Message message = visible(access, seq);
    if (!message.getSenderId().equals(me)) {
      throw new ParleyException(ErrorReason.EDIT_NOT_ALLOWED, "only the sender may edit a message");
    }
    if (message.getRecalled()) {
      throw new ParleyException(ErrorReason.EDIT_NOT_ALLOWED, "a recalled message cannot be edited");
    }
    if (now - Timestamps.toMillis(message.getServerTime()) > settings.editWindow().toMillis()) {
      throw ParleyException.builder(ErrorReason.EDIT_WINDOW_EXPIRED)
          .message("messages can be edited within " + settings.editWindow().toSeconds() + " seconds of sending")
          .metadata("edit_window_seconds", Long.toString(settings.editWindow().toSeconds()))
          .build();
    }
    return message;
  }

  /**
   * Every version of a message's content, for a participant who may see the message: none if it
   * was recalled.
   */
  ListMessageVersionsResponse versions(String me, ListMessageVersionsRequest request) {
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    if (request.getSeq() < 1) {
      throw ParleyException.invalidField("seq", "must be positive");
    }
    ConversationAccess access = guard.open(conversation, me);
    visible(access, request.getSeq());
    return ListMessageVersionsResponse.newBuilder()
        .addAllVersions(store.versions(conversation, request.getSeq()))
        .build();
  }

  private Message visible(ConversationAccess access, long seq) {
    return guard.visibleMessage(access, seq)
        .orElseThrow(() -> new ParleyException(ErrorReason.MESSAGE_NOT_FOUND, "message not found"));
  }
}
