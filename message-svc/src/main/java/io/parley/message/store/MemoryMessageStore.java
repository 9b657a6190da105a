package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageStore} in this process, for the embedded default: lost on exit.
 *
 * <p>Each conversation is guarded by its own lock; listeners are called inside it, so they hear a
 * conversation's events in order, on the writer's thread, and must return at once. Retention is
 * applied on append (by count and age) and on read (by age). Always listening. Thread-safe.
 */
public final class MemoryMessageStore implements MessageStore {
  private static final Logger logger = LoggerFactory.getLogger(MemoryMessageStore.class);

  private final Clock clock;
  private final Retention retention;
  private final Map<ConversationId, Conversation> conversations = new ConcurrentHashMap<>();
  private final Map<String, UserIndex> users = new ConcurrentHashMap<>();
  private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();

  public MemoryMessageStore(Clock clock, Retention retention) {
    this.clock = requireNonNull(clock, "clock");
    this.retention = requireNonNull(retention, "retention");
  }

  @Override
  public CompletableFuture<Appended> append(Draft draft) {
    requireNonNull(draft, "draft");
    ConversationId id = draft.conversation();
    Appended appended = conversation(id).append(draft);
    if (!id.isGroup()) {
      user(id.firstUser()).touch(id, appended.serverTimeMillis());
      user(id.secondUser()).touch(id, appended.serverTimeMillis());
    }
    return CompletableFuture.completedFuture(appended);
  }

  @Override
  public Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId) {
    Conversation c = conversations.get(conversation);
    return c == null ? Optional.empty() : c.findSend(senderId, clientMsgId);
  }

  @Override
  public MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long floorSeq) {
    checkLimit(limit);
    Conversation c = conversations.get(conversation);
    return c == null ? new MessageSlice(List.of(), false, 0) : c.readAfter(afterSeq, limit, floorSeq);
  }

  @Override
  public MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long floorSeq) {
    checkLimit(limit);
    Conversation c = conversations.get(conversation);
    return c == null ? new MessageSlice(List.of(), false, 0) : c.readBefore(beforeSeq, limit, floorSeq);
  }

  @Override
  public Optional<Message> find(ConversationId conversation, long seq) {
    Conversation c = conversations.get(conversation);
    return c == null ? Optional.empty() : c.find(seq);
  }

  @Override
  public boolean replace(ConversationId conversation, Message expected, Message tombstone, StoreEvent recall) {
    Conversation c = conversations.get(conversation);
    return c != null && c.replace(expected, tombstone, recall);
  }

  @Override
  public ReadState markRead(ConversationId conversation, String userId, long seq, long floorSeq) {
    return conversation(conversation).markRead(userId, seq, floorSeq);
  }

  @Override
  public List<ConversationSummary> summaries(String userId, List<SummaryQuery> queries) {
    requireNonNull(userId, "userId");
    List<ConversationSummary> summaries = new ArrayList<>(queries.size());
    for (SummaryQuery query : queries) {
      Conversation c = conversations.get(query.conversation());
      summaries.add(c == null
          ? new ConversationSummary(query.conversation(), 0, 0, 0, 0, null)
          : c.summary(userId, query.floorSeq()));
    }
    return summaries;
  }

  @Override
  public long firstSeqAtOrAfter(ConversationId conversation, long timeMillis) {
    Conversation c = conversations.get(conversation);
    if (c == null) {
      return 1;
    }
    synchronized (c) {
      return c.firstAtOrAfter(timeMillis);
    }
  }

  @Override
  public List<ConversationRef> privateConversations(String userId, ConversationRef after, int limit) {
    checkLimit(limit);
    UserIndex index = users.get(userId);
    return index == null ? List.of() : index.page(after, limit);
  }

  @Override
  public Set<String> groupIds(String userId) {
    UserIndex index = users.get(userId);
    return index == null ? Set.of() : index.groups();
  }

  @Override
  public void addGroupMembers(String groupId, Collection<String> userIds) {
    requireNonNull(groupId, "groupId");
    userIds.forEach(userId -> user(userId).addGroup(groupId));
  }

  @Override
  public void removeGroup(String userId, String groupId) {
    UserIndex index = users.get(userId);
    if (index != null) {
      index.removeGroup(groupId);
    }
  }

  @Override
  public void publish(StoreEvent event) {
    // Under the conversation's lock, like appends and recalls, so that a conversation's events
    // reach listeners in the order they happened.
    Conversation c = conversation(event.conversation());
    synchronized (c) {
      notifyListeners(event);
    }
  }

  @Override
  public void addListener(StoreListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public boolean isListening() {
    return true;
  }

  @Override
  public boolean awaitListening(Duration timeout) {
    return true;
  }

  @Override
  public void close() {
    listeners.clear();
  }

  private Conversation conversation(ConversationId id) {
    return conversations.computeIfAbsent(id, Conversation::new);
  }

  private UserIndex user(String userId) {
    return users.computeIfAbsent(userId, u -> new UserIndex());
  }

  private void notifyListeners(StoreEvent event) {
    for (StoreListener listener : listeners) {
      try {
        listener.event(event);
      } catch (RuntimeException e) {
        logger.error("message event listener failed", e);
      }
    }
  }

  private long cutoff() {
    return clock.millis() - retention.maxAge().toMillis();
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
  }

  private static long millis(Timestamp timestamp) {
    return Timestamps.toMillis(timestamp);
  }

  private record Sent(Appended appended, long expiresAtMillis) {}

  /** One conversation; every method holds its lock. */
  private final class Conversation {
    private final ConversationId id;
    private final TreeMap<Long, Message> messages = new TreeMap<>();
    private final Map<String, Long> reads = new HashMap<>();
    private final Map<String, TreeSet<Long>> own = new HashMap<>();
    private final LinkedHashMap<String, Sent> sent = new LinkedHashMap<>();
    private long last;
    private long lastTime;
    private long first = 1;

    Conversation(ConversationId id) {
      this.id = id;
    }

    synchronized Appended append(Draft draft) {
      long now = draft.nowMillis();
      forgetExpiredSends(now);
      String sentKey = draft.senderId() + "\n" + draft.clientMsgId();
      Sent earlier = sent.get(sentKey);
      if (earlier != null) {
        Appended a = earlier.appended();
        return new Appended(a.messageId(), a.seq(), a.serverTimeMillis(), true);
      }
      if (messages.isEmpty()) {
        first = last + 1;
      }
      long seq = last + 1;
      long time = Math.max(now, lastTime);
      Timestamp serverTime = Timestamps.fromMillis(time);
      Message message = draft.message().toBuilder().setSeq(seq).setServerTime(serverTime).build();
      messages.put(seq, message);
      last = seq;
      lastTime = time;
      Appended appended = new Appended(message.getMessageId(), seq, time, false);
      sent.put(sentKey, new Sent(appended, now + retention.idempotencyWindow().toMillis()));
      String sender = draft.senderId();
      if (reads.getOrDefault(sender, 0L) == seq - 1) {
        reads.put(sender, seq);
      } else {
        own.computeIfAbsent(sender, s -> new TreeSet<>()).add(seq);
      }
      trim(time);
      notifyListeners(new StoreEvent(draft.originSessionId(), "",
          Event.newBuilder().setTime(serverTime).setMessage(message).build()));
      return appended;
    }

    private void forgetExpiredSends(long now) {
      Iterator<Sent> it = sent.values().iterator();
      while (it.hasNext() && it.next().expiresAtMillis() <= now) {
        it.remove();
      }
    }

    private void trim(long now) {
      while (last - first + 1 > retention.maxCount()) {
        messages.remove(first++);
      }
      long cutoff = now - retention.maxAge().toMillis();
      while (!messages.isEmpty() && millis(messages.firstEntry().getValue().getServerTime()) < cutoff) {
        first = messages.pollFirstEntry().getKey() + 1;
      }
      own.values().forEach(seqs -> seqs.headSet(first).clear());
    }

    synchronized Optional<Appended> findSend(String senderId, String clientMsgId) {
      Sent earlier = sent.get(senderId + "\n" + clientMsgId);
      if (earlier == null || earlier.expiresAtMillis() <= clock.millis()) {
        return Optional.empty();
      }
      Appended a = earlier.appended();
      return Optional.of(new Appended(a.messageId(), a.seq(), a.serverTimeMillis(), true));
    }

    /** The first seq the reader may see: floor, oldest retained, not expired. */
    private long lowest(long floorSeq) {
      return Math.max(Math.max(first, floorSeq), firstAtOrAfter(cutoff()));
    }

    /** Binary search over the retained messages, whose times never decrease. */
    long firstAtOrAfter(long timeMillis) {
      if (messages.isEmpty()) {
        return last + 1;
      }
      long lo = messages.firstKey();
      long hi = last + 1;
      while (lo < hi) {
        long mid = (lo + hi) >>> 1;
        if (millis(messages.get(mid).getServerTime()) >= timeMillis) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }

    synchronized MessageSlice readAfter(long afterSeq, int limit, long floorSeq) {
      long from = Math.max(afterSeq + 1, lowest(floorSeq));
      long to = Math.min(from + limit - 1, last);
      List<Message> out = new ArrayList<>();
      for (long s = from; s <= to; s++) {
        Message m = messages.get(s);
        if (m != null) {
          out.add(m);
        }
      }
      return new MessageSlice(out, to < last, last);
    }

    synchronized MessageSlice readBefore(long beforeSeq, int limit, long floorSeq) {
      long lowest = lowest(floorSeq);
      long to = Math.min(beforeSeq - 1, last);
      long from = Math.max(to - limit + 1, lowest);
      List<Message> out = new ArrayList<>();
      for (long s = to; s >= from; s--) {
        Message m = messages.get(s);
        if (m != null) {
          out.add(m);
        }
      }
      return new MessageSlice(out, from <= to && from > lowest, last);
    }

    synchronized Optional<Message> find(long seq) {
      Message m = messages.get(seq);
      return m == null || millis(m.getServerTime()) < cutoff() ? Optional.empty() : Optional.of(m);
    }

    synchronized boolean replace(Message expected, Message tombstone, StoreEvent recall) {
      if (!expected.equals(messages.get(expected.getSeq()))) {
        return false;
      }
      messages.put(expected.getSeq(), tombstone);
      notifyListeners(recall);
      return true;
    }

    synchronized ReadState markRead(String userId, long seq, long floorSeq) {
      long stored = reads.getOrDefault(userId, 0L);
      long target = Math.min(seq, last);
      boolean advanced = target > stored;
      if (advanced) {
        stored = target;
        reads.put(userId, stored);
        TreeSet<Long> mine = own.get(userId);
        if (mine != null) {
          mine.headSet(stored, true).clear();
        }
      }
      long read = effectiveRead(stored, floorSeq);
      return new ReadState(read, last, unread(userId, read), advanced);
    }

    synchronized ConversationSummary summary(String userId, long floorSeq) {
      long lowest = lowest(floorSeq);
      long read = effectiveRead(reads.getOrDefault(userId, 0L), floorSeq);
      Message lastMessage = last >= lowest && last > 0 ? messages.get(last) : null;
      return new ConversationSummary(id, last, lastTime, read, unread(userId, read), lastMessage);
    }

    private long effectiveRead(long stored, long floorSeq) {
      return Math.min(Math.max(stored, lowest(floorSeq) - 1), last);
    }

    private long unread(String userId, long read) {
      TreeSet<Long> mine = own.get(userId);
      long ownAfter = mine == null ? 0 : mine.tailSet(read, false).size();
      return Math.max(last - read - ownAfter, 0);
    }
  }

  /** A user's private conversations by activity, and groups. */
  private static final class UserIndex {
    private final Map<ConversationId, ConversationRef> byId = new HashMap<>();
    private final TreeSet<ConversationRef> ordered = new TreeSet<>(ConversationRef.NEWEST_FIRST);
    private final Set<String> groups = new HashSet<>();

    synchronized void touch(ConversationId id, long activityMillis) {
      ConversationRef current = byId.get(id);
      if (current != null && current.activityMillis() >= activityMillis) {
        return;
      }
      if (current != null) {
        ordered.remove(current);
      }
      ConversationRef updated = new ConversationRef(id, activityMillis);
      byId.put(id, updated);
      ordered.add(updated);
    }

    synchronized List<ConversationRef> page(ConversationRef after, int limit) {
      List<ConversationRef> page = new ArrayList<>(Math.min(limit, ordered.size()));
      for (ConversationRef ref : after == null ? ordered : ordered.tailSet(after, false)) {
        if (page.size() == limit) {
          break;
        }
        page.add(ref);
      }
      return page;
    }

    synchronized Set<String> groups() {
      return Set.copyOf(groups);
    }

    synchronized void addGroup(String groupId) {
      groups.add(groupId);
    }

    synchronized void removeGroup(String groupId) {
      groups.remove(groupId);
    }
  }
}
