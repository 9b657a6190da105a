package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.UserGroup;
import io.parley.message.store.ConversationId;
import io.parley.message.store.ConversationRef;
import io.parley.message.store.ConversationState;
import io.parley.message.store.MessageStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's conversations and read state: the rules of unread counts, read seqs and conversation
 * lists, once, over the store's facts.
 *
 * <ul>
 *   <li>A user's <b>effective read seq</b> is their stored one, but never below the message before
 *       the first one they may see (a group member's join point, the retention cutoff), and never
 *       above the last seq.
 *   <li><b>Unread</b> = last seq − effective read seq − the user's own messages after it: one's own
 *       messages never count.
 *   <li>A user's <b>conversations</b> are their private ones (the store's list) and their groups
 *       (group-svc's list, one call), those with a message they may see, by last activity.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Conversations {
  private final MessageStore store;
  private final GroupDirectory groups;
  private final ConversationGuard guard;

  Conversations(MessageStore store, GroupDirectory groups, ConversationGuard guard) {
    this.store = requireNonNull(store, "store");
    this.groups = requireNonNull(groups, "groups");
    this.guard = requireNonNull(guard, "guard");
  }

  /**
   * A page of the user's conversations that come after {@code after} (the first if null), newest
   * activity first, and whether more follow. The cost does not depend on how much the user has
   * ever sent, nor on how many private conversations they ever had: one call to group-svc (their
   * current groups), one query for the page (an index range of their private conversations, one
   * probe per group), and three queries for the page's summaries.
   */
  Page list(String userId, ConversationRef after, int pageSize) {
    long cutoff = guard.retentionCutoff();
    Map<ConversationId, Long> groupVisibleFrom = new HashMap<>();
    for (UserGroup group : groups.userGroups(userId)) {
      long joined = group.hasJoinTime() ? Timestamps.toMillis(group.getJoinTime()) : 0;
      groupVisibleFrom.put(ConversationId.ofGroup(group.getGroupId()), guard.visibleFrom(joined));
    }
    List<ConversationRef> latest = store.latest(userId, cutoff, groupVisibleFrom, after, pageSize + 1);
    boolean more = latest.size() > pageSize;
    List<ConversationRef> page = latest.subList(0, Math.min(pageSize, latest.size()));
    Map<ConversationId, Long> pageVisibleFrom = new LinkedHashMap<>();
    page.forEach(ref -> pageVisibleFrom.put(ref.conversation(),
        ref.conversation().isGroup() ? groupVisibleFrom.get(ref.conversation()) : cutoff));
    Map<ConversationId, ConversationSummary> summaries = summaries(userId, store.states(pageVisibleFrom));
    List<ConversationSummary> out = new ArrayList<>(page.size());
    for (ConversationRef ref : page) {
      ConversationSummary summary = summaries.get(ref.conversation());
      if (summary.hasVisibleMessages()) {
        out.add(summary);
      }
    }
    return new Page(out, more && !page.isEmpty() ? page.get(page.size() - 1) : null);
  }

  /**
   * A page of conversations.
   *
   * @param next the cursor of the next page, or null if this is the last
   */
  record Page(List<ConversationSummary> conversations, ConversationRef next) {}

  /**
   * Moves the user's read seq to {@code seq}, clamped to the last seq, unless it is there or beyond
   * already (it never moves backwards), and answers their read state after it.
   */
  ReadState markRead(ConversationAccess access, String userId, long seq) {
    ConversationId conversation = access.conversation();
    Map<ConversationId, ConversationState> states = store.states(Map.of(conversation, access.visibleFromMillis()));
    long target = Math.min(seq, states.get(conversation).lastSeq());
    boolean advanced = target >= 1 && store.advanceReadSeq(conversation, userId, target);
    ConversationSummary summary = summaries(userId, states).get(conversation);
    return new ReadState(summary.readSeq(), summary.lastSeq(), summary.unreadCount(), advanced);
  }

  /** How {@code userId} sees each conversation of {@code states}. */
  private Map<ConversationId, ConversationSummary> summaries(String userId,
      Map<ConversationId, ConversationState> states) {
    Map<ConversationId, Long> stored = store.readSeqs(userId, states.keySet());
    Map<ConversationId, Long> readSeqs = new HashMap<>();
    Map<ConversationId, Long> counted = new HashMap<>();
    states.forEach((conversation, state) -> {
      long read = Math.min(Math.max(stored.getOrDefault(conversation, 0L), state.firstVisibleSeq() - 1),
          state.lastSeq());
      readSeqs.put(conversation, read);
      if (read < state.lastSeq()) {
        counted.put(conversation, read);
      }
    });
    Map<ConversationId, Long> own = store.ownMessagesAfter(userId, counted);
    Map<ConversationId, ConversationSummary> out = new HashMap<>();
    states.forEach((conversation, state) -> {
      long read = readSeqs.get(conversation);
      long unread = Math.max(state.lastSeq() - read - own.getOrDefault(conversation, 0L), 0);
      out.put(conversation, new ConversationSummary(conversation, state.lastSeq(), state.lastTimeMillis(), read,
          unread, state.lastMessage()));
    });
    return out;
  }
}
