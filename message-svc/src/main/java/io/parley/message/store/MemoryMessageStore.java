package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.message.store.AppendPlan.Head;
import io.parley.message.store.AppendPlan.ReadAdvance;
import io.parley.message.store.AppendPlan.SendKey;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageVersion;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A {@link MessageStore} in this process, for the embedded default: lost on exit.
 *
 * <p>One read-write lock guards everything: reads share it, writes (a whole append batch included)
 * take it alone, so each method is atomic. Thread-safe.
 */
public final class MemoryMessageStore implements MessageStore {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /** Guarded by {@link #lock}, as is everything reachable from these maps. */
  private final TreeMap<String, Conversation> conversations = new TreeMap<>();
  private final Map<String, Map<ConversationId, Long>> readSeqs = new HashMap<>();
  private final Map<String, Set<ConversationId>> privateConversations = new HashMap<>();
  /** Each user's view of their conversations. */
  private final Map<String, Map<ConversationId, View>> views = new HashMap<>();

  /** One user's view of one conversation. Guarded by the store's lock. */
  private static final class View {
    ConversationSettings settings = ConversationSettings.getDefaultInstance();
    long pinnedMillis;
    long clearedSeq;
    final Set<Long> hidden = new HashSet<>();

    PersonalView snapshot() {
      return new PersonalView(settings, clearedSeq, hidden.size());
    }
  }

  private View viewOf(String userId, ConversationId conversation) {
    return views.computeIfAbsent(userId, u -> new HashMap<>()).computeIfAbsent(conversation, c -> new View());
  }

  /** One conversation: its messages by seq (contiguous from the oldest kept), and its indexes. */
  private static final class Conversation {
    final ConversationId id;
    final TreeMap<Long, Message> messages = new TreeMap<>();
    final Map<SendKey, Long> sends = new HashMap<>();
    final Map<String, TreeSet<Long>> bySender = new HashMap<>();
    /** The earlier versions of edited messages, oldest first, by seq. */
    final Map<Long, List<MessageVersion>> earlierVersions = new HashMap<>();
    /** Who reacted to which message with what: seq, then user, then their emoji in order. */
    final Map<Long, Map<String, Set<String>>> reactions = new HashMap<>();
    long lastSeq;
    long lastTimeMillis;

    Conversation(ConversationId id) {
      this.id = id;
    }

    /** The first kept seq at or after {@code timeMillis}: a binary search, since times never decrease. */
    long firstSeqAtOrAfter(long timeMillis) {
      if (messages.isEmpty()) {
        return lastSeq + 1;
      }
      long lo = messages.firstKey();
      long hi = lastSeq + 1;
      while (lo < hi) {
        long mid = (lo + hi) >>> 1;
        if (millis(messages.get(mid)) >= timeMillis) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }

    void remove(Message message) {
      messages.remove(message.getSeq());
      earlierVersions.remove(message.getSeq());
      reactions.remove(message.getSeq());
      sends.remove(new SendKey(id, message.getSenderId(), message.getClientMsgId()));
      TreeSet<Long> own = bySender.get(message.getSenderId());
      if (own != null) {
        own.remove(message.getSeq());
      }
    }
  }

  @Override
  public List<Appended> append(List<Draft> drafts) {
    requireNonNull(drafts, "drafts");
    return write(() -> {
      Map<ConversationId, Head> heads = new HashMap<>();
      Map<SendKey, Appended> earlier = new HashMap<>();
      for (Draft draft : drafts) {
        Conversation c = conversations.get(draft.conversation().value());
        if (c != null) {
          heads.put(c.id, new Head(c.lastSeq, c.lastTimeMillis));
          SendKey key = SendKey.of(draft);
          Long seq = c.sends.get(key);
          if (seq != null) {
            earlier.put(key, repeat(c.messages.get(seq)));
          }
        }
      }
      AppendPlan plan = AppendPlan.of(drafts, heads, earlier);
      plan.heads().forEach((id, head) -> {
        Conversation c = conversations.computeIfAbsent(id.value(), v -> new Conversation(id));
        c.lastSeq = head.lastSeq();
        c.lastTimeMillis = head.lastTimeMillis();
      });
      for (Message message : plan.inserts()) {
        Conversation c = conversations.get(message.getConversationId());
        c.messages.put(message.getSeq(), message);
        c.sends.put(new SendKey(c.id, message.getSenderId(), message.getClientMsgId()), message.getSeq());
        c.bySender.computeIfAbsent(message.getSenderId(), sender -> new TreeSet<>()).add(message.getSeq());
      }
      for (ReadAdvance advance : plan.readAdvances()) {
        Map<ConversationId, Long> reads = readSeqs.computeIfAbsent(advance.userId(), u -> new HashMap<>());
        if (reads.getOrDefault(advance.conversation(), 0L) == advance.expectedSeq()) {
          reads.put(advance.conversation(), advance.newSeq());
        }
      }
      for (ConversationId conversation : plan.firstMessages()) {
        privateConversations.computeIfAbsent(conversation.firstUser(), u -> new HashSet<>()).add(conversation);
        privateConversations.computeIfAbsent(conversation.secondUser(), u -> new HashSet<>()).add(conversation);
      }
      return plan.results();
    });
  }

  @Override
  public Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId) {
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      Long seq = c == null ? null : c.sends.get(new SendKey(conversation, senderId, clientMsgId));
      return seq == null ? Optional.empty() : Optional.of(repeat(c.messages.get(seq)));
    });
  }

  @Override
  public MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long visibleFromMillis) {
    checkLimit(limit);
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      if (c == null) {
        return new MessageSlice(List.of(), false, 0);
      }
      // Past the last seq there is nothing, whatever seq a client names (afterSeq + 1 must not overflow).
      long from = Math.max(Math.min(afterSeq, c.lastSeq) + 1, c.firstSeqAtOrAfter(visibleFromMillis));
      return slice(c.messages.tailMap(from, true), limit, c.lastSeq);
    });
  }

  @Override
  public MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long visibleFromMillis) {
    checkLimit(limit);
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      if (c == null) {
        return new MessageSlice(List.of(), false, 0);
      }
      long floor = c.firstSeqAtOrAfter(visibleFromMillis);
      if (floor >= beforeSeq) {
        return new MessageSlice(List.of(), false, c.lastSeq);
      }
      return slice(c.messages.subMap(floor, true, beforeSeq, false).descendingMap(), limit, c.lastSeq);
    });
  }

  private static MessageSlice slice(NavigableMap<Long, Message> range, int limit, long lastSeq) {
    List<Message> out = new ArrayList<>(Math.min(limit, range.size()));
    Iterator<Message> it = range.values().iterator();
    while (it.hasNext() && out.size() < limit) {
      out.add(it.next());
    }
    return new MessageSlice(out, it.hasNext(), lastSeq);
  }

  @Override
  public Optional<Message> find(ConversationId conversation, long seq) {
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      return c == null ? Optional.empty() : Optional.ofNullable(c.messages.get(seq));
    });
  }

  @Override
  public boolean recall(ConversationId conversation, Message tombstone) {
    requireNonNull(tombstone, "tombstone");
    return write(() -> {
      Conversation c = conversations.get(conversation.value());
      Message stored = c == null ? null : c.messages.get(tombstone.getSeq());
      if (stored == null || stored.getRecalled()) {
        return false;
      }
      c.earlierVersions.remove(stored.getSeq());
      c.reactions.remove(stored.getSeq());
      c.messages.put(stored.getSeq(), tombstone.toBuilder()
          .setMessageId(stored.getMessageId())
          .setConversationId(stored.getConversationId())
          .setSenderId(stored.getSenderId())
          .setClientMsgId(stored.getClientMsgId())
          .setServerTime(stored.getServerTime())
          .setRecalled(true)
          .build());
      return true;
    });
  }

  @Override
  public boolean edit(ConversationId conversation, Message edited) {
    requireNonNull(edited, "edited");
    return write(() -> {
      Conversation c = conversations.get(conversation.value());
      Message stored = c == null ? null : c.messages.get(edited.getSeq());
      if (stored == null || stored.getRecalled() || stored.getEditCount() != edited.getEditCount() - 1) {
        return false;
      }
      c.earlierVersions.computeIfAbsent(stored.getSeq(), seq -> new ArrayList<>()).add(MessageVersions.current(stored));
      c.messages.put(stored.getSeq(), stored.toBuilder()
          .setContent(edited.getContent())
          .setEdited(true)
          .setEditTime(edited.getEditTime())
          .setEditCount(edited.getEditCount())
          .build());
      return true;
    });
  }

  @Override
  public List<MessageVersion> versions(ConversationId conversation, long seq) {
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      Message stored = c == null ? null : c.messages.get(seq);
      if (stored == null || stored.getRecalled()) {
        return List.of();
      }
      List<MessageVersion> versions = new ArrayList<>(c.earlierVersions.getOrDefault(seq, List.of()));
      versions.add(MessageVersions.current(stored));
      return versions;
    });
  }

  @Override
  public Reacted react(ConversationId conversation, long seq, String userId, String emoji, boolean add,
      int maxEmojiPerMessage, int maxEmojiPerUser) {
    requireNonNull(userId, "userId");
    requireNonNull(emoji, "emoji");
    return write(() -> {
      Conversation c = conversations.get(conversation.value());
      Message stored = c == null ? null : c.messages.get(seq);
      if (stored == null || stored.getRecalled()) {
        return new Reacted(Reacted.Outcome.NO_MESSAGE, null);
      }
      Set<String> mine = c.reactions.getOrDefault(seq, Map.of()).getOrDefault(userId, Set.of());
      if (add == mine.contains(emoji)) {
        return new Reacted(Reacted.Outcome.UNCHANGED, stored);
      }
      if (add) {
        Reacted.Outcome refused = Reactions.refusal(stored, emoji, mine.size(), maxEmojiPerMessage, maxEmojiPerUser);
        if (refused != null) {
          return new Reacted(refused, stored);
        }
        c.reactions.computeIfAbsent(seq, s -> new HashMap<>()).computeIfAbsent(userId, u -> new LinkedHashSet<>())
            .add(emoji);
      } else {
        Map<String, Set<String>> byUser = c.reactions.get(seq);
        byUser.get(userId).remove(emoji);
        if (byUser.get(userId).isEmpty()) {
          byUser.remove(userId);
        }
      }
      Message changed = Reactions.counted(stored, emoji, add ? 1 : -1);
      c.messages.put(seq, changed);
      return new Reacted(add ? Reacted.Outcome.ADDED : Reacted.Outcome.REMOVED, changed);
    });
  }

  @Override
  public Map<Long, Set<String>> reactionsOf(ConversationId conversation, String userId, Collection<Long> seqs) {
    return read(() -> {
      Conversation c = conversations.get(conversation.value());
      Map<Long, Set<String>> out = new HashMap<>();
      if (c != null) {
        for (long seq : seqs) {
          Set<String> mine = c.reactions.getOrDefault(seq, Map.of()).get(userId);
          if (mine != null && !mine.isEmpty()) {
            out.put(seq, Set.copyOf(mine));
          }
        }
      }
      return out;
    });
  }

  @Override
  public Map<ConversationId, PersonalView> views(String userId, Collection<ConversationId> conversations) {
    return read(() -> {
      Map<ConversationId, View> mine = views.getOrDefault(userId, Map.of());
      Map<ConversationId, PersonalView> out = new HashMap<>();
      for (ConversationId conversation : conversations) {
        View view = mine.get(conversation);
        if (view != null) {
          out.put(conversation, view.snapshot());
        }
      }
      return out;
    });
  }

  @Override
  public List<ConversationId> pinned(String userId) {
    return read(() -> views.getOrDefault(userId, Map.of()).entrySet().stream()
        .filter(e -> e.getValue().settings.getPinned())
        .sorted(Comparator.comparing((Map.Entry<ConversationId, View> e) -> e.getValue().pinnedMillis)
            .reversed().thenComparing(e -> e.getKey().value()))
        .map(Map.Entry::getKey)
        .toList());
  }

  @Override
  public boolean saveSettings(String userId, ConversationId conversation, ConversationSettings wanted, long nowMillis,
      int maxPinned) {
    requireNonNull(wanted, "wanted");
    return write(() -> {
      View view = viewOf(userId, conversation);
      boolean wasPinned = view.settings.getPinned();
      if (wanted.getPinned() && !wasPinned
          && views.get(userId).values().stream().filter(v -> v.settings.getPinned()).count() >= maxPinned) {
        return false;
      }
      if (wanted.getPinned() && !wasPinned) {
        view.pinnedMillis = nowMillis;
      }
      view.settings = wanted;
      return true;
    });
  }

  @Override
  public void clearHistory(String userId, ConversationId conversation, long seq) {
    write(() -> {
      View view = viewOf(userId, conversation);
      view.clearedSeq = Math.max(view.clearedSeq, seq);
      return null;
    });
  }

  @Override
  public List<Long> hide(String userId, ConversationId conversation, Collection<Long> seqs) {
    return write(() -> {
      Conversation c = conversations.get(conversation.value());
      TreeSet<Long> hidden = new TreeSet<>();
      for (long seq : seqs) {
        if (c != null && c.messages.containsKey(seq) && viewOf(userId, conversation).hidden.add(seq)) {
          hidden.add(seq);
        }
      }
      return List.copyOf(hidden);
    });
  }

  @Override
  public Set<Long> hiddenOf(String userId, ConversationId conversation, Collection<Long> seqs) {
    return read(() -> {
      View view = views.getOrDefault(userId, Map.of()).get(conversation);
      Set<Long> out = new HashSet<>();
      if (view != null) {
        for (long seq : seqs) {
          if (view.hidden.contains(seq)) {
            out.add(seq);
          }
        }
      }
      return out;
    });
  }

  @Override
  public boolean advanceReadSeq(ConversationId conversation, String userId, long seq) {
    requireNonNull(conversation, "conversation");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
    return write(() -> {
      Map<ConversationId, Long> reads = readSeqs.computeIfAbsent(userId, u -> new HashMap<>());
      if (reads.getOrDefault(conversation, 0L) >= seq) {
        return false;
      }
      reads.put(conversation, seq);
      return true;
    });
  }

  @Override
  public Map<ConversationId, Long> readSeqs(String userId, Collection<ConversationId> conversations) {
    return read(() -> {
      Map<ConversationId, Long> reads = readSeqs.getOrDefault(userId, Map.of());
      Map<ConversationId, Long> out = new HashMap<>();
      for (ConversationId conversation : conversations) {
        Long seq = reads.get(conversation);
        if (seq != null) {
          out.put(conversation, seq);
        }
      }
      return out;
    });
  }

  @Override
  public Map<ConversationId, ConversationState> states(Map<ConversationId, Long> visibleFromMillis) {
    return read(() -> {
      Map<ConversationId, ConversationState> out = new LinkedHashMap<>();
      visibleFromMillis.forEach((id, from) -> {
        Conversation c = conversations.get(id.value());
        if (c == null || c.lastSeq == 0) {
          out.put(id, ConversationState.EMPTY);
          return;
        }
        Message last = c.messages.get(c.lastSeq);
        out.put(id, new ConversationState(c.lastSeq, c.lastTimeMillis, c.firstSeqAtOrAfter(from),
            last != null && millis(last) >= from ? last : null));
      });
      return out;
    });
  }

  @Override
  public Map<ConversationId, Long> ownMessagesAfter(String userId, Map<ConversationId, Long> afterSeqs) {
    requireNonNull(userId, "userId");
    return read(() -> {
      Map<ConversationId, Long> out = new HashMap<>();
      afterSeqs.forEach((id, after) -> {
        Conversation c = conversations.get(id.value());
        TreeSet<Long> own = c == null ? null : c.bySender.get(userId);
        out.put(id, own == null ? 0L : own.tailSet(after, false).size());
      });
      return out;
    });
  }

  @Override
  public List<ConversationRef> latest(String userId, long privateVisibleFromMillis,
      Map<ConversationId, Long> groupVisibleFromMillis, ConversationRef after, int limit) {
    requireNonNull(userId, "userId");
    checkLimit(limit);
    return read(() -> {
      Map<ConversationId, Long> visibleFrom = new HashMap<>(groupVisibleFromMillis);
      privateConversations.getOrDefault(userId, Set.of()).forEach(id -> visibleFrom.put(id, privateVisibleFromMillis));
      List<ConversationRef> refs = new ArrayList<>();
      visibleFrom.forEach((id, from) -> {
        Conversation c = conversations.get(id.value());
        if (c != null && c.lastSeq > 0 && c.lastTimeMillis >= from) {
          ConversationRef ref = new ConversationRef(id, c.lastTimeMillis);
          if (after == null || ref.isAfter(after)) {
            refs.add(ref);
          }
        }
      });
      refs.sort(ConversationRef.NEWEST_FIRST);
      return List.copyOf(refs.subList(0, Math.min(limit, refs.size())));
    });
  }

  @Override
  public List<ConversationId> conversationsAfter(ConversationId after, int limit) {
    checkLimit(limit);
    return read(() -> {
      List<ConversationId> out = new ArrayList<>(limit);
      for (Conversation c : (after == null ? conversations : conversations.tailMap(after.value(), false)).values()) {
        if (out.size() == limit) {
          break;
        }
        out.add(c.id);
      }
      return out;
    });
  }

  @Override
  public int deleteOlderThan(long cutoffMillis, Collection<ConversationId> ids, int maxMessages) {
    checkLimit(maxMessages);
    return write(() -> {
      int deleted = 0;
      for (ConversationId id : ids) {
        Conversation c = conversations.get(id.value());
        while (c != null && deleted < maxMessages && !c.messages.isEmpty()
            && millis(c.messages.firstEntry().getValue()) < cutoffMillis) {
          c.remove(c.messages.firstEntry().getValue());
          deleted++;
        }
      }
      return deleted;
    });
  }

  private <T> T read(Supplier<T> work) {
    Lock read = lock.readLock();
    read.lock();
    try {
      return work.get();
    } finally {
      read.unlock();
    }
  }

  private <T> T write(Supplier<T> work) {
    Lock write = lock.writeLock();
    write.lock();
    try {
      return work.get();
    } finally {
      write.unlock();
    }
  }

  private static Appended repeat(Message stored) {
    return new Appended(stored.getMessageId(), stored.getSeq(), millis(stored), true);
  }

  private static long millis(Message message) {
    return Timestamps.toMillis(message.getServerTime());
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
  }
}
