package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.Recall;
import io.parley.message.v1.TextContent;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MessageStore} keeps, run against each implementation. Each test uses
 * fresh conversation and user ids, so stores may share a server across tests.
 */
abstract class MessageStoreContract {
  static final Retention DEFAULT_RETENTION = new Retention(Duration.ofDays(30), 10_000, Duration.ofHours(24));

  final MutableClock clock = MutableClock.startingNow();
  private final List<MessageStore> opened = new ArrayList<>();

  /** A new store on the implementation under test, with {@code clock} and {@code retention}. */
  abstract MessageStore newStore(MutableClock clock, Retention retention);

  MessageStore store(Retention retention) {
    MessageStore store = newStore(clock, retention);
    opened.add(store);
    try {
      assertThat(store.awaitListening(Duration.ofSeconds(10))).as("store events are live").isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return store;
  }

  MessageStore store() {
    return store(DEFAULT_RETENTION);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(MessageStore::close);
  }

  static String newUser() {
    return Ids.newId("u");
  }

  static ConversationId newPrivate(String a, String b) {
    return ConversationId.ofUsers(a, b);
  }

  static ConversationId newGroup() {
    return ConversationId.ofGroup(Ids.newId("g"));
  }

  Draft draft(ConversationId conversation, String sender, String clientMsgId, String text) {
    Message message = Message.newBuilder()
        .setMessageId(Ids.newId("m"))
        .setConversationId(conversation.value())
        .setSenderId(sender)
        .setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text)))
        .build();
    return new Draft(conversation, message, "session-of-" + sender, clock.millis());
  }

  static Appended append(MessageStore store, Draft draft) {
    return store.append(draft).join();
  }

  List<Appended> appendTexts(MessageStore store, ConversationId conversation, String sender, int count) {
    List<Appended> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(append(store, draft(conversation, sender, "c" + i + "-" + Ids.newId("x"), "text " + i)));
    }
    return out;
  }

  static List<Long> seqs(MessageSlice slice) {
    return slice.messages().stream().map(Message::getSeq).toList();
  }

  /** Collects what a listener hears. */
  static final class Heard implements StoreListener {
    final BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void event(StoreEvent event) {
      events.add(event);
    }

    StoreEvent next() throws InterruptedException {
      StoreEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("an event within 10 s").isNotNull();
      return event;
    }

    /** The events heard for {@code conversation} until {@code count} of them arrived. */
    List<StoreEvent> next(ConversationId conversation, int count) throws InterruptedException {
      List<StoreEvent> out = new ArrayList<>();
      while (out.size() < count) {
        StoreEvent event = next();
        if (event.conversation().equals(conversation)) {
          out.add(event);
        }
      }
      return out;
    }
  }

  // --- append and seq ---------------------------------------------------------------------------

  @Test
  void appendAssignsGaplessSeqsFromOnePerConversation() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId first = newPrivate(a, b);
    ConversationId second = newGroup();

    assertThat(appendTexts(store, first, a, 3)).extracting(Appended::seq).containsExactly(1L, 2L, 3L);
    assertThat(appendTexts(store, second, b, 2)).extracting(Appended::seq).containsExactly(1L, 2L);
    assertThat(append(store, draft(first, b, "x", "again")).seq()).isEqualTo(4);
  }

  @Test
  void storedMessageCarriesItsSeqServerTimeAndContent() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    Draft draft = draft(conversation, a, "c1", "héllo wörld");
    Appended appended = append(store, draft);

    Message stored = store.find(conversation, 1).orElseThrow();
    assertThat(stored).isEqualTo(draft.message().toBuilder()
        .setSeq(1)
        .setServerTime(Timestamps.fromMillis(appended.serverTimeMillis()))
        .build());
    assertThat(appended.serverTimeMillis()).isEqualTo(clock.millis());
    assertThat(appended.messageId()).isEqualTo(draft.message().getMessageId());
    assertThat(appended.duplicate()).isFalse();
  }

  @Test
  void serverTimesNeverDecreaseWhenTheClockGoesBack() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newGroup();
    long first = append(store, draft(conversation, a, "1", "one")).serverTimeMillis();
    clock.advance(Duration.ofSeconds(-30));
    long second = append(store, draft(conversation, a, "2", "two")).serverTimeMillis();
    assertThat(second).isEqualTo(first);
    assertThat(store.find(conversation, 2).orElseThrow().getServerTime()).isEqualTo(Timestamps.fromMillis(first));
  }

  @Test
  void repeatedClientMsgIdReturnsTheFirstMessageAndStoresNothing() throws Exception {
    MessageStore store = store();
    Heard heard = new Heard();
    store.addListener(heard);
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    Appended first = append(store, draft(conversation, a, "same", "hello"));
    clock.advance(Duration.ofSeconds(5));

    Appended retry = append(store, draft(conversation, a, "same", "hello (retried)"));

    assertThat(retry).isEqualTo(new Appended(first.messageId(), 1, first.serverTimeMillis(), true));
    assertThat(store.readAfter(conversation, 0, 10, 1).lastSeq()).isEqualTo(1);
    assertThat(store.findSend(conversation, a, "same")).contains(retry);
    // The same client_msg_id from the other participant is another message.
    assertThat(append(store, draft(conversation, b, "same", "mine")).seq()).isEqualTo(2);
    List<StoreEvent> events = heard.next(conversation, 2);
    assertThat(events).extracting(e -> e.event().getMessage().getSeq()).containsExactly(1L, 2L);
  }

  @Test
  void clientMsgIdIsForgottenAfterTheIdempotencyWindow() throws Exception {
    MessageStore store = store(new Retention(Duration.ofDays(30), 10_000, Duration.ofMillis(100)));
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "same", "hello"));
    assertThat(store.findSend(conversation, a, "same")).isPresent();
    // The memory store goes by the injected clock, Redis by its own: let both pass the window.
    clock.advance(Duration.ofSeconds(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (store.findSend(conversation, a, "same").isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(store.findSend(conversation, a, "same")).isEmpty();
    assertThat(append(store, draft(conversation, a, "same", "hello")).seq()).isEqualTo(2);
  }

  @Test
  void concurrentAppendsStayGaplessAndUnique() throws Exception {
    MessageStore store = store();
    ConversationId conversation = newGroup();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Appended>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String sender = newUser();
        results.add(pool.submit(() -> {
          List<CompletableFuture<Appended>> futures = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            futures.add(store.append(draft(conversation, sender, "c" + i, "m" + i)));
          }
          return futures.stream().map(CompletableFuture::join).toList();
        }));
      }
      Set<Long> seqs = new HashSet<>();
      for (Future<List<Appended>> result : results) {
        result.get(30, TimeUnit.SECONDS).forEach(a -> seqs.add(a.seq()));
      }
      assertThat(seqs).hasSize(400).allMatch(s -> s >= 1 && s <= 400);
      MessageSlice all = store.readAfter(conversation, 0, 400, 1);
      assertThat(seqs(all)).hasSize(400).isSorted();
      assertThat(all.lastSeq()).isEqualTo(400);
    } finally {
      pool.shutdownNow();
    }
  }

  // --- reading ----------------------------------------------------------------------------------

  @Test
  void readsPageForwardAndBackward() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    appendTexts(store, conversation, a, 7);

    MessageSlice first = store.readAfter(conversation, 0, 3, 1);
    assertThat(seqs(first)).containsExactly(1L, 2L, 3L);
    assertThat(first.hasMore()).isTrue();
    assertThat(first.lastSeq()).isEqualTo(7);
    MessageSlice rest = store.readAfter(conversation, 3, 10, 1);
    assertThat(seqs(rest)).containsExactly(4L, 5L, 6L, 7L);
    assertThat(rest.hasMore()).isFalse();
    assertThat(seqs(store.readAfter(conversation, 7, 10, 1))).isEmpty();

    MessageSlice back = store.readBefore(conversation, 6, 3, 1);
    assertThat(seqs(back)).containsExactly(5L, 4L, 3L);
    assertThat(back.hasMore()).isTrue();
    MessageSlice oldest = store.readBefore(conversation, 3, 10, 1);
    assertThat(seqs(oldest)).containsExactly(2L, 1L);
    assertThat(oldest.hasMore()).isFalse();
    assertThat(seqs(store.readBefore(conversation, 100, 2, 1))).containsExactly(7L, 6L);
  }

  @Test
  void readsOfAnUnknownConversationAreEmpty() {
    MessageStore store = store();
    ConversationId nothing = newGroup();
    MessageSlice slice = store.readAfter(nothing, 0, 10, 1);
    assertThat(slice.messages()).isEmpty();
    assertThat(slice.hasMore()).isFalse();
    assertThat(slice.lastSeq()).isZero();
    assertThat(store.find(nothing, 1)).isEmpty();
    assertThat(store.firstSeqAtOrAfter(nothing, clock.millis())).isEqualTo(1);
  }

  @Test
  void readsNeverGoBelowTheFloor() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newGroup();
    appendTexts(store, conversation, a, 6);

    assertThat(seqs(store.readAfter(conversation, 0, 10, 4))).containsExactly(4L, 5L, 6L);
    MessageSlice back = store.readBefore(conversation, 7, 10, 4);
    assertThat(seqs(back)).containsExactly(6L, 5L, 4L);
    assertThat(back.hasMore()).isFalse();
    assertThat(seqs(store.readBefore(conversation, 4, 10, 4))).isEmpty();
  }

  @Test
  void firstSeqAtOrAfterMapsATimeToTheFirstMessageSentThen() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newGroup();
    long t0 = clock.millis();
    append(store, draft(conversation, a, "1", "one"));
    clock.advance(Duration.ofSeconds(10));
    append(store, draft(conversation, a, "2", "two"));
    append(store, draft(conversation, a, "3", "three"));
    clock.advance(Duration.ofSeconds(10));
    append(store, draft(conversation, a, "4", "four"));

    assertThat(store.firstSeqAtOrAfter(conversation, t0 - 1)).isEqualTo(1);
    assertThat(store.firstSeqAtOrAfter(conversation, t0)).isEqualTo(1);
    assertThat(store.firstSeqAtOrAfter(conversation, t0 + 1)).isEqualTo(2);
    assertThat(store.firstSeqAtOrAfter(conversation, t0 + 10_000)).isEqualTo(2);
    assertThat(store.firstSeqAtOrAfter(conversation, t0 + 10_001)).isEqualTo(4);
    assertThat(store.firstSeqAtOrAfter(conversation, t0 + 30_000)).isEqualTo(5);
  }

  // --- retention --------------------------------------------------------------------------------

  @Test
  void retentionByCountKeepsTheNewestMessages() {
    MessageStore store = store(new Retention(Duration.ofDays(30), 5, Duration.ofHours(1)));
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    appendTexts(store, conversation, a, 8);

    MessageSlice slice = store.readAfter(conversation, 0, 50, 1);
    assertThat(seqs(slice)).containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(slice.lastSeq()).isEqualTo(8);
    assertThat(seqs(store.readBefore(conversation, 6, 50, 1))).containsExactly(5L, 4L);
    assertThat(store.find(conversation, 3)).isEmpty();
  }

  @Test
  void retentionByAgeHidesOldMessagesAndSeqsContinue() {
    MessageStore store = store(new Retention(Duration.ofHours(1), 10_000, Duration.ofMinutes(30)));
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 2);
    clock.advance(Duration.ofMinutes(59));
    append(store, draft(conversation, a, "late", "three"));
    clock.advance(Duration.ofMinutes(2));

    assertThat(seqs(store.readAfter(conversation, 0, 50, 1))).containsExactly(3L);
    assertThat(store.find(conversation, 1)).isEmpty();
    assertThat(store.summaries(b, List.of(new SummaryQuery(conversation, 1))).get(0).unreadCount()).isEqualTo(1);

    clock.advance(Duration.ofHours(2));
    assertThat(store.readAfter(conversation, 0, 50, 1).messages()).isEmpty();
    assertThat(store.summaries(b, List.of(new SummaryQuery(conversation, 1))).get(0).hasVisibleMessages()).isFalse();
    assertThat(append(store, draft(conversation, b, "new", "four")).seq()).isEqualTo(4);
    assertThat(seqs(store.readAfter(conversation, 0, 50, 1))).containsExactly(4L);
  }

  // --- read state -------------------------------------------------------------------------------

  @Test
  void markReadNeverMovesBackwardsAndIsClampedToTheLastSeq() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 5);

    assertThat(store.markRead(conversation, b, 3, 1)).isEqualTo(new ReadState(3, 5, 2, true));
    assertThat(store.markRead(conversation, b, 2, 1)).isEqualTo(new ReadState(3, 5, 2, false));
    assertThat(store.markRead(conversation, b, 99, 1)).isEqualTo(new ReadState(5, 5, 0, true));
    assertThat(store.markRead(conversation, b, 99, 1)).isEqualTo(new ReadState(5, 5, 0, false));
  }

  @Test
  void ownMessagesNeverCountAsUnread() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 2);          // 1, 2 by a
    appendTexts(store, conversation, b, 1);          // 3 by b, who had not read 1 and 2
    appendTexts(store, conversation, a, 1);          // 4 by a, who had not read 3
    appendTexts(store, conversation, b, 2);          // 5, 6 by b

    List<ConversationSummary> forA = store.summaries(a, List.of(new SummaryQuery(conversation, 1)));
    List<ConversationSummary> forB = store.summaries(b, List.of(new SummaryQuery(conversation, 1)));
    assertThat(forA.get(0).unreadCount()).isEqualTo(3);   // 3, 5, 6
    assertThat(forA.get(0).readSeq()).isEqualTo(2);       // a had read everything before 1 and 2
    assertThat(forB.get(0).unreadCount()).isEqualTo(3);   // 1, 2, 4
    assertThat(forB.get(0).readSeq()).isZero();

    assertThat(store.markRead(conversation, b, 4, 1).unreadCount()).isZero();
    assertThat(store.markRead(conversation, a, 4, 1).unreadCount()).isEqualTo(2);
  }

  @Test
  void summariesShowTheLastVisibleMessageAndCountFromTheFloor() {
    MessageStore store = store();
    String a = newUser();
    String late = newUser();
    ConversationId group = newGroup();
    appendTexts(store, group, a, 4);
    ConversationId empty = newGroup();

    List<ConversationSummary> summaries = store.summaries(late,
        List.of(new SummaryQuery(group, 3), new SummaryQuery(group, 5), new SummaryQuery(empty, 1)));

    ConversationSummary joinedAt3 = summaries.get(0);
    assertThat(joinedAt3.lastSeq()).isEqualTo(4);
    assertThat(joinedAt3.readSeq()).isEqualTo(2);
    assertThat(joinedAt3.unreadCount()).isEqualTo(2);
    assertThat(joinedAt3.lastMessage().getSeq()).isEqualTo(4);
    assertThat(joinedAt3.updateTimeMillis()).isEqualTo(clock.millis());
    ConversationSummary joinedAfter = summaries.get(1);
    assertThat(joinedAfter.hasVisibleMessages()).isFalse();
    assertThat(joinedAfter.unreadCount()).isZero();
    assertThat(summaries.get(2)).isEqualTo(new ConversationSummary(empty, 0, 0, 0, 0, null));
    assertThat(store.markRead(group, late, 1, 3)).isEqualTo(new ReadState(2, 4, 2, true));
  }

  // --- recall -----------------------------------------------------------------------------------

  @Test
  void replaceSwapsInATombstoneOnlyIfTheMessageIsUnchanged() throws Exception {
    MessageStore store = store();
    Heard heard = new Heard();
    store.addListener(heard);
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "oops"));
    Message original = store.find(conversation, 1).orElseThrow();
    Message tombstone = original.toBuilder().clearContent().setRecalled(true).setRecalledBy(a).build();
    Event recall = Event.newBuilder().setRecall(Recall.newBuilder()
        .setConversationId(conversation.value()).setSeq(1).setMessageId(original.getMessageId()).setRecalledBy(a)).build();

    assertThat(store.replace(conversation, original, tombstone, new StoreEvent("s1", "", recall))).isTrue();
    assertThat(store.find(conversation, 1)).contains(tombstone);
    assertThat(store.readAfter(conversation, 0, 10, 1).messages()).containsExactly(tombstone);
    assertThat(store.replace(conversation, original, tombstone, new StoreEvent("s1", "", recall))).isFalse();
    assertThat(store.replace(conversation, original.toBuilder().setSeq(2).build(), tombstone,
        new StoreEvent("s1", "", recall))).isFalse();

    List<StoreEvent> events = heard.next(conversation, 2);
    assertThat(events.get(0).event().hasMessage()).isTrue();
    assertThat(events.get(1)).isEqualTo(new StoreEvent("s1", "", recall));
  }

  // --- events -----------------------------------------------------------------------------------

  @Test
  void listenersHearNewMessagesInSeqOrderWithTheirOrigin() throws Exception {
    MessageStore store = store();
    Heard heard = new Heard();
    store.addListener(heard);
    String a = newUser();
    ConversationId conversation = newGroup();
    List<Appended> appended = appendTexts(store, conversation, a, 20);

    List<StoreEvent> events = heard.next(conversation, 20);
    assertThat(events).extracting(e -> e.event().getMessage().getSeq())
        .containsExactlyElementsOf(appended.stream().map(Appended::seq).toList());
    StoreEvent first = events.get(0);
    assertThat(first.originSessionId()).isEqualTo("session-of-" + a);
    assertThat(first.audienceUserId()).isEmpty();
    assertThat(first.event().getMessage()).isEqualTo(store.find(conversation, 1).orElseThrow());
    assertThat(first.event().getTime()).isEqualTo(first.event().getMessage().getServerTime());
  }

  @Test
  void publishedEventsReachListeners() throws Exception {
    MessageStore store = store();
    Heard heard = new Heard();
    store.addListener(heard);
    ConversationId conversation = newPrivate(newUser(), newUser());
    StoreEvent receipt = new StoreEvent("s9", conversation.firstUser(), Event.newBuilder()
        .setReadReceipt(io.parley.message.v1.ReadReceipt.newBuilder()
            .setConversationId(conversation.value()).setUserId(conversation.secondUser()).setReadSeq(3))
        .build());
    store.publish(receipt);
    assertThat(heard.next(conversation, 1)).containsExactly(receipt);
  }

  /**
   * Closes stores while their live events are still flowing, then uses the client they shared. A
   * Redis regression: a closed event subscription handed its still-subscribed connection back to
   * the client's pool, and later commands read pub/sub pushes as their replies.
   */
  void closingStoresWhileEventsFlowLeavesTheirDataClientHealthy() throws Exception {
    for (int round = 0; round < 20; round++) {
      MessageStore busy = newStore(clock, DEFAULT_RETENTION);
      assertThat(busy.awaitListening(Duration.ofSeconds(10))).isTrue();
      ConversationId conversation = newGroup();
      List<CompletableFuture<Appended>> appends = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        appends.add(busy.append(draft(conversation, newUser(), "c" + i, "m" + i)));
      }
      appends.forEach(CompletableFuture::join);
      busy.close();
    }
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    assertThat(appendTexts(store, conversation, a, 50)).extracting(Appended::seq)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
    assertThat(seqs(store.readAfter(conversation, 0, 100, 1))).hasSize(50);
    assertThat(store.summaries(a, List.of(new SummaryQuery(conversation, 1))).get(0).lastSeq()).isEqualTo(50);
  }

  // --- conversation lists -----------------------------------------------------------------------

  @Test
  void privateConversationsAreListedByLastActivityAndPaged() {
    MessageStore store = store();
    String me = newUser();
    List<ConversationId> conversations = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String peer = newUser();
      ConversationId conversation = newPrivate(me, peer);
      conversations.add(conversation);
      append(store, draft(conversation, peer, "c", "hi"));
      if (i != 2) {
        clock.advance(Duration.ofSeconds(1));  // 2 and 3 share a time: the tie goes by id
      }
    }
    clock.advance(Duration.ofSeconds(1));
    append(store, draft(conversations.get(0), me, "again", "back to you"));

    List<ConversationRef> all = store.privateConversations(me, null, 10);
    assertThat(all).isSortedAccordingTo(ConversationRef.NEWEST_FIRST).hasSize(5);
    assertThat(all.get(0).conversation()).isEqualTo(conversations.get(0));
    assertThat(all.get(0).activityMillis()).isEqualTo(clock.millis());

    for (int pageSize = 1; pageSize <= 3; pageSize++) {
      List<ConversationRef> paged = new ArrayList<>();
      ConversationRef cursor = null;
      for (int page = 0; page < 6; page++) {
        List<ConversationRef> next = store.privateConversations(me, cursor, pageSize);
        if (next.isEmpty()) {
          break;
        }
        paged.addAll(next);
        cursor = next.get(next.size() - 1);
      }
      assertThat(paged).as("pages of %s", pageSize).containsExactlyElementsOf(all);
    }
    assertThat(store.privateConversations(newUser(), null, 10)).isEmpty();
  }

  @Test
  void groupListsRecordAndForgetGroups() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    store.addGroupMembers("g1", List.of(a, b));
    store.addGroupMembers("g2", List.of(a));
    store.addGroupMembers("g2", List.of(a));
    store.removeGroup(a, "g1");
    store.removeGroup(a, "nothing");

    assertThat(store.groupIds(a)).containsExactly("g2");
    assertThat(store.groupIds(b)).containsExactly("g1");
    assertThat(store.groupIds(newUser())).isEmpty();
  }
}
