package io.parley.message.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * The Redis key layout of message-svc, all under one prefix ({@code parley:msg:} by default).
 *
 * <p>A conversation's keys carry its id as hash tag, {@code <prefix>{<conversation id>}:…}, so
 * that every script on one conversation runs in one slot on a Cluster; a user's index keys carry
 * the user id, {@code <prefix>{<user id>}:…}. Immutable.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = requireNonNull(prefix, "prefix");
  }

  private byte[] conversation(ConversationId conversation, String suffix) {
    return (prefix + "{" + conversation.value() + "}:" + suffix).getBytes(UTF_8);
  }

  /** Hash: {@code last} seq, {@code time} of the last message, {@code first} retained seq. */
  byte[] meta(ConversationId conversation) {
    return conversation(conversation, "meta");
  }

  /** Hash: seq to the encoded {@code Message}. */
  byte[] messages(ConversationId conversation) {
    return conversation(conversation, "msgs");
  }

  /** Sorted set: seq by server time, for retention by age and join-time lookups. */
  byte[] times(ConversationId conversation) {
    return conversation(conversation, "times");
  }

  /** Hash: user id to read seq. */
  byte[] reads(ConversationId conversation) {
    return conversation(conversation, "read");
  }

  /** Sorted set: the user's own seqs beyond the user's read seq. */
  byte[] own(ConversationId conversation, String userId) {
    return conversation(conversation, "own:" + userId);
  }

  /**
   * String {@code <seq>:<time>:<message id>}: a remembered send, per sender and client_msg_id,
   * inside the conversation's slot since a retried send always names the same conversation.
   */
  byte[] sent(ConversationId conversation, String senderId, String clientMsgId) {
    return conversation(conversation, "sent:" + senderId + ":" + clientMsgId);
  }

  /** Sorted set: the user's private conversations by last activity. */
  byte[] privateIndex(String userId) {
    return (prefix + "{" + userId + "}:convs").getBytes(UTF_8);
  }

  /** Set: group ids recorded for the user. */
  byte[] groups(String userId) {
    return (prefix + "{" + userId + "}:groups").getBytes(UTF_8);
  }

  /** The pub/sub channel of live events. */
  String channel() {
    return prefix + "events";
  }
}
