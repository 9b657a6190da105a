package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Typing;
import io.parley.ratelimit.RateLimit;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Session;
import java.time.Clock;
import java.time.Duration;

/**
 * Typing signals: passed on to the participants online, across replicas, and never stored. A
 * signal costs a permit of {@link #LIMIT} per user and conversation. Thread-safe.
 */
final class TypingSignals {
  /** How long a client shows a typing signal unless another comes. */
  static final Duration SHOWN_FOR = Duration.ofSeconds(5);
  /** One signal a second per user and conversation, with bursts of 3: clients send one every few seconds. */
  static final RateLimit LIMIT = RateLimit.parse("message.typing", "1/1s,burst=3");

  private final ConversationGuard guard;
  private final SendRights rights;
  private final MessageAppender appender;
  private final RateLimiter limiter;
  private final Clock clock;

  TypingSignals(ConversationGuard guard, SendRights rights, MessageAppender appender, RateLimiter limiter,
      Clock clock) {
    this.guard = requireNonNull(guard, "guard");
    this.rights = requireNonNull(rights, "rights");
    this.appender = requireNonNull(appender, "appender");
    this.limiter = requireNonNull(limiter, "limiter");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Tells the conversation's participants online that {@code session}'s user is typing. Refusals,
   * in order: INVALID_ARGUMENT, RATE_LIMITED, CONVERSATION_NOT_FOUND, then the send rights.
   */
  void typing(Session session, String conversationId) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(conversationId, "conversation_id");
    limiter.acquire(LIMIT, me + ":" + conversation.value());
    guard.open(conversation, me);
    if (conversation.isGroup()) {
      rights.groupMember(conversation.groupId(), me);
    } else {
      rights.privateChat(me, conversation.peerOf(me));
    }
    long now = clock.millis();
    appender.publish(new LiveEvent(session.sessionId(), "", Event.newBuilder()
        .setTime(Timestamps.fromMillis(now))
        .setTyping(Typing.newBuilder()
            .setConversationId(conversation.value())
            .setUserId(me)
            .setExpireTime(Timestamps.fromMillis(now + SHOWN_FOR.toMillis())))
        .build()));
  }
}
