package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.ReplyTo;
import java.util.Locale;

/**
 * The quote a reply carries: a snapshot of the message it answers, taken when the reply is sent.
 * Thread-safe.
 */
final class Quotes {
  /** How many characters (code points) of the quoted text a preview keeps. */
  static final int PREVIEW_CHARS = 100;

  private final MessageStore store;
  private final ConversationGuard guard;

  Quotes(MessageStore store, ConversationGuard guard) {
    this.store = requireNonNull(store, "store");
    this.guard = requireNonNull(guard, "guard");
  }

  /**
   * The quote of the message at {@code seq} in the conversation, for {@code senderId}'s reply.
   *
   * @throws ParleyException MESSAGE_NOT_FOUND if there is no such message, the sender may not see
   *     it (sent before they joined, past the retention), or it was recalled
   */
  ReplyTo quote(ConversationId conversation, String senderId, long seq) {
    ConversationAccess access = guard.open(conversation, senderId);
    Message quoted = guard.visibleMessage(access, seq)
        .filter(m -> !m.getRecalled())
        .orElseThrow(() -> ParleyException.builder(ErrorReason.MESSAGE_NOT_FOUND)
            .message("reply_to_seq: no such message to reply to")
            .violation("reply_to_seq", "no message the sender can see has this seq")
            .build());
    return ReplyTo.newBuilder()
        .setSeq(quoted.getSeq())
        .setMessageId(quoted.getMessageId())
        .setSenderId(quoted.getSenderId())
        .setKind(quoted.getContent().getKindCase().name().toLowerCase(Locale.ROOT))
        .setPreview(preview(quoted.getContent()))
        .build();
  }

  private static String preview(MessageContent content) {
    String text = switch (content.getKindCase()) {
      case TEXT -> content.getText().getText();
      case IMAGE -> content.getImage().getName();
      case FILE -> content.getFile().getName();
      case CUSTOM -> content.getCustom().getType();
      default -> "";
    };
    if (text.codePointCount(0, text.length()) <= PREVIEW_CHARS) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, PREVIEW_CHARS));
  }
}
