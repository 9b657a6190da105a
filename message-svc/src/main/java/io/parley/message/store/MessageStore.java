package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageVersion;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where message-svc keeps messages, conversations, read seqs and each user's private
 * conversations: persistence only. Who may send, read or recall, what counts as unread, what a
 * retried send answers and who is told of what are the service's business, decided once in Java
 * above this interface. Implementations: {@link MemoryMessageStore} (one process, lost on exit) and
 * {@link PostgresMessageStore} (the store of record); both pass one contract test suite.
 *
 * <p><b>Seqs.</b> Every conversation has a gapless, strictly increasing seq from 1, assigned in the
 * same atomic step that stores the message, and server times that never decrease along its seqs.
 * A message is stored once per conversation, groups included (read diffusion). History is kept
 * until {@link #deleteOlderThan} removes it (the operator's retention); nothing else drops a message.
 *
 * <p><b>Visibility.</b> Reads take a {@code visibleFromMillis}: messages with an earlier server time
 * are not returned (a group member's join time, the operator's retention cutoff; 0 for all). Since
 * times never decrease, the visible messages of a conversation are a suffix of its seqs.
 *
 * <p>Thread-safe. A store that cannot be reached fails with a {@link
 * io.parley.error.ParleyException} with reason STORE_UNAVAILABLE.
 */
public interface MessageStore {

  /**
   * Stores a batch of drafts in one atomic step, in order, or none of them. For each draft: if the
   * same sender already stored the same {@code client_msg_id} in the conversation (before, or
   * earlier in this batch), nothing is stored and the earlier message is answered with {@code
   * duplicate} set; otherwise the message gets the conversation's next seq and a server time of
   * {@code max(draft.nowMillis(), previous message's time)}. In the same step:
   *
   * <ul>
   *   <li>a sender whose read seq was just before their message has it moved onto their message
   *       (they had read everything before it);
   *   <li>the first message of a private conversation records it for both participants ({@link
   *       #latest}).
   * </ul>
   *
   * @return one result per draft, in the drafts' order
   */
  List<Appended> append(List<Draft> drafts);

  /**
   * Tells the store of a message stored by any replica, as the event log carried it. A store may
   * keep it as a hint for its next {@link #append} of that conversation; it must not trust it. None
   * by default. Never throws.
   */
  default void observed(ConversationId conversation, long seq, long serverTimeMillis) {}

  /**
   * The stored send of {@code clientMsgId} by {@code senderId} in the conversation, if any, as a
   * repeat ({@code duplicate} set).
   */
  Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId);

  /**
   * Up to {@code limit} visible messages with a seq greater than {@code afterSeq}, ascending.
   *
   * @param limit 1 or more
   */
  MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long visibleFromMillis);

  /** Up to {@code limit} visible messages with a seq less than {@code beforeSeq}, descending. */
  MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long visibleFromMillis);

  /**
   * {@code userId}'s view of the conversation and the page a pull reads after {@code afterSeq},
   * read at once (in one round trip where the store can): {@link #readAfter} from the greater of
   * {@code afterSeq} and the seq the user cleared the history to, so that a pull that starts below
   * it still reads a full page.
   */
  default Page pageAfter(String userId, ConversationId conversation, long afterSeq, int limit,
      long visibleFromMillis) {
    PersonalView view = view(userId, conversation);
    return new Page(view, readAfter(conversation, Math.max(afterSeq, view.clearedSeq()), limit, visibleFromMillis));
  }

  /**
   * {@code userId}'s view of the conversation and {@link #readBefore} {@code beforeSeq}, read at
   * once (in one round trip where the store can). What the user cleared is not taken out here:
   * the caller, which has the view, filters it.
   */
  default Page pageBefore(String userId, ConversationId conversation, long beforeSeq, int limit,
      long visibleFromMillis) {
    return new Page(view(userId, conversation), readBefore(conversation, beforeSeq, limit, visibleFromMillis));
  }

  /** The answer of {@link #pageAfter} and {@link #pageBefore}. */
  record Page(PersonalView view, MessageSlice slice) {
    public Page {
      requireNonNull(view, "view");
      requireNonNull(slice, "slice");
    }
  }

  /** The stored message at {@code seq} (a tombstone if recalled), whatever its time. */
  Optional<Message> find(ConversationId conversation, long seq);

  /**
   * Stores {@code tombstone} in place of the message with its seq, and marks it recalled, unless it
   * is recalled already.
   *
   * @param tombstone the message as it is to be stored from now on, its seq set; id, sender,
   *     client_msg_id and server time stay the stored ones
   * @return false if there is no such message or it was recalled already (read it again with {@link
   *     #find})
   */
  boolean recall(ConversationId conversation, Message tombstone);

  /**
   * Replaces a message's content with an edit, if the message is not recalled and has been edited
   * exactly {@code edited.getEditCount() - 1} times (so that of two concurrent edits of one version,
   * one wins); the content it replaces becomes an earlier version ({@link #versions}). Only the
   * content and the edit fields ({@code edited}, {@code edit_time}, {@code edit_count}) of {@code
   * edited} are written; the rest of the stored message stays as it is.
   *
   * @return whether the edit was stored
   */
  boolean edit(ConversationId conversation, Message edited);

  /**
   * Every version of a message's content, oldest first, its current one last; empty if the message
   * does not exist or is recalled (a recall drops the earlier versions too).
   */
  List<MessageVersion> versions(ConversationId conversation, long seq);

  /**
   * Adds ({@code add}) or removes {@code userId}'s reaction with {@code emoji} on the message at
   * {@code seq}, and moves the message's count of it, in one atomic step. An add is refused if the
   * emoji is new on the message and the message has {@code maxEmojiPerMessage} different ones, or
   * if the user has {@code maxEmojiPerUser} on it. Nothing changes on a recalled message.
   */
  Reacted react(ConversationId conversation, long seq, String userId, String emoji, boolean add,
      int maxEmojiPerMessage, int maxEmojiPerUser);

  /**
   * The emoji {@code userId} put on each of the messages at {@code seqs} that have any: only
   * those appear as keys.
   */
  Map<Long, Set<String>> reactionsOf(ConversationId conversation, String userId, Collection<Long> seqs);

  /** {@code userId}'s view of each of {@code conversations} that has any stored. */
  Map<ConversationId, PersonalView> views(String userId, Collection<ConversationId> conversations);

  /** {@code userId}'s view of one conversation: {@link PersonalView#DEFAULT} if none is stored. */
  default PersonalView view(String userId, ConversationId conversation) {
    return views(userId, List.of(conversation)).getOrDefault(conversation, PersonalView.DEFAULT);
  }

  /** The conversations {@code userId} pinned, most recently pinned first. */
  List<ConversationId> pinned(String userId);

  /**
   * Writes {@code userId}'s settings of a conversation, every field; a conversation pinned already
   * keeps its pin time, one pinned now gets {@code nowMillis}. Refused, in one atomic step with
   * the write, if it would leave the user with more than {@code maxPinned} pinned conversations.
   *
   * @return false if refused
   */
  boolean saveSettings(String userId, ConversationId conversation, ConversationSettings settings, long nowMillis,
      int maxPinned);

  /** Moves {@code userId}'s cleared seq of a conversation up to {@code seq} (never down). */
  void clearHistory(String userId, ConversationId conversation, long seq);

  /**
   * Hides the messages at {@code seqs} from {@code userId}, for good, in one atomic step; seqs
   * hidden already, or without a message, are skipped.
   *
   * @return the seqs hidden now, ascending
   */
  List<Long> hide(String userId, ConversationId conversation, Collection<Long> seqs);

  /** Which of {@code seqs} {@code userId} hid. */
  Set<Long> hiddenOf(String userId, ConversationId conversation, Collection<Long> seqs);

  /**
   * Moves {@code userId}'s read seq in the conversation to {@code seq} if it is lower; it never moves
   * backwards.
   *
   * @param seq 1 or more
   * @return whether it moved
   */
  boolean advanceReadSeq(ConversationId conversation, String userId, long seq);

  /** The stored read seqs of {@code userId} in {@code conversations}; absent means 0. */
  Map<ConversationId, Long> readSeqs(String userId, Collection<ConversationId> conversations);

  /**
   * How each conversation stands, seen from its {@code visibleFromMillis}: an entry for every key,
   * {@link ConversationState#EMPTY} for a conversation without messages.
   */
  Map<ConversationId, ConversationState> states(Map<ConversationId, Long> visibleFromMillis);

  /**
   * What a list of {@code userId}'s conversations shows, each seen from its {@code
   * visibleFromMillis}: their {@link #states}, the user's {@link #views} and stored {@link
   * #readSeqs}, read at once (in one round trip where the store can).
   */
  default Overview overview(String userId, Map<ConversationId, Long> visibleFromMillis) {
    return new Overview(states(visibleFromMillis), views(userId, visibleFromMillis.keySet()),
        readSeqs(userId, visibleFromMillis.keySet()));
  }

  /** The answer of {@link #overview}: each map as its own method answers. */
  record Overview(Map<ConversationId, ConversationState> states, Map<ConversationId, PersonalView> views,
      Map<ConversationId, Long> readSeqs) {}

  /**
   * How many messages {@code userId} sent in each conversation with a seq greater than the given
   * one: an entry for every key.
   */
  Map<ConversationId, Long> ownMessagesAfter(String userId, Map<ConversationId, Long> afterSeqs);

  /**
   * A page of {@code userId}'s conversations with a visible message, by last activity ({@link
   * ConversationRef#NEWEST_FIRST}), that come after {@code after} (all if null), at most {@code
   * limit}: their private conversations whose last message is at or after {@code
   * privateVisibleFromMillis}, and the conversations of {@code groupVisibleFromMillis}'s groups
   * whose last message is at or after the group's time. The private part costs the page, not the
   * number of private conversations the user ever had.
   */
  List<ConversationRef> latest(String userId, long privateVisibleFromMillis,
      Map<ConversationId, Long> groupVisibleFromMillis, ConversationRef after, int limit);

  /** Up to {@code limit} conversations with an id greater than {@code after} (all if null), in id order. */
  List<ConversationId> conversationsAfter(ConversationId after, int limit);

  /**
   * Deletes at most {@code maxMessages} messages older than {@code cutoffMillis} from the given
   * conversations, oldest first. Conversations keep their last seq: seqs are never reused.
   *
   * @return how many were deleted; {@code maxMessages} means there may be more
   */
  int deleteOlderThan(long cutoffMillis, Collection<ConversationId> conversations, int maxMessages);
}
