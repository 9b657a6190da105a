package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import io.parley.message.v1.Message;

/**
 * A message to append to its conversation: everything but the seq and the server time, which the
 * store assigns.
 *
 * @param conversation where the message goes
 * @param message the message with id, conversation id, sender, client_msg_id, content and
 *     mentions set, and neither seq nor server_time (the store assigns those)
 * @param originSessionId the session that sent it; its own Subscribe stream is not sent the
 *     message back
 * @param nowMillis the sender replica's clock; the stored server time is this or, to keep a
 *     conversation's times monotonic, the previous message's time if that is later
 */
public record Draft(ConversationId conversation, Message message, String originSessionId, long nowMillis) {
  public Draft {
    requireNonNull(conversation, "conversation");
    requireNonNull(message, "message");
    requireNonNull(originSessionId, "originSessionId");
    if (message.getSeq() != 0 || message.hasServerTime()) {
      throw new IllegalArgumentException("a draft's seq and server_time are assigned by the store");
    }
    if (!message.getConversationId().equals(conversation.value())) {
      throw new IllegalArgumentException("message is for " + message.getConversationId() + ", not " + conversation);
    }
    if (message.getMessageId().isEmpty() || message.getSenderId().isEmpty() || message.getClientMsgId().isEmpty()) {
      throw new IllegalArgumentException("a draft needs message_id, sender_id and client_msg_id");
    }
  }

  public String senderId() {
    return message.getSenderId();
  }

  public String clientMsgId() {
    return message.getClientMsgId();
  }
}
