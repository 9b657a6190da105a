package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageVersion;
import io.parley.message.v1.Reaction;
import io.parley.message.v1.TextContent;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MessageStore} keeps, run against each implementation: persistence only
 * (seqs, idempotency, reads, read seqs, lists, deletion). Each test uses fresh conversation and
 * user ids, so one store may serve every test of a class.
 */
abstract class MessageStoreContract {
  final MutableClock clock = MutableClock.startingNow();

  /** The store under test; the same for every test of a class, or a new one each time. */
  abstract MessageStore store();

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
    return store.append(List.of(draft)).get(0);
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

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

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
  void aBatchIsStoredInOrderAcrossConversations() {
    MessageStore store = store();
    String a = newUser();
    ConversationId one = newGroup();
    ConversationId two = newGroup();
    append(store, draft(two, a, "before", "before"));

    List<Appended> results = store.append(List.of(draft(one, a, "1", "one-1"), draft(two, a, "2", "two-2"),
        draft(one, a, "3", "one-2"), draft(one, a, "4", "one-3")));

    assertThat(results).extracting(Appended::seq).containsExactly(1L, 2L, 2L, 3L);
    assertThat(results).noneMatch(Appended::duplicate);
    assertThat(store.readAfter(one, 0, 10, 0).messages()).extracting(m -> m.getContent().getText().getText())
        .containsExactly("one-1", "one-2", "one-3");
    assertThat(store.append(List.of())).isEmpty();
  }

  @Test
  void storedMessageCarriesItsSeqServerTimeAndContent() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    Draft draft = draft(conversation, a, "c1", "hello");
    Appended appended = append(store, draft);

    Message stored = store.find(conversation, 1).orElseThrow();
    assertThat(stored).isEqualTo(draft.message().toBuilder()
        .setSeq(1).setServerTime(Timestamps.fromMillis(clock.millis())).build());
    assertThat(appended).isEqualTo(new Appended(draft.message().getMessageId(), 1, clock.millis(), false));
    assertThat(store.find(conversation, 2)).isEmpty();
    assertThat(store.find(newGroup(), 1)).isEmpty();
  }

  @Test
  void idsBeyondAsciiReadBackAsSentAndEncodeTheSame() {
    MessageStore store = store();
    String sender = "ü-" + newUser() + "-\u6D88\u606F";
    ConversationId conversation = newGroup();
    Draft draft = draft(conversation, sender, "ключ-\uD83D\uDE00", "héllo");
    append(store, draft);
    Message expected = draft.message().toBuilder()
        .setSeq(1).setServerTime(Timestamps.fromMillis(clock.millis())).build();

    for (Message stored : List.of(store.find(conversation, 1).orElseThrow(),
        store.readAfter(conversation, 0, 10, 0).messages().get(0),
        store.pageBefore(sender, conversation, 2, 10, 0).slice().messages().get(0))) {
      assertThat(stored.toByteString()).isEqualTo(expected.toByteString());
      assertThat(stored.getSenderId()).isEqualTo(sender);
      assertThat(stored.getClientMsgId()).isEqualTo("ключ-\uD83D\uDE00");
      assertThat(stored).isEqualTo(expected);
    }
  }

  @Test
  void serverTimesNeverDecreaseAlongSeqs() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newGroup();
    append(store, draft(conversation, a, "1", "one"));
    long first = clock.millis();
    clock.advance(Duration.ofSeconds(-5));  // a replica whose clock is behind

    assertThat(append(store, draft(conversation, a, "2", "two")).serverTimeMillis()).isEqualTo(first);
    clock.advance(Duration.ofSeconds(10));
    assertThat(append(store, draft(conversation, a, "3", "three")).serverTimeMillis()).isEqualTo(clock.millis());
  }

  @Test
  void aRepeatedClientMsgIdAnswersTheFirstSendAndStoresNothing() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    Appended first = append(store, draft(conversation, a, "same", "first"));
    clock.advance(Duration.ofDays(400));

    Appended again = append(store, draft(conversation, a, "same", "second"));
    List<Appended> batch = store.append(List.of(draft(conversation, a, "new", "n"), draft(conversation, a, "new", "n"),
        draft(conversation, b, "same", "b's own id"), draft(conversation, a, "same", "third")));

    assertThat(again).isEqualTo(new Appended(first.messageId(), 1, first.serverTimeMillis(), true));
    assertThat(batch.get(0).duplicate()).isFalse();
    assertThat(batch.get(1)).isEqualTo(new Appended(batch.get(0).messageId(), 2, batch.get(0).serverTimeMillis(), true));
    assertThat(batch.get(2)).as("the same id from another sender is another message")
        .extracting(Appended::seq, Appended::duplicate).containsExactly(3L, false);
    assertThat(batch.get(3)).isEqualTo(again);
    assertThat(seqs(store.readAfter(conversation, 0, 10, 0))).containsExactly(1L, 2L, 3L);
    assertThat(store.find(conversation, 1).orElseThrow().getContent().getText().getText()).isEqualTo("first");
  }

  @Test
  void findSendAnswersAStoredSendAsARepeatEvenOnceRecalled() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newGroup();
    Appended sent = append(store, draft(conversation, a, "c1", "oops"));
    Message stored = store.find(conversation, 1).orElseThrow();
    assertThat(store.recall(conversation, stored.toBuilder().clearContent().setRecalled(true).build())).isTrue();

    assertThat(store.findSend(conversation, a, "c1"))
        .contains(new Appended(sent.messageId(), 1, sent.serverTimeMillis(), true));
    assertThat(store.findSend(conversation, newUser(), "c1")).isEmpty();
    assertThat(store.findSend(newGroup(), a, "c1")).isEmpty();
    assertThat(append(store, draft(conversation, a, "c1", "retry")).duplicate()).isTrue();
  }

  @Test
  void readsGoForwardAndBackwardWithHasMoreAndTheLastSeq() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    appendTexts(store, conversation, a, 10);

    MessageSlice forward = store.readAfter(conversation, 2, 3, 0);
    assertThat(seqs(forward)).containsExactly(3L, 4L, 5L);
    assertThat(forward.hasMore()).isTrue();
    assertThat(forward.lastSeq()).isEqualTo(10);
    MessageSlice end = store.readAfter(conversation, 7, 3, 0);
    assertThat(seqs(end)).containsExactly(8L, 9L, 10L);
    assertThat(end.hasMore()).isFalse();
    assertThat(store.readAfter(conversation, 10, 3, 0).messages()).isEmpty();

    MessageSlice backward = store.readBefore(conversation, 5, 3, 0);
    assertThat(seqs(backward)).containsExactly(4L, 3L, 2L);
    assertThat(backward.hasMore()).isTrue();
    MessageSlice start = store.readBefore(conversation, 4, 3, 0);
    assertThat(seqs(start)).containsExactly(3L, 2L, 1L);
    assertThat(start.hasMore()).isFalse();
    assertThat(seqs(store.readBefore(conversation, 99, 2, 0))).containsExactly(10L, 9L);

    assertThat(store.readAfter(newGroup(), 0, 5, 0)).isEqualTo(new MessageSlice(List.of(), false, 0));
    assertThat(store.readBefore(newGroup(), 5, 5, 0)).isEqualTo(new MessageSlice(List.of(), false, 0));
  }

  @Test
  void readsHideMessagesSentBeforeTheVisibilityTime() {
    MessageStore store = store();
    String a = newUser();
    ConversationId group = newGroup();
    appendTexts(store, group, a, 3);
    clock.advance(Duration.ofSeconds(1));
    long joined = clock.millis();
    appendTexts(store, group, a, 2);                  // 4, 5 at the join time
    clock.advance(Duration.ofSeconds(1));
    appendTexts(store, group, a, 1);                  // 6

    assertThat(seqs(store.readAfter(group, 0, 10, joined))).containsExactly(4L, 5L, 6L);
    MessageSlice back = store.readBefore(group, 6, 10, joined);
    assertThat(seqs(back)).containsExactly(5L, 4L);
    assertThat(back.hasMore()).isFalse();
    assertThat(seqs(store.readBefore(group, 6, 1, joined))).containsExactly(5L);
    assertThat(store.readBefore(group, 6, 1, joined).hasMore()).isTrue();
    MessageSlice later = store.readAfter(group, 0, 10, clock.millis() + 1);
    assertThat(later.messages()).isEmpty();
    assertThat(later.hasMore()).isFalse();
    assertThat(later.lastSeq()).isEqualTo(6);
    assertThat(store.find(group, 1)).as("find ignores visibility").isPresent();
  }

  @Test
  void recallStoresTheTombstoneOnceAndKeepsTheMessagesIdentity() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "oops"));
    Message original = store.find(conversation, 1).orElseThrow();
    Message tombstone = original.toBuilder().clearContent().setRecalled(true).setRecalledBy(a)
        .setRecallTime(Timestamps.fromMillis(clock.millis())).build();

    assertThat(store.recall(conversation, tombstone)).isTrue();
    assertThat(store.find(conversation, 1)).contains(tombstone);
    assertThat(store.readAfter(conversation, 0, 10, 0).messages()).containsExactly(tombstone);
    assertThat(store.recall(conversation, tombstone.toBuilder().setRecalledBy("someone else").build())).isFalse();
    assertThat(store.find(conversation, 1)).contains(tombstone);
    assertThat(store.recall(conversation, tombstone.toBuilder().setSeq(2).build())).isFalse();
    assertThat(store.recall(newGroup(), tombstone)).isFalse();
  }

  static MessageContent text(String text) {
    return MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text)).build();
  }

  /** {@code message} edited once more, at the clock's time, to say {@code text}. */
  Message editOf(Message message, String text) {
    return message.toBuilder()
        .setContent(text(text))
        .setEdited(true)
        .setEditTime(Timestamps.fromMillis(clock.millis()))
        .setEditCount(message.getEditCount() + 1)
        .build();
  }

  @Test
  void anEditReplacesTheContentAndKeepsEveryEarlierVersionInOrder() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "helo"));
    Message sent = store.find(conversation, 1).orElseThrow();
    assertThat(store.versions(conversation, 1)).extracting(MessageVersion::getVersion, v -> v.getContent().getText().getText())
        .containsExactly(tuple(0, "helo"));

    clock.advance(Duration.ofSeconds(5));
    Message first = editOf(sent, "hello");
    assertThat(store.edit(conversation, first)).isTrue();
    clock.advance(Duration.ofSeconds(5));
    Message second = editOf(first, "hello!");
    assertThat(store.edit(conversation, second)).isTrue();

    Message stored = store.find(conversation, 1).orElseThrow();
    assertThat(stored).isEqualTo(sent.toBuilder().setContent(text("hello!")).setEdited(true)
        .setEditTime(second.getEditTime()).setEditCount(2).build());
    assertThat(store.readAfter(conversation, 0, 10, 0).messages()).containsExactly(stored);
    assertThat(store.versions(conversation, 1)).containsExactly(
        MessageVersion.newBuilder().setVersion(0).setContent(text("helo")).setCreateTime(sent.getServerTime()).build(),
        MessageVersion.newBuilder().setVersion(1).setContent(text("hello")).setCreateTime(first.getEditTime()).build(),
        MessageVersion.newBuilder().setVersion(2).setContent(text("hello!")).setCreateTime(second.getEditTime()).build());
  }

  @Test
  void anEditOfAVersionThatIsNoLongerCurrentIsRefused() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "v0"));
    Message sent = store.find(conversation, 1).orElseThrow();

    assertThat(store.edit(conversation, editOf(sent, "first writer"))).isTrue();
    assertThat(store.edit(conversation, editOf(sent, "second writer, same version"))).isFalse();
    assertThat(store.find(conversation, 1).orElseThrow().getContent()).isEqualTo(text("first writer"));
    assertThat(store.versions(conversation, 1)).hasSize(2);
    assertThat(store.edit(conversation, editOf(sent, "no such seq").toBuilder().setSeq(9).build())).isFalse();
  }

  @Test
  void aRecallDropsEveryEarlierVersionAndRefusesLaterEdits() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "secret"));
    Message sent = store.find(conversation, 1).orElseThrow();
    Message edited = editOf(sent, "still secret");
    assertThat(store.edit(conversation, edited)).isTrue();

    assertThat(store.recall(conversation, edited.toBuilder().clearContent().setRecalled(true).setRecalledBy(a).build()))
        .isTrue();

    assertThat(store.versions(conversation, 1)).isEmpty();
    assertThat(store.edit(conversation, editOf(edited, "back again"))).isFalse();
    assertThat(store.find(conversation, 1).orElseThrow().hasContent()).isFalse();
  }

  @Test
  void retentionDeletesTheEarlierVersionsWithTheirMessage() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "old"));
    assertThat(store.edit(conversation, editOf(store.find(conversation, 1).orElseThrow(), "old, edited"))).isTrue();
    clock.advance(Duration.ofHours(1));
    append(store, draft(conversation, a, "2", "new"));

    assertThat(store.deleteOlderThan(clock.millis(), List.of(conversation), 10)).isEqualTo(1);

    assertThat(store.versions(conversation, 1)).isEmpty();
    assertThat(store.versions(conversation, 2)).hasSize(1);
  }

  @Test
  void reactionsAreCountedPerEmojiOncePerUserInTheOrderFirstAdded() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    append(store, draft(conversation, a, "1", "party?"));

    assertThat(store.react(conversation, 1, a, "🎉", true, 50, 20).outcome()).isEqualTo(Reacted.Outcome.ADDED);
    assertThat(store.react(conversation, 1, b, "👍", true, 50, 20).outcome()).isEqualTo(Reacted.Outcome.ADDED);
    Reacted bobsParty = store.react(conversation, 1, b, "🎉", true, 50, 20);
    assertThat(store.react(conversation, 1, b, "🎉", true, 50, 20).outcome()).isEqualTo(Reacted.Outcome.UNCHANGED);

    assertThat(bobsParty.message().getReactionsList()).extracting(Reaction::getEmoji, Reaction::getCount)
        .containsExactly(tuple("🎉", 2), tuple("👍", 1));
    assertThat(store.find(conversation, 1).orElseThrow()).isEqualTo(bobsParty.message());
    assertThat(store.reactionsOf(conversation, b, List.of(1L, 2L))).isEqualTo(Map.of(1L, Set.of("🎉", "👍")));
    assertThat(store.reactionsOf(conversation, newUser(), List.of(1L))).isEmpty();

    assertThat(store.react(conversation, 1, a, "🎉", false, 50, 20).outcome()).isEqualTo(Reacted.Outcome.REMOVED);
    assertThat(store.react(conversation, 1, b, "👍", false, 50, 20).outcome()).isEqualTo(Reacted.Outcome.REMOVED);
    assertThat(store.react(conversation, 1, b, "👍", false, 50, 20).outcome()).isEqualTo(Reacted.Outcome.UNCHANGED);
    assertThat(store.find(conversation, 1).orElseThrow().getReactionsList()).extracting(Reaction::getEmoji,
        Reaction::getCount).containsExactly(tuple("🎉", 1));
  }

  @Test
  void reactionLimitsHoldPerMessageAndPerUser() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    append(store, draft(conversation, a, "1", "react!"));
    store.react(conversation, 1, a, "😀", true, 3, 2);
    store.react(conversation, 1, a, "😁", true, 3, 2);

    assertThat(store.react(conversation, 1, a, "😂", true, 3, 2).outcome()).isEqualTo(Reacted.Outcome.USER_FULL);
    assertThat(store.react(conversation, 1, b, "😂", true, 3, 2).outcome()).isEqualTo(Reacted.Outcome.ADDED);
    assertThat(store.react(conversation, 1, b, "🤣", true, 3, 2).outcome()).isEqualTo(Reacted.Outcome.MESSAGE_FULL);
    assertThat(store.react(conversation, 1, b, "😀", true, 3, 2).outcome()).as("an emoji already there")
        .isEqualTo(Reacted.Outcome.ADDED);
    assertThat(store.find(conversation, 1).orElseThrow().getReactionsCount()).isEqualTo(3);
  }

  @Test
  void aRecallDropsTheReactionsAndRefusesNewOnes() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    append(store, draft(conversation, a, "1", "gone soon"));
    Message reacted = store.react(conversation, 1, a, "👀", true, 50, 20).message();

    assertThat(store.recall(conversation, reacted.toBuilder().clearContent().clearReactions().setRecalled(true).build()))
        .isTrue();

    assertThat(store.reactionsOf(conversation, a, List.of(1L))).isEmpty();
    assertThat(store.react(conversation, 1, a, "👀", true, 50, 20).outcome()).isEqualTo(Reacted.Outcome.NO_MESSAGE);
    assertThat(store.react(conversation, 7, a, "👀", true, 50, 20).outcome()).isEqualTo(Reacted.Outcome.NO_MESSAGE);
  }

  @Test
  void settingsArePerUserAndPinsKeepTheirTimeAndTheirLimit() {
    MessageStore store = store();
    String a = newUser();
    ConversationId first = newPrivate(a, newUser());
    ConversationId second = newGroup();
    ConversationId third = newPrivate(a, newUser());
    ConversationSettings pin = ConversationSettings.newBuilder().setPinned(true).build();
    ConversationSettings muted = ConversationSettings.newBuilder()
        .setMuteUntil(Timestamps.fromMillis(clock.millis() + 60_000)).setArchived(true).build();

    assertThat(store.saveSettings(a, first, pin, 1_000, 2)).isTrue();
    assertThat(store.saveSettings(a, second, pin, 2_000, 2)).isTrue();
    assertThat(store.saveSettings(a, third, pin, 3_000, 2)).as("a third pin").isFalse();
    assertThat(store.saveSettings(a, first, pin.toBuilder().setArchived(true).build(), 4_000, 2))
        .as("pinned already: keeps its pin time").isTrue();
    assertThat(store.saveSettings(a, third, muted, 5_000, 2)).isTrue();

    assertThat(store.pinned(a)).containsExactly(second, first);
    assertThat(store.views(a, List.of(first, second, third, newGroup()))).isEqualTo(Map.of(
        first, new PersonalView(pin.toBuilder().setArchived(true).build(), 0, 0),
        second, new PersonalView(pin, 0, 0),
        third, new PersonalView(muted, 0, 0)));
    assertThat(store.views(newUser(), List.of(first))).isEmpty();

    assertThat(store.saveSettings(a, second, ConversationSettings.getDefaultInstance(), 6_000, 2)).isTrue();
    assertThat(store.saveSettings(a, third, pin, 7_000, 2)).isTrue();
    assertThat(store.pinned(a)).containsExactly(third, first);
  }

  @Test
  void aUsersClearedSeqOnlyRisesAndHiddenMessagesAreTheirsAlone() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 4);

    store.clearHistory(a, conversation, 2);
    store.clearHistory(a, conversation, 1);
    assertThat(store.hide(a, conversation, List.of(4L, 3L, 9L))).as("no message 9").containsExactly(3L, 4L);
    assertThat(store.hide(a, conversation, List.of(4L))).as("hidden already").isEmpty();
    store.saveSettings(a, conversation, ConversationSettings.newBuilder().setArchived(true).build(), 1_000, 20);

    assertThat(store.views(a, List.of(conversation))).isEqualTo(Map.of(conversation,
        new PersonalView(ConversationSettings.newBuilder().setArchived(true).build(), 2, 2)));
    assertThat(store.hiddenOf(a, conversation, List.of(1L, 2L, 3L, 4L))).containsExactlyInAnyOrder(3L, 4L);
    assertThat(store.hiddenOf(b, conversation, List.of(3L, 4L))).isEmpty();
    assertThat(store.views(b, List.of(conversation))).isEmpty();
    assertThat(store.readAfter(conversation, 0, 10, 0).messages()).as("the messages stay").hasSize(4);
  }

  @Test
  void aPageReadsTheUsersViewWithTheRowsAndAForwardOneStartsPastWhatTheyCleared() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 6);
    ConversationSettings archived = ConversationSettings.newBuilder().setArchived(true).build();
    store.saveSettings(a, conversation, archived, 1_000, 20);
    store.clearHistory(a, conversation, 3);

    MessageStore.Page fromTheStart = store.pageAfter(a, conversation, 0, 2, 0);
    assertThat(fromTheStart.view()).isEqualTo(new PersonalView(archived, 3, 0)).isEqualTo(store.view(a, conversation));
    assertThat(fromTheStart.slice()).isEqualTo(store.readAfter(conversation, 3, 2, 0));
    assertThat(seqs(fromTheStart.slice())).containsExactly(4L, 5L);
    assertThat(fromTheStart.slice().hasMore()).isTrue();
    assertThat(store.pageAfter(a, conversation, 4, 10, 0).slice()).isEqualTo(store.readAfter(conversation, 4, 10, 0));

    MessageStore.Page backwards = store.pageBefore(a, conversation, 6, 10, 0);
    assertThat(backwards.view()).isEqualTo(fromTheStart.view());
    assertThat(backwards.slice()).as("the caller filters what was cleared")
        .isEqualTo(store.readBefore(conversation, 6, 10, 0));

    MessageStore.Page theOther = store.pageAfter(b, conversation, 0, 10, 0);
    assertThat(theOther.view()).isEqualTo(PersonalView.DEFAULT).isEqualTo(store.view(b, conversation));
    assertThat(seqs(theOther.slice())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(store.pageAfter(b, newGroup(), 0, 10, 0))
        .isEqualTo(new MessageStore.Page(PersonalView.DEFAULT, new MessageSlice(List.of(), false, 0)));
  }

  @Test
  void readSeqsNeverMoveBackwards() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    ConversationId other = newGroup();

    assertThat(store.advanceReadSeq(conversation, b, 3)).isTrue();
    assertThat(store.advanceReadSeq(conversation, b, 2)).isFalse();
    assertThat(store.advanceReadSeq(conversation, b, 3)).isFalse();
    assertThat(store.advanceReadSeq(conversation, b, 5)).isTrue();
    assertThat(store.advanceReadSeq(other, b, 1)).isTrue();

    assertThat(store.readSeqs(b, List.of(conversation, other, newGroup()))).isEqualTo(Map.of(conversation, 5L, other, 1L));
    assertThat(store.readSeqs(a, List.of(conversation))).isEmpty();
    assertThat(store.readSeqs(b, List.of())).isEmpty();
  }

  @Test
  void aSendersReadSeqFollowsTheirMessagesOnlyWhenTheyHadReadEverythingBefore() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    appendTexts(store, conversation, a, 2);          // 1, 2 by a, who had read everything before
    appendTexts(store, conversation, b, 1);          // 3 by b, who had not read 1 and 2
    appendTexts(store, conversation, a, 1);          // 4 by a, who had not read 3
    store.append(List.of(draft(conversation, b, "x1", "5"), draft(conversation, b, "x2", "6")));

    assertThat(store.readSeqs(a, List.of(conversation))).containsEntry(conversation, 2L);
    assertThat(store.readSeqs(b, List.of(conversation))).doesNotContainKey(conversation);

    store.advanceReadSeq(conversation, b, 6);
    // One batch: b's run 7-8 follows b's read seq 6; a's 9 does not (b's come first), nor b's 10 (a's 9 is unread).
    store.append(List.of(draft(conversation, b, "y1", "7"), draft(conversation, b, "y2", "8"),
        draft(conversation, a, "y3", "9"), draft(conversation, b, "y4", "10")));
    assertThat(store.readSeqs(b, List.of(conversation))).containsEntry(conversation, 8L);
    assertThat(store.readSeqs(a, List.of(conversation))).containsEntry(conversation, 2L);
  }

  @Test
  void statesGiveTheLastSeqTheFirstVisibleSeqAndTheLastVisibleMessage() {
    MessageStore store = store();
    String a = newUser();
    ConversationId group = newGroup();
    appendTexts(store, group, a, 2);
    clock.advance(Duration.ofSeconds(1));
    long joined = clock.millis();
    appendTexts(store, group, a, 2);
    long last = clock.millis();
    ConversationId empty = newGroup();

    Map<ConversationId, Long> query = new LinkedHashMap<>();
    query.put(group, joined);
    query.put(empty, 0L);
    Map<ConversationId, ConversationState> states = store.states(query);

    assertThat(states).containsOnlyKeys(group, empty);
    ConversationState state = states.get(group);
    assertThat(state.lastSeq()).isEqualTo(4);
    assertThat(state.lastTimeMillis()).isEqualTo(last);
    assertThat(state.firstVisibleSeq()).isEqualTo(3);
    assertThat(state.lastMessage()).isEqualTo(store.find(group, 4).orElseThrow());
    assertThat(states.get(empty)).isEqualTo(ConversationState.EMPTY);

    ConversationState later = store.states(Map.of(group, last + 1)).get(group);
    assertThat(later).isEqualTo(new ConversationState(4, last, 5, null));
    assertThat(store.states(Map.of())).isEmpty();
  }

  @Test
  void anOverviewAnswersAsItsThreeReadsDo() {
    MessageStore store = store();
    String a = newUser();
    ConversationId chat = newPrivate(a, newUser());
    appendTexts(store, chat, a, 3);
    ConversationId group = newGroup();
    appendTexts(store, group, a, 2);
    clock.advance(Duration.ofSeconds(1));
    long joined = clock.millis();
    appendTexts(store, group, newUser(), 2);
    ConversationId empty = newGroup();
    ConversationSettings pin = ConversationSettings.newBuilder().setPinned(true).build();
    assertThat(store.saveSettings(a, chat, pin, 1_000, 5)).isTrue();
    store.clearHistory(a, chat, 2);
    store.advanceReadSeq(group, a, 4);

    Map<ConversationId, Long> query = new LinkedHashMap<>();
    query.put(chat, 0L);
    query.put(group, joined);
    query.put(empty, 0L);
    MessageStore.Overview overview = store.overview(a, query);

    assertThat(overview.states()).isEqualTo(store.states(query)).containsOnlyKeys(chat, group, empty);
    assertThat(overview.states().get(group).firstVisibleSeq()).isEqualTo(3);
    assertThat(overview.views()).isEqualTo(store.views(a, query.keySet())).containsOnlyKeys(chat);
    assertThat(overview.views().get(chat).clearedSeq()).isEqualTo(2);
    assertThat(overview.readSeqs()).isEqualTo(store.readSeqs(a, query.keySet())).containsEntry(group, 4L);
    assertThat(store.overview(a, Map.of())).isEqualTo(new MessageStore.Overview(Map.of(), Map.of(), Map.of()));
  }

  @Test
  void ownMessagesAfterCountsTheUsersMessagesPastTheSeq() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    ConversationId group = newGroup();
    appendTexts(store, conversation, a, 2);
    appendTexts(store, conversation, b, 1);
    appendTexts(store, conversation, a, 3);          // a: 1, 2, 4, 5, 6

    Map<ConversationId, Long> query = new HashMap<>();
    query.put(conversation, 2L);
    query.put(group, 0L);
    assertThat(store.ownMessagesAfter(a, query)).isEqualTo(Map.of(conversation, 3L, group, 0L));
    assertThat(store.ownMessagesAfter(b, Map.of(conversation, 0L))).isEqualTo(Map.of(conversation, 1L));
    assertThat(store.ownMessagesAfter(b, Map.of(conversation, 3L))).isEqualTo(Map.of(conversation, 0L));
    assertThat(store.ownMessagesAfter(a, Map.of())).isEmpty();
  }

  @Test
  void theFirstMessageOfAPrivateConversationRecordsItForBothUsers() {
    MessageStore store = store();
    String me = newUser();
    String peer = newUser();
    ConversationId conversation = newPrivate(me, peer);
    assertThat(privateConversations(store, me)).isEmpty();

    appendTexts(store, conversation, peer, 2);
    append(store, draft(newGroup(), me, "g", "groups are group-svc's to list"));
    ConversationId other = newPrivate(me, newUser());
    append(store, draft(other, me, "o", "hi"));

    assertThat(privateConversations(store, me)).containsExactlyInAnyOrder(conversation, other);
    assertThat(privateConversations(store, peer)).containsExactly(conversation);
  }

  @Test
  void aPrivateConversationsActivityFollowsItsMessagesForBothUsersAndNeverMovesBack() {
    MessageStore store = store();
    String me = newUser();
    String peer = newUser();
    ConversationId ours = newPrivate(me, peer);
    append(store, draft(ours, peer, "1", "first"));
    long first = clock.millis();
    clock.advance(Duration.ofSeconds(1));
    ConversationId other = newPrivate(me, newUser());
    append(store, draft(other, me, "o", "later"));
    long later = clock.millis();

    clock.advance(Duration.ofSeconds(-5));  // a replica whose clock is behind: the time stays
    append(store, draft(ours, me, "2", "from behind"));
    assertThat(store.latest(me, 0, Map.of(), null, 10))
        .containsExactly(new ConversationRef(other, later), new ConversationRef(ours, first));

    clock.advance(Duration.ofSeconds(10));
    List<Appended> batch = store.append(List.of(draft(ours, me, "3", "a"), draft(other, me, "o2", "b"),
        draft(ours, peer, "4", "c")));
    assertThat(batch).extracting(Appended::seq).containsExactly(3L, 2L, 4L);
    assertThat(store.latest(me, 0, Map.of(), null, 10)).extracting(ConversationRef::activityMillis)
        .containsOnly(clock.millis());
    assertThat(store.latest(peer, 0, Map.of(), null, 10)).containsExactly(new ConversationRef(ours, clock.millis()));
  }

  @Test
  void latestOrdersByActivityKeepsOnlyVisibleConversationsAndPages() {
    MessageStore store = store();
    String me = newUser();
    List<ConversationId> conversations = new ArrayList<>();
    ConversationId expired = newPrivate(me, newUser());
    append(store, draft(expired, me, "old", "before the retention cutoff"));
    clock.advance(Duration.ofSeconds(1));
    long cutoff = clock.millis();
    for (int i = 0; i < 5; i++) {
      ConversationId conversation = newPrivate(me, newUser());
      conversations.add(conversation);
      append(store, draft(conversation, me, "c", "hi"));
      if (i != 2) {
        clock.advance(Duration.ofSeconds(1));  // 2 and 3 share a time: the tie goes by id
      }
    }
    append(store, draft(newPrivate(newUser(), newUser()), newUser(), "x", "someone else's"));
    Map<ConversationId, Long> groups = new HashMap<>();
    ConversationId joinedLate = newGroup();
    append(store, draft(joinedLate, newUser(), "g", "before the join"));
    groups.put(joinedLate, clock.millis() + 1);
    groups.put(newGroup(), 0L);                 // no message at all
    ConversationId group = newGroup();
    append(store, draft(group, newUser(), "g", "seen"));
    groups.put(group, 0L);
    conversations.add(group);
    clock.advance(Duration.ofSeconds(1));
    append(store, draft(conversations.get(0), me, "again", "back to you"));
    append(store, draft(newGroup(), newUser(), "g", "a group I am not in"));

    List<ConversationRef> all = store.latest(me, cutoff, groups, null, 10);
    assertThat(all).isSortedAccordingTo(ConversationRef.NEWEST_FIRST).hasSize(6);
    assertThat(all).extracting(ConversationRef::conversation).containsExactlyInAnyOrderElementsOf(conversations);
    assertThat(all.get(0)).isEqualTo(new ConversationRef(conversations.get(0), clock.millis()));
    assertThat(store.latest(me, 0, groups, null, 10)).extracting(ConversationRef::conversation).contains(expired);

    for (int pageSize = 1; pageSize <= 3; pageSize++) {
      List<ConversationRef> paged = new ArrayList<>();
      ConversationRef cursor = null;
      for (int page = 0; page < 8; page++) {
        List<ConversationRef> next = store.latest(me, cutoff, groups, cursor, pageSize);
        if (next.isEmpty()) {
          break;
        }
        paged.addAll(next);
        cursor = next.get(next.size() - 1);
      }
      assertThat(paged).as("pages of %s", pageSize).containsExactlyElementsOf(all);
    }
    assertThat(store.latest(newUser(), 0, Map.of(), null, 10)).isEmpty();
  }

  @Test
  void deletingOldMessagesGoesInBoundedStepsAndSeqsContinue() {
    MessageStore store = store();
    String a = newUser();
    String b = newUser();
    ConversationId conversation = newPrivate(a, b);
    ConversationId group = newGroup();
    appendTexts(store, conversation, a, 5);
    appendTexts(store, group, a, 3);
    clock.advance(Duration.ofHours(1));
    long cutoff = clock.millis();
    appendTexts(store, conversation, b, 2);           // 6, 7

    assertThat(store.deleteOlderThan(cutoff, List.of(conversation, group), 6)).isEqualTo(6);
    assertThat(store.deleteOlderThan(cutoff, List.of(conversation, group), 6)).isEqualTo(2);
    assertThat(store.deleteOlderThan(cutoff, List.of(conversation, group), 6)).isZero();

    assertThat(seqs(store.readAfter(conversation, 0, 10, 0))).containsExactly(6L, 7L);
    assertThat(store.readAfter(group, 0, 10, 0)).isEqualTo(new MessageSlice(List.of(), false, 3));
    assertThat(store.find(conversation, 1)).isEmpty();
    assertThat(store.states(Map.of(conversation, 0L)).get(conversation).firstVisibleSeq()).isEqualTo(6);
    assertThat(append(store, draft(group, a, "after", "four")).seq()).isEqualTo(4);
    assertThat(privateConversations(store, a)).contains(conversation);
  }

  @Test
  void aRetentionStepDeletesEachConversationsOldestMessagesFirst() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    appendTexts(store, conversation, a, 6);
    clock.advance(Duration.ofHours(1));
    long cutoff = clock.millis();
    appendTexts(store, conversation, a, 2);           // 7, 8

    assertThat(store.deleteOlderThan(cutoff, List.of(conversation), 2)).isEqualTo(2);

    // What is left is every seq from 3 on, whichever way and from wherever it is read.
    MessageSlice first = store.readAfter(conversation, 0, 3, 0);
    assertThat(seqs(first)).containsExactly(3L, 4L, 5L);
    assertThat(first.hasMore()).isTrue();
    assertThat(seqs(store.readAfter(conversation, 1, 2, 0))).containsExactly(3L, 4L);
    assertThat(seqs(store.readAfter(conversation, 5, 10, 0))).containsExactly(6L, 7L, 8L);
    MessageSlice back = store.readBefore(conversation, 6, 10, 0);
    assertThat(seqs(back)).containsExactly(5L, 4L, 3L);
    assertThat(back.hasMore()).isFalse();
    assertThat(seqs(store.readBefore(conversation, 6, 3, 0))).containsExactly(5L, 4L, 3L);
    assertThat(store.readBefore(conversation, 6, 3, 0).hasMore()).isFalse();
    assertThat(store.readBefore(conversation, 6, 2, 0).hasMore()).isTrue();
  }

  @Test
  void latestPagesInExactActivityOrderWithinAndAcrossTenSecondSpans() {
    MessageStore store = store();
    String me = newUser();
    List<ConversationId> conversations = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ConversationId conversation = newPrivate(me, newUser());
      conversations.add(conversation);
      append(store, draft(conversation, me, "c", "hi"));
      if (i != 4) {
        clock.advance(Duration.ofMillis(3_333));  // several a span, crossing its edges; 4 and 5 tie
      }
    }
    // An early one moves to the front, across spans, and one of the last moves by a millisecond.
    append(store, draft(conversations.get(1), conversations.get(1).peerOf(me), "r", "reply"));
    clock.advance(Duration.ofMillis(1));
    append(store, draft(conversations.get(10), me, "again", "more"));

    List<ConversationRef> all = store.latest(me, 0, Map.of(), null, 20);
    assertThat(all).hasSize(12).isSortedAccordingTo(ConversationRef.NEWEST_FIRST);
    assertThat(all).extracting(ConversationRef::conversation).startsWith(conversations.get(10), conversations.get(1),
        conversations.get(11), conversations.get(9));
    for (int pageSize = 1; pageSize <= 5; pageSize++) {
      List<ConversationRef> paged = new ArrayList<>();
      ConversationRef cursor = null;
      for (int page = 0; page < 13; page++) {
        List<ConversationRef> next = store.latest(me, 0, Map.of(), cursor, pageSize);
        if (next.isEmpty()) {
          break;
        }
        paged.addAll(next);
        cursor = next.get(next.size() - 1);
      }
      assertThat(paged).as("pages of %s", pageSize).containsExactlyElementsOf(all);
    }
  }

  @Test
  void readsOfALongConversationReturnExactlyThePageAsked() {
    MessageStore store = store();
    String a = newUser();
    ConversationId conversation = newPrivate(a, newUser());
    List<Draft> drafts = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      drafts.add(draft(conversation, a, "long-" + i + "-" + Ids.newId("x"), "text " + i));
    }
    store.append(drafts);

    MessageSlice middle = store.readAfter(conversation, 250, 200, 0);
    assertThat(seqs(middle)).containsExactlyElementsOf(range(251, 450));
    assertThat(middle.hasMore()).isTrue();
    MessageSlice last = store.readAfter(conversation, 400, 200, 0);
    assertThat(seqs(last)).containsExactlyElementsOf(range(401, 600));
    assertThat(last.hasMore()).isFalse();
    MessageSlice earlier = store.readBefore(conversation, 451, 200, 0);
    List<Long> ascending = new ArrayList<>(seqs(earlier));
    Collections.reverse(ascending);
    assertThat(ascending).containsExactlyElementsOf(range(251, 450));
    assertThat(earlier.hasMore()).isTrue();
    MessageSlice start = store.readBefore(conversation, 201, 200, 0);
    assertThat(seqs(start)).hasSize(200).startsWith(200L).endsWith(1L);
    assertThat(start.hasMore()).isFalse();
    MessageSlice far = store.readAfter(conversation, Long.MAX_VALUE, 200, 0);
    assertThat(far).isEqualTo(new MessageSlice(List.of(), false, 600));
    assertThat(seqs(store.readBefore(conversation, Long.MAX_VALUE, 2, 0))).containsExactly(600L, 599L);
  }

  @Test
  void conversationsAfterPagesThroughEveryConversationOnce() {
    MessageStore store = store();
    Set<ConversationId> created = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      ConversationId conversation = newGroup();
      created.add(conversation);
      append(store, draft(conversation, newUser(), "c", "x"));
    }
    List<ConversationId> seen = new ArrayList<>();
    ConversationId after = null;
    List<ConversationId> page;
    while (!(page = store.conversationsAfter(after, 3)).isEmpty()) {
      assertThat(page.size()).isLessThanOrEqualTo(3);
      seen.addAll(page);
      after = page.get(page.size() - 1);
    }
    assertThat(seen).doesNotHaveDuplicates().containsAll(created);
  }

  @Test
  void concurrentBatchesKeepSeqsGaplessAndSendsUnique() throws Exception {
    MessageStore store = store();
    ConversationId conversation = newGroup();
    List<String> senders = List.of(newUser(), newUser(), newUser());
    int threads = 4;
    int rounds = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Appended>>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        List<Appended> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          // Every round of every thread repeats the client_msg_ids of the same round of the others.
          String sender = senders.get(r % senders.size());
          out.addAll(store.append(List.of(draft(conversation, sender, "r" + r, "t" + thread),
              draft(conversation, sender, "r" + r + "-" + thread, "t" + thread))));
        }
        return out;
      }));
    }
    Map<String, Appended> byMessage = new HashMap<>();
    int answers = 0;
    for (Future<List<Appended>> f : done) {
      for (Appended appended : f.get()) {
        answers++;
        Appended earlier = byMessage.putIfAbsent(appended.messageId(), appended);
        if (earlier != null) {
          assertThat(appended.seq()).isEqualTo(earlier.seq());
        }
      }
    }
    pool.shutdown();
    int stored = rounds + threads * rounds;
    assertThat(answers).isEqualTo(2 * threads * rounds);
    assertThat(byMessage).hasSize(stored);
    assertThat(byMessage.values()).extracting(Appended::seq).containsExactlyInAnyOrderElementsOf(range(1, stored));
    assertThat(seqs(store.readAfter(conversation, 0, 200, 0))).containsExactlyElementsOf(range(1, stored));
  }

  /** The private conversations {@code userId} takes part in, as ListConversations finds them. */
  static List<ConversationId> privateConversations(MessageStore store, String userId) {
    return store.latest(userId, 0, Map.of(), null, 1000).stream().map(ConversationRef::conversation).toList();
  }
}
