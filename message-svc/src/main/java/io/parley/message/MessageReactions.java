package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.store.Reacted;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.Reaction;
import io.parley.message.v1.ReactionChange;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Session;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of reactions: any participant who sees a message and may send to the conversation
 * adds an emoji to it (removing one's own is always allowed); a user puts at most {@link
 * #MAX_EMOJI_PER_USER} different emoji on one message, and a message holds at most {@link
 * #MAX_EMOJI_PER_MESSAGE}, so that no one can make a message arbitrarily large for everyone who
 * pulls it. Each add or remove takes a permit of the sender's send rate. Thread-safe.
 */
final class MessageReactions {
  static final int MAX_EMOJI_PER_MESSAGE = 50;
  static final int MAX_EMOJI_PER_USER = 20;
  static final int MAX_EMOJI_CODE_POINTS = 16;
  static final int MAX_EMOJI_BYTES = 64;

  private final MessageStore store;
  private final MessageAppender appender;
  private final ConversationGuard guard;
  private final SendRights rights;
  private final MessageSettings settings;
  private final RateLimiter limiter;
  private final Clock clock;

  MessageReactions(MessageStore store, MessageAppender appender, ConversationGuard guard, SendRights rights,
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
   * Adds ({@code add}) or removes the caller's reaction, and tells everyone online but the calling
   * session if it changed anything. Refusals, in order: INVALID_ARGUMENT (ids, emoji),
   * RATE_LIMITED, CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND (not visible to the caller, or
   * recalled), for an add the send rights (BLOCKED, NOT_FRIENDS_CANNOT_MESSAGE, MEMBER_MUTED), then
   * REACTION_LIMIT.
   *
   * @return the message as stored now, with {@code mine} set for the caller
   */
  Message react(Session session, String conversationId, long seq, String emoji, boolean add) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(conversationId, "conversation_id");
    if (seq < 1) {
      throw ParleyException.invalidField("seq", "must be positive");
    }
    if (!isEmoji(emoji)) {
      throw ParleyException.invalidField("emoji", "must be one emoji: 1-" + MAX_EMOJI_CODE_POINTS
          + " code points and at most " + MAX_EMOJI_BYTES + " bytes, starting with a symbol");
    }
    limiter.acquire(settings.sendLimit(), me);
    ConversationAccess access = guard.open(conversation, me);
    guard.visibleMessage(access, seq)
        .filter(m -> !m.getRecalled())
        .orElseThrow(MessageReactions::notFound);
    if (add) {
      if (conversation.isGroup()) {
        rights.groupMember(conversation.groupId(), me);
      } else {
        rights.privateChat(me, conversation.peerOf(me));
      }
    }
    Reacted reacted = store.react(conversation, seq, me, emoji, add, MAX_EMOJI_PER_MESSAGE, MAX_EMOJI_PER_USER);
    switch (reacted.outcome()) {
      case NO_MESSAGE -> throw notFound();
      case MESSAGE_FULL -> throw limit("a message holds at most " + MAX_EMOJI_PER_MESSAGE + " different emoji",
          MAX_EMOJI_PER_MESSAGE);
      case USER_FULL -> throw limit("you can put at most " + MAX_EMOJI_PER_USER + " different emoji on a message",
          MAX_EMOJI_PER_USER);
      case ADDED, REMOVED -> appender.publish(new LiveEvent(session.sessionId(), "", Event.newBuilder()
          .setTime(Timestamps.fromMillis(clock.millis()))
          .setReaction(ReactionChange.newBuilder()
              .setConversationId(conversation.value())
              .setSeq(seq)
              .setMessageId(reacted.message().getMessageId())
              .setUserId(me)
              .setEmoji(emoji)
              .setAdded(add)
              .setCount(count(reacted.message(), emoji)))
          .build()));
      case UNCHANGED -> { }
    }
    return withMine(conversation, me, List.of(reacted.message())).get(0);
  }

  /**
   * {@code messages} with {@code mine} set on the reactions {@code me} made: one store read if any
   * of them has reactions, none otherwise.
   */
  List<Message> withMine(ConversationId conversation, String me, List<Message> messages) {
    List<Long> reacted = new ArrayList<>();
    for (Message message : messages) {
      if (message.getReactionsCount() > 0) {
        reacted.add(message.getSeq());
      }
    }
    if (reacted.isEmpty()) {
      return messages;
    }
    Map<Long, Set<String>> mine = store.reactionsOf(conversation, me, reacted);
    if (mine.isEmpty()) {
      return messages;
    }
    List<Message> out = new ArrayList<>(messages.size());
    for (Message message : messages) {
      Set<String> emoji = mine.get(message.getSeq());
      if (emoji == null) {
        out.add(message);
        continue;
      }
      Message.Builder marked = message.toBuilder();
      for (int i = 0; i < marked.getReactionsCount(); i++) {
        Reaction reaction = marked.getReactions(i);
        if (emoji.contains(reaction.getEmoji())) {
          marked.setReactions(i, reaction.toBuilder().setMine(true));
        }
      }
      out.add(marked.build());
    }
    return out;
  }

  /**
   * Whether {@code value} has the shape of one emoji: 1-16 code points and at most 64 bytes of
   * UTF-8; the first a symbol (emoji, pictographs, regional indicators) or a keycap base (0-9, #,
   * *) followed by a keycap; the rest symbols, skin tone modifiers, zero-width joiners, variation
   * selectors, the combining keycap or tag characters (subdivision flags). Java 17 has no emoji
   * property, so this is the shape, not Unicode's list: a symbol that is no emoji (e.g. "©") passes,
   * letters, digits alone, spaces, controls and bidirectional characters do not.
   */
  static boolean isEmoji(String value) {
    if (value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > MAX_EMOJI_BYTES
        || value.codePointCount(0, value.length()) > MAX_EMOJI_CODE_POINTS) {
      return false;
    }
    int[] codePoints = value.codePoints().toArray();
    int first = codePoints[0];
    boolean keycapBase = (first >= '0' && first <= '9') || first == '#' || first == '*';
    if (keycapBase ? !value.contains("\u20E3") : Character.getType(first) != Character.OTHER_SYMBOL) {
      return false;
    }
    for (int i = 1; i < codePoints.length; i++) {
      int cp = codePoints[i];
      int type = Character.getType(cp);
      boolean allowed = type == Character.OTHER_SYMBOL || type == Character.MODIFIER_SYMBOL
          || cp == 0x200D || cp == 0xFE0E || cp == 0xFE0F || cp == 0x20E3 || (cp >= 0xE0020 && cp <= 0xE007F);
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  private static int count(Message message, String emoji) {
    for (Reaction reaction : message.getReactionsList()) {
      if (reaction.getEmoji().equals(emoji)) {
        return reaction.getCount();
      }
    }
    return 0;
  }

  private static ParleyException notFound() {
    return new ParleyException(ErrorReason.MESSAGE_NOT_FOUND, "message not found");
  }

  private static ParleyException limit(String message, int limit) {
    return ParleyException.builder(ErrorReason.REACTION_LIMIT)
        .message(message)
        .metadata("limit", Integer.toString(limit))
        .build();
  }
}
