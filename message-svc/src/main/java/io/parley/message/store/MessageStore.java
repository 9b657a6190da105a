package io.parley.message.store;

import io.parley.message.v1.Message;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where message-svc keeps messages, read state and conversation lists, and how its replicas hear
 * each other's live events. Implementations: {@link MemoryMessageStore} (one process) and {@link
 * RedisMessageStore} (standalone Redis or Cluster); both pass one contract test suite.
 *
 * <p>Every conversation has a gapless, strictly increasing seq from 1, and server times that
 * never decrease along it. A message is stored once per conversation, groups included (read
 * diffusion). What a user may see of a conversation starts at a <em>floor seq</em> the caller
 * passes (1, or a group member's join seq) and at the oldest message still retained ({@link
 * Retention}); reads never return anything below that.
 *
 * <p>Thread-safe. Each method is atomic per conversation. A store that cannot be reached fails
 * with a {@link io.parley.error.ParleyException} with reason STORE_UNAVAILABLE.
 */
public interface MessageStore extends AutoCloseable {

  /**
   * Appends a message, or finds the earlier one with the same sender and {@code client_msg_id}
   * (remembered for {@link Retention#idempotencyWindow()}) and changes nothing. In one atomic step
   * a new message gets the next seq and its server time, is stored, is remembered for
   * idempotency, moves the sender's read seq along if the sender had read everything before it
   * (otherwise it is recorded as the sender's own, so it never counts as unread for them), and is
   * announced to every replica's {@link StoreListener}. The private conversation index of both
   * participants is updated before the future completes.
   *
   * <p>Idempotency is per conversation: a retried send names the same target, so it lands in the
   * same conversation; the same {@code client_msg_id} in two conversations makes two messages.
   *
   * @return completes with the result, or exceptionally with a ParleyException
   */
  CompletableFuture<Appended> append(Draft draft);

  /** The earlier send of {@code clientMsgId} by {@code senderId} in the conversation, if remembered. */
  Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId);

  /** Up to {@code limit} visible messages with seq greater than {@code afterSeq}, ascending. */
  MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long floorSeq);

  /** Up to {@code limit} visible messages with seq less than {@code beforeSeq}, descending. */
  MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long floorSeq);

  /** The retained message at {@code seq} (a tombstone if recalled), ignoring any floor. */
  Optional<Message> find(ConversationId conversation, long seq);

  /**
   * Replaces the message at {@code expected.getSeq()} with {@code tombstone} if it still is
   * {@code expected}, and announces {@code recall} to every replica, atomically.
   *
   * @return false if the stored message is no longer {@code expected} (changed or gone); read it
   *     again with {@link #find}
   */
  boolean replace(ConversationId conversation, Message expected, Message tombstone, StoreEvent recall);

  /**
   * Moves {@code userId}'s read seq to {@code seq}, clamped to the last seq, unless it already is
   * there or beyond: it never moves backwards. Own messages up to it are forgotten.
   */
  ReadState markRead(ConversationId conversation, String userId, long seq, long floorSeq);

  /** One summary per query, in the same order, as {@code userId} sees each conversation. */
  List<ConversationSummary> summaries(String userId, List<SummaryQuery> queries);

  /**
   * The seq of the first retained message with a server time at or after {@code timeMillis}, or
   * the last seq + 1 if there is none: how a group's join time maps to the member's floor seq.
   */
  long firstSeqAtOrAfter(ConversationId conversation, long timeMillis);

  /**
   * The user's private conversations with any message, {@link ConversationRef#NEWEST_FIRST}, that
   * come after {@code after} (all if null), at most {@code limit}.
   */
  List<ConversationRef> privateConversations(String userId, ConversationRef after, int limit);

  /** The groups recorded for the user by {@link #addGroupMembers}, in no order. */
  Set<String> groupIds(String userId);

  /** Records {@code groupId} in the group list of each user. Idempotent. */
  void addGroupMembers(String groupId, Collection<String> userIds);

  /** Forgets {@code groupId} in the user's group list. Idempotent. */
  void removeGroup(String userId, String groupId);

  /** Announces an event (a read receipt) to every replica's {@link StoreListener}. */
  void publish(StoreEvent event);

  /** Registers a listener for the events of every replica. */
  void addListener(StoreListener listener);

  /** Whether the event channel is live, i.e. events announced from now on reach the listeners. */
  boolean isListening();

  /** Waits until the event channel is live; false if it is not within {@code timeout}. */
  boolean awaitListening(Duration timeout) throws InterruptedException;

  /** Releases threads and connections; appends in flight fail. */
  @Override
  void close();
}
