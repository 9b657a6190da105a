package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.UserGroup;
import io.parley.message.store.ConversationId;
import io.parley.message.store.ConversationRef;
import io.parley.message.store.ConversationState;
import io.parley.message.store.MessageStore;
import io.parley.message.store.PersonalView;
import io.parley.message.v1.Badge;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
 *       (group-svc's list, one call), those with a message they may see, by last activity; the
 *       ones they pinned head the first page, most recently pinned first.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Conversations {
  /** How many of a user's conversations, by latest activity, the badge counts. */
  static final int BADGE_CONVERSATIONS = 500;
  /** How far back a list looks for a last message when the user deleted the last one for themselves. */
  static final int HIDDEN_LOOKBACK = 20;

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
   * activity first, and whether more follow; the first page starts with every conversation the user
   * pinned (at most {@link PersonalSettings#MAX_PINNED}), later pages leave them out. The cost does
   * not depend on how much the user has ever sent, nor on how many private conversations they ever
   * had: one call to group-svc (their current groups), made while the store reads their pins (an
   * index range); one query for the page (on PostgreSQL, index ranges of their private conversations
   * as long as the page and the rest of the last 10 seconds of activity it reaches, one probe per
   * group); one {@link MessageStore#overview} of the page (one round trip on PostgreSQL) and one
   * count of their own messages.
   */
  Page list(String userId, ConversationRef after, int pageSize) {
    long cutoff = guard.retentionCutoff();
    CompletableFuture<List<UserGroup>> userGroups = groups.userGroupsAsync(userId);
    List<ConversationId> pinned = store.pinned(userId);
    Map<ConversationId, Long> groupVisibleFrom = groupVisibleFrom(UnaryCalls.await(userGroups));
    Set<ConversationId> pinnedSet = new HashSet<>(pinned);
    List<ConversationRef> unpinned = new ArrayList<>();
    for (ConversationRef ref : store.latest(userId, cutoff, groupVisibleFrom, after, pageSize + 1 + pinned.size())) {
      if (!pinnedSet.contains(ref.conversation())) {
        unpinned.add(ref);
      }
    }
    boolean more = unpinned.size() > pageSize;
    List<ConversationRef> page = unpinned.subList(0, Math.min(pageSize, unpinned.size()));
    Map<ConversationId, Long> pageVisibleFrom = new LinkedHashMap<>();
    if (after == null) {
      for (ConversationId conversation : pinned) {
        Long visibleFrom = conversation.isGroup() ? groupVisibleFrom.get(conversation) : Long.valueOf(cutoff);
        if (visibleFrom != null) {  // null: a group the user left
          pageVisibleFrom.put(conversation, visibleFrom);
        }
      }
    }
    page.forEach(ref -> pageVisibleFrom.put(ref.conversation(),
        ref.conversation().isGroup() ? groupVisibleFrom.get(ref.conversation()) : cutoff));
    MessageStore.Overview overview = store.overview(userId, pageVisibleFrom);
    Map<ConversationId, PersonalView> views = overview.views();
    Map<ConversationId, ConversationSummary> summaries = summaries(userId, overview.states(), views,
        overview.readSeqs());
    List<ConversationSummary> out = new ArrayList<>(pageVisibleFrom.size());
    for (ConversationId conversation : pageVisibleFrom.keySet()) {
      PersonalView view = views.getOrDefault(conversation, PersonalView.DEFAULT);
      ConversationSummary summary = withoutHiddenLast(userId, summaries.get(conversation), view,
          pageVisibleFrom.get(conversation));
      if (summary.hasVisibleMessages()) {
        out.add(summary.withSettings(view.settings()));
      }
    }
    return new Page(out, more && !page.isEmpty() ? page.get(page.size() - 1) : null);
  }

  /**
   * {@code summary} with, as its last message, the latest one the user did not delete for
   * themselves among the last {@link #HIDDEN_LOOKBACK}: only for a user who deleted some.
   */
  private ConversationSummary withoutHiddenLast(String userId, ConversationSummary summary, PersonalView view,
      long visibleFromMillis) {
    Message last = summary.lastMessage();
    if (last == null || view.hiddenCount() == 0
        || store.hiddenOf(userId, summary.conversation(), List.of(last.getSeq())).isEmpty()) {
      return summary;
    }
    List<Message> before = store.readBefore(summary.conversation(), last.getSeq(), HIDDEN_LOOKBACK, visibleFromMillis)
        .messages();
    Set<Long> hidden = store.hiddenOf(userId, summary.conversation(), before.stream().map(Message::getSeq).toList());
    Message shown = before.stream()
        .filter(m -> m.getSeq() > view.clearedSeq() && !hidden.contains(m.getSeq()))
        .findFirst()
        .orElse(null);
    return summary.withLastMessage(shown);
  }

  /**
   * The user's badge: unread messages over the {@link #BADGE_CONVERSATIONS} conversations with the
   * latest activity, those muted now left out. A bound, so that its cost does not grow with how
   * many conversations the user ever had: an unread message in an older conversation is not counted.
   */
  Badge badge(String userId, long nowMillis) {
    long cutoff = guard.retentionCutoff();
    Map<ConversationId, Long> groupVisibleFrom = groupVisibleFrom(groups.userGroups(userId));
    Map<ConversationId, Long> visibleFrom = new LinkedHashMap<>();
    for (ConversationRef ref : store.latest(userId, cutoff, groupVisibleFrom, null, BADGE_CONVERSATIONS)) {
      visibleFrom.put(ref.conversation(),
          ref.conversation().isGroup() ? groupVisibleFrom.get(ref.conversation()) : cutoff);
    }
    MessageStore.Overview overview = store.overview(userId, visibleFrom);
    Map<ConversationId, PersonalView> views = overview.views();
    long unread = 0;
    int conversations = 0;
    for (ConversationSummary summary : summaries(userId, overview.states(), views, overview.readSeqs()).values()) {
      ConversationSettings setting = views.getOrDefault(summary.conversation(), PersonalView.DEFAULT).settings();
      boolean muted = setting.hasMuteUntil()
          && Timestamps.toMillis(setting.getMuteUntil()) > nowMillis;
      if (!muted && summary.unreadCount() > 0) {
        unread += summary.unreadCount();
        conversations++;
      }
    }
    return Badge.newBuilder().setUnreadCount(unread).setUnreadConversations(conversations).build();
  }

  /** The user's groups, each with the time from which the user sees it. */
  private Map<ConversationId, Long> groupVisibleFrom(List<UserGroup> userGroups) {
    Map<ConversationId, Long> out = new HashMap<>();
    for (UserGroup group : userGroups) {
      long joined = group.hasJoinTime() ? Timestamps.toMillis(group.getJoinTime()) : 0;
      out.put(ConversationId.ofGroup(group.getGroupId()), guard.visibleFrom(joined));
    }
    return out;
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
    ConversationSummary summary = summaries(userId, states, Map.of(conversation, access.view()),
        store.readSeqs(userId, states.keySet())).get(conversation);
    return new ReadState(summary.readSeq(), summary.lastSeq(), summary.unreadCount(), advanced);
  }

  /**
   * How {@code userId} sees each conversation of {@code states}, given their {@code stored} read
   * seqs: what they cleared counts as read, and a last message they cleared is none.
   */
  private Map<ConversationId, ConversationSummary> summaries(String userId,
      Map<ConversationId, ConversationState> states, Map<ConversationId, PersonalView> views,
      Map<ConversationId, Long> stored) {
    Map<ConversationId, Long> readSeqs = new HashMap<>();
    Map<ConversationId, Long> counted = new HashMap<>();
    states.forEach((conversation, state) -> {
      long cleared = views.getOrDefault(conversation, PersonalView.DEFAULT).clearedSeq();
      long read = Math.min(Math.max(Math.max(stored.getOrDefault(conversation, 0L), state.firstVisibleSeq() - 1),
          cleared), state.lastSeq());
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
      Message last = state.lastMessage() != null
          && state.lastSeq() > views.getOrDefault(conversation, PersonalView.DEFAULT).clearedSeq()
          ? state.lastMessage() : null;
      out.put(conversation, new ConversationSummary(conversation, state.lastSeq(), state.lastTimeMillis(), read,
          unread, last, ConversationSettings.getDefaultInstance()));
    });
    return out;
  }
}
