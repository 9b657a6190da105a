package io.parley.message.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageVersion;

/** The versions of an edited message's content, as both stores keep them. */
final class MessageVersions {
  private MessageVersions() {}

  /** A message's content as it is now, as a version: numbered by its edits, dated by the last one. */
  static MessageVersion current(Message message) {
    return MessageVersion.newBuilder()
        .setVersion(message.getEditCount())
        .setContent(message.getContent())
        .setCreateTime(message.getEdited() ? message.getEditTime() : message.getServerTime())
        .build();
  }

  /** A stored earlier version's content. */
  static MessageContent content(byte[] stored, ConversationId conversation, long seq) {
    try {
      return MessageContent.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt stored version of " + conversation + "/" + seq, e);
    }
  }
}
