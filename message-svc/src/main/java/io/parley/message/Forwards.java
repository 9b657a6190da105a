package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.message.store.Appended;
import io.parley.message.store.ConversationId;
import io.parley.message.store.Draft;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.ForwardMessagesRequest;
import io.parley.message.v1.ForwardMessagesResponse;
import io.parley.message.v1.ForwardedFrom;
import io.parley.message.v1.Message;
import io.parley.message.v1.SendMessageResponse;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Session;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The rules of forwarding: messages the caller sees, into a conversation the caller may send to,
 * as the caller's own new messages that keep their origin. Thread-safe.
 */
final class Forwards {
  static final int MAX_MESSAGES = 20;
  static final int MAX_CLIENT_MSG_ID_CHARS = 40;

  private final MessageStore store;
  private final MessageAppender appender;
  private final ConversationGuard guard;
  private final SendRights rights;
  private final MessageSettings settings;
  private final RateLimiter limiter;
  private final Clock clock;

  Forwards(MessageStore store, MessageAppender appender, ConversationGuard guard, SendRights rights,
      MessageSettings settings, RateLimiter limiter, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.appender = requireNonNull(appender, "appender");
    this.guard = requireNonNull(guard, "guard");
    this.rights = requireNonNull(rights, "rights");
    this.settings = requireNonNull(settings, "settings");
    this.limiter = requireNonNull(limiter, "limiter");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Forwards the request's messages for {@code session}'s user. Refusals, in order:
   * INVALID_ARGUMENT (every invalid field), RATE_LIMITED (a permit per message),
   * CONVERSATION_NOT_FOUND (the source), MESSAGE_NOT_FOUND (naming the seq), then the send rights
   * in the target. The messages are stored in the request's order, each with the next group commit
   * of the target; the answer comes once all are committed.
   */
  CompletableFuture<ForwardMessagesResponse> forward(Session session, ForwardMessagesRequest request) {
    String me = session.userId();
    ConversationId source = validate(request, me);
    for (int i = 0; i < request.getSeqsCount(); i++) {
      limiter.acquire(settings.sendLimit(), me);
    }
    ConversationAccess access = guard.open(source, me);
    List<Message> originals = new ArrayList<>();
    for (int i = 0; i < request.getSeqsCount(); i++) {
      long seq = request.getSeqs(i);
      String field = "seqs[" + i + "]";
      originals.add(guard.visibleMessage(access, seq)
          .filter(m -> !m.getRecalled())
          .orElseThrow(() -> ParleyException.builder(ErrorReason.MESSAGE_NOT_FOUND)
              .message(field + ": no message to forward has this seq")
              .violation(field, "no message the caller can see has this seq")
              .build()));
    }
    ConversationId target;
    if (request.hasToGroupId()) {
      target = ConversationId.ofGroup(request.getToGroupId());
      rights.groupMember(request.getToGroupId(), me);
    } else {
      target = ConversationId.ofUsers(me, request.getToUserId());
      rights.privateChat(me, request.getToUserId());
    }
    List<CompletableFuture<Appended>> appended = new ArrayList<>();
    for (Message original : originals) {
      Message forwarded = Message.newBuilder()
          .setMessageId(Ids.newId("m"))
          .setConversationId(target.value())
          .setSenderId(me)
          .setClientMsgId(request.getClientMsgId() + "." + original.getSeq())
          .setContent(original.getContent())
          .setForwardedFrom(original.hasForwardedFrom() ? original.getForwardedFrom() : ForwardedFrom.newBuilder()
              .setMessageId(original.getMessageId())
              .setSenderId(original.getSenderId())
              .setServerTime(original.getServerTime())
              .build())
          .build();
      appended.add(appender.append(new Draft(target, forwarded, session.sessionId(), clock.millis())));
    }
    return CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).thenApply(done -> {
      ForwardMessagesResponse.Builder out = ForwardMessagesResponse.newBuilder();
      for (CompletableFuture<Appended> future : appended) {
        Appended result = future.join();
        out.addMessages(SendMessageResponse.newBuilder()
            .setMessageId(result.messageId())
            .setConversationId(target.value())
            .setSeq(result.seq())
            .setServerTime(Timestamps.fromMillis(result.serverTimeMillis()))
            .setDuplicate(result.duplicate()));
      }
      return out.build();
    });
  }

  private static ConversationId validate(ForwardMessagesRequest request, String me) {
    FieldViolations violations = new FieldViolations();
    ConversationId source = ConversationId.parse(request.getFromConversationId()).orElse(null);
    violations.check(source != null, "from_conversation_id", "not a conversation id");
    if (violations.check(request.getSeqsCount() >= 1 && request.getSeqsCount() <= MAX_MESSAGES, "seqs",
        "1-" + MAX_MESSAGES + " seqs")) {
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < request.getSeqsCount(); i++) {
        long seq = request.getSeqs(i);
        if (violations.check(seq >= 1, "seqs[" + i + "]", "must be positive")) {
          violations.check(seen.add(seq), "seqs[" + i + "]", "repeats an earlier seq");
        }
      }
    }
    switch (request.getTargetCase()) {
      case TO_USER_ID -> {
        if (violations.check(Ids.isValid(request.getToUserId(), "u"), "to_user_id", "not a user id")) {
          violations.check(!request.getToUserId().equals(me), "to_user_id", "cannot forward to yourself");
        }
      }
      case TO_GROUP_ID -> violations.check(Ids.isValid(request.getToGroupId(), "g"), "to_group_id", "not a group id");
      default -> violations.add("to_user_id", "to_user_id or to_group_id is required");
    }
    String clientMsgId = request.getClientMsgId();
    int chars = clientMsgId.codePointCount(0, clientMsgId.length());
    violations.check(chars >= 1 && chars <= MAX_CLIENT_MSG_ID_CHARS && clientMsgId.chars().noneMatch(Character::isISOControl),
        "client_msg_id", "must be 1-" + MAX_CLIENT_MSG_ID_CHARS + " characters, without control characters");
    violations.throwIfAny();
    return source;
  }
}
