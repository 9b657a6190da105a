package io.parley.message;

import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.message.store.Appended;
import io.parley.message.store.ConversationId;
import io.parley.message.store.ConversationRef;
import io.parley.message.store.ConversationState;
import io.parley.message.store.Draft;
import io.parley.message.store.MemoryMessageStore;
import io.parley.message.store.MessageSlice;
import io.parley.message.store.MessageStore;
import io.parley.message.store.PersonalView;
import io.parley.message.store.Reacted;
import io.parley.message.v1.Event;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageVersion;
import io.parley.message.v1.ReadReceipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageAppenderTest {
  private final ScriptedStore store = new ScriptedStore();
  private final List<List<LiveEvent>> published = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private MessageAppender appender;

  @AfterEach
  void close() {
    store.release();
    if (appender != null) {
      appender.close();
    }
  }

  private MessageAppender start(int threads, int maxBatch, int maxQueued) {
    appender = new MessageAppender(store, published::add, threads, maxBatch, maxQueued, new MessageMetrics(meters));
    return appender;
  }

  private static Draft draft(ConversationId conversation, String clientMsgId) {
    String sender = Ids.newId("u");
    Message message = Message.newBuilder()
        .setMessageId(Ids.newId("m"))
        .setConversationId(conversation.value())
        .setSenderId(sender)
        .setClientMsgId(clientMsgId)
        .setContent(text(clientMsgId, "hi").getContent())
        .build();
    return new Draft(conversation, message, "session-" + clientMsgId, System.currentTimeMillis());
  }

  private static ConversationId group() {
    return ConversationId.ofGroup(Ids.newId("g"));
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private List<String> publishedEvents() {
    List<String> out = new ArrayList<>();
    for (List<LiveEvent> frame : published) {
      for (LiveEvent event : frame) {
        out.add(event.event().hasMessage()
            ? event.event().getMessage().getClientMsgId()
            : "read" + event.event().getReadReceipt().getReadSeq());
      }
    }
    return out;
  }

  @Test
  void committedMessagesAreCountedOnceByConversationTypeAndRetriesAndFailuresAreNot() {
    start(1, 256, 1000);
    store.rejectIf(d -> d.clientMsgId().equals("poison"));
    ConversationId group = group();
    ConversationId pair = ConversationId.ofUsers(Ids.newId("u"), Ids.newId("u"));
    Draft first = draft(group, "first");
    appender.append(first).join();
    appender.append(draft(group, "second")).join();
    appender.append(draft(pair, "private")).join();
    assertThat(appender.append(first).join().duplicate()).isTrue();
    failure(appender.append(draft(group, "poison")));

    assertThat(meters.get("parley.messages.sent").tag("conversation", "group").counter().count()).isEqualTo(2);
    assertThat(meters.get("parley.messages.sent").tag("conversation", "private").counter().count()).isEqualTo(1);
  }

  @Test
  void sendsThatArriveWhileABatchCommitsAreCommittedTogether() {
    start(1, 256, 1000);
    ConversationId conversation = group();
    store.block();
    CompletableFuture<Appended> first = appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    List<CompletableFuture<Appended>> rest = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rest.add(appender.append(draft(conversation, "c" + i)));
    }
    store.release();

    assertThat(first.join().seq()).isEqualTo(1);
    assertThat(rest.stream().map(f -> f.join().seq()).toList()).isEqualTo(LongStream.rangeClosed(2, 51).boxed().toList());
    assertThat(store.batchSizes).containsExactly(1, 50);
    await().atMost(Duration.ofSeconds(5)).until(() -> published.size() == 2);
    assertThat(published.get(1)).hasSize(50);
  }

  @Test
  void batchesHoldAtMostMaxBatchDrafts() {
    start(1, 8, 1000);
    ConversationId conversation = group();
    store.block();
    appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    List<CompletableFuture<Appended>> rest = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rest.add(appender.append(draft(conversation, "c" + i)));
    }
    store.release();
    rest.forEach(CompletableFuture::join);
    assertThat(store.batchSizes).containsExactly(1, 8, 8, 4);
  }

  @Test
  void aDraftTheStoreRejectsFailsAloneWhileTheRestOfItsBatchIsStored() {
    start(1, 256, 1000);
    ConversationId conversation = group();
    store.rejectIf(d -> d.clientMsgId().equals("poison"));
    store.block();
    appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    CompletableFuture<Appended> before = appender.append(draft(conversation, "before"));
    CompletableFuture<Appended> poison = appender.append(draft(conversation, "poison"));
    CompletableFuture<Appended> after = appender.append(draft(conversation, "after"));
    store.release();

    assertThat(before.join().seq()).isEqualTo(2);
    assertThat(failure(poison)).isInstanceOf(IllegalStateException.class);
    assertThat(after.join().seq()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> publishedEvents().size() == 3);
    assertThat(publishedEvents()).containsExactly("first", "before", "after");
  }

  @Test
  void anUnavailableStoreFailsTheBatchAndEveryDraftWaitingWithTheSameReason() {
    start(1, 2, 1000);
    ConversationId conversation = group();
    store.block();
    CompletableFuture<Appended> first = appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    store.unavailable = true;
    List<CompletableFuture<Appended>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(appender.append(draft(conversation, "c" + i)));
    }
    store.release();

    assertThat(first.join().seq()).isEqualTo(1);
    for (CompletableFuture<Appended> future : waiting) {
      assertThat(failure(future)).isInstanceOfSatisfying(ParleyException.class,
          e -> assertThat(e.reason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE));
    }
    assertThat(store.batchSizes).as("one failed batch, the rest failed without a try").containsExactly(1, 2);

    store.unavailable = false;
    assertThat(appender.append(draft(conversation, "back")).join().seq()).isEqualTo(2);
  }

  @Test
  void eventsArePublishedAfterTheCommitInQueueOrderWithoutRepeats() {
    start(2, 256, 1000);
    ConversationId conversation = group();
    store.block();
    Draft first = draft(conversation, "first");
    appender.append(first);
    store.awaitBlocked();
    assertThat(published).as("nothing is published before the commit").isEmpty();
    appender.append(draft(conversation, "second"));
    appender.publish(new LiveEvent("", "", Event.newBuilder().setReadReceipt(ReadReceipt.newBuilder()
        .setConversationId(conversation.value()).setReadSeq(1)).build()));
    CompletableFuture<Appended> retry = appender.append(first);
    appender.append(draft(conversation, "third"));
    store.release();

    assertThat(retry.join().duplicate()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> publishedEvents().size() == 4);
    assertThat(publishedEvents()).containsExactly("first", "second", "read1", "third");
    assertThat(published).hasSize(2);
    LiveEvent event = published.get(0).get(0);
    assertThat(event.originSessionId()).isEqualTo("session-first");
    assertThat(event.event().getMessage()).isEqualTo(store.find(conversation, 1).orElseThrow());
    assertThat(event.event().getTime()).isEqualTo(event.event().getMessage().getServerTime());
  }

  @Test
  void eachConversationsEventsArePublishedInSeqOrderWhateverTheWriters() throws Exception {
    start(4, 16, 10_000);
    List<ConversationId> conversations = List.of(group(), group(), group(), group(), group());
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Appended>> sync = Collections.synchronizedList(all);
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          sync.add(appender.append(draft(conversations.get(i % conversations.size()), Ids.newId("c"))));
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    synchronized (sync) {
      all.forEach(CompletableFuture::join);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> published.stream().mapToInt(List::size).sum() == 800);
    Map<String, Long> last = new HashMap<>();
    for (List<LiveEvent> frame : published) {
      for (LiveEvent event : frame) {
        Message message = event.event().getMessage();
        long previous = last.getOrDefault(message.getConversationId(), 0L);
        assertThat(message.getSeq()).isEqualTo(previous + 1);
        last.put(message.getConversationId(), message.getSeq());
      }
    }
  }

  @Test
  void aWriterWithTooManySendsWaitingRefusesMoreWithServerBusy() {
    start(1, 256, 2);
    ConversationId conversation = group();
    store.block();
    appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    CompletableFuture<Appended> a = appender.append(draft(conversation, "a"));
    CompletableFuture<Appended> b = appender.append(draft(conversation, "b"));
    CompletableFuture<Appended> refused = appender.append(draft(conversation, "c"));

    assertThat(failure(refused)).isInstanceOfSatisfying(ParleyException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.SERVER_BUSY));
    store.release();
    assertThat(a.join().seq()).isEqualTo(2);
    assertThat(b.join().seq()).isEqualTo(3);
  }

  @Test
  void closingCommitsTheBatchInFlightAndRefusesNewSends() {
    start(1, 1, 1000);
    ConversationId conversation = group();
    store.block();
    CompletableFuture<Appended> inFlight = appender.append(draft(conversation, "first"));
    store.awaitBlocked();
    CompletableFuture<Appended> waiting = appender.append(draft(conversation, "second"));
    Thread closer = new Thread(appender::close);
    closer.start();
    store.release();
    try {
      closer.join(10_000);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }

    assertThat(inFlight.join().seq()).isEqualTo(1);
    Throwable refused;
    try {
      waiting.join();
      refused = null;
    } catch (CompletionException e) {
      refused = e.getCause();
    }
    if (refused != null) {
      assertThat(refused).isInstanceOfSatisfying(ParleyException.class,
          e -> assertThat(e.reason()).isEqualTo(ErrorReason.SERVER_BUSY));
    }
    assertThat(failure(appender.append(draft(conversation, "late")))).isInstanceOfSatisfying(ParleyException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.SERVER_BUSY));
  }

  /**
   * A memory store whose appends can be held (to let sends queue up), refused for some drafts (a
   * failure of the batch) or made unavailable; it records the size of each batch.
   */
  private static final class ScriptedStore implements MessageStore {
    private final MemoryMessageStore delegate = new MemoryMessageStore();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private volatile Predicate<Draft> rejected = d -> false;
    volatile boolean unavailable;

    void block() {
      gate = new CountDownLatch(1);
    }

    void awaitBlocked() {
      try {
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    void release() {
      gate.countDown();
    }

    void rejectIf(Predicate<Draft> rejected) {
      this.rejected = rejected;
    }

    @Override
    public List<Appended> append(List<Draft> drafts) {
      boolean down = unavailable;
      batchSizes.add(drafts.size());
      blocked.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (down) {
        throw new ParleyException(ErrorReason.STORE_UNAVAILABLE, "down");
      }
      if (drafts.stream().anyMatch(rejected)) {
        throw new IllegalStateException("rejected");
      }
      return delegate.append(drafts);
    }

    @Override
    public Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId) {
      return delegate.findSend(conversation, senderId, clientMsgId);
    }

    @Override
    public MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long visibleFromMillis) {
      return delegate.readAfter(conversation, afterSeq, limit, visibleFromMillis);
    }

    @Override
    public MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long visibleFromMillis) {
      return delegate.readBefore(conversation, beforeSeq, limit, visibleFromMillis);
    }

    @Override
    public Optional<Message> find(ConversationId conversation, long seq) {
      return delegate.find(conversation, seq);
    }

    @Override
    public boolean recall(ConversationId conversation, Message tombstone) {
      return delegate.recall(conversation, tombstone);
    }

    @Override
    public boolean edit(ConversationId conversation, Message edited) {
      return delegate.edit(conversation, edited);
    }

    @Override
    public List<MessageVersion> versions(ConversationId conversation, long seq) {
      return delegate.versions(conversation, seq);
    }

    @Override
    public Reacted react(ConversationId conversation, long seq, String userId, String emoji, boolean add,
        int maxEmojiPerMessage, int maxEmojiPerUser) {
      return delegate.react(conversation, seq, userId, emoji, add, maxEmojiPerMessage, maxEmojiPerUser);
    }

    @Override
    public Map<Long, Set<String>> reactionsOf(ConversationId conversation, String userId, Collection<Long> seqs) {
      return delegate.reactionsOf(conversation, userId, seqs);
    }

    @Override
    public Map<ConversationId, PersonalView> views(String userId, Collection<ConversationId> conversations) {
      return delegate.views(userId, conversations);
    }

    @Override
    public void clearHistory(String userId, ConversationId conversation, long seq) {
      delegate.clearHistory(userId, conversation, seq);
    }

    @Override
    public List<Long> hide(String userId, ConversationId conversation, Collection<Long> seqs) {
      return delegate.hide(userId, conversation, seqs);
    }

    @Override
    public Set<Long> hiddenOf(String userId, ConversationId conversation, Collection<Long> seqs) {
      return delegate.hiddenOf(userId, conversation, seqs);
    }

    @Override
    public List<ConversationId> pinned(String userId) {
      return delegate.pinned(userId);
    }

    @Override
    public boolean saveSettings(String userId, ConversationId conversation, ConversationSettings settings,
        long nowMillis, int maxPinned) {
      return delegate.saveSettings(userId, conversation, settings, nowMillis, maxPinned);
    }

    @Override
    public boolean advanceReadSeq(ConversationId conversation, String userId, long seq) {
      return delegate.advanceReadSeq(conversation, userId, seq);
    }

    @Override
    public Map<ConversationId, Long> readSeqs(String userId, Collection<ConversationId> conversations) {
      return delegate.readSeqs(userId, conversations);
    }

    @Override
    public Map<ConversationId, ConversationState> states(Map<ConversationId, Long> visibleFromMillis) {
      return delegate.states(visibleFromMillis);
    }

    @Override
    public Map<ConversationId, Long> ownMessagesAfter(String userId, Map<ConversationId, Long> afterSeqs) {
      return delegate.ownMessagesAfter(userId, afterSeqs);
    }

    @Override
    public List<ConversationRef> latest(String userId, long privateVisibleFromMillis,
        Map<ConversationId, Long> groupVisibleFromMillis, ConversationRef after, int limit) {
      return delegate.latest(userId, privateVisibleFromMillis, groupVisibleFromMillis, after, limit);
    }

    @Override
    public List<ConversationId> conversationsAfter(ConversationId after, int limit) {
      return delegate.conversationsAfter(after, limit);
    }

    @Override
    public int deleteOlderThan(long cutoffMillis, Collection<ConversationId> conversations, int maxMessages) {
      return delegate.deleteOlderThan(cutoffMillis, conversations, maxMessages);
    }
  }
}
