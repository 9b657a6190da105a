package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.data.Ids;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Edit;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.ReadReceipt;
import io.parley.message.v1.Recall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventOrderTest {
  private static final Duration HOLD = Duration.ofMillis(100);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> out = new ArrayList<>();
  private final List<PositionedEvent> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final EventOrder order = new EventOrder(this::record, dropped::add, timer, HOLD);
  private static final java.util.concurrent.atomic.AtomicLong positions = new java.util.concurrent.atomic.AtomicLong();
  private final ConversationId one = ConversationId.ofGroup(Ids.newId("g"));
  private final ConversationId two = ConversationId.ofGroup(Ids.newId("g"));

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private void record(PositionedEvent event) {
    String name = switch (event.event().getKindCase()) {
      case MESSAGE -> "m" + event.event().getMessage().getSeq();
      case RECALL -> "r" + event.event().getRecall().getSeq();
      case EDIT -> "e" + event.event().getEdit().getSeq() + "." + event.event().getEdit().getEditCount();
      default -> "read" + event.event().getReadReceipt().getReadSeq();
    };
    synchronized (out) {
      out.add((event.conversation().equals(one) ? "" : "2:") + name);
    }
  }

  private List<String> out() {
    synchronized (out) {
      return List.copyOf(out);
    }
  }

  private static PositionedEvent message(ConversationId conversation, long seq) {
    return positioned(Event.newBuilder()
        .setMessage(Message.newBuilder().setConversationId(conversation.value()).setSeq(seq)).build());
  }

  private static PositionedEvent recall(ConversationId conversation, long seq) {
    return positioned(Event.newBuilder()
        .setRecall(Recall.newBuilder().setConversationId(conversation.value()).setSeq(seq)).build());
  }

  private static PositionedEvent edit(ConversationId conversation, long seq, int editCount) {
    return positioned(Event.newBuilder()
        .setEdit(Edit.newBuilder().setConversationId(conversation.value()).setSeq(seq).setEditCount(editCount)).build());
  }

  private static PositionedEvent receipt(ConversationId conversation, long seq) {
    return positioned(Event.newBuilder()
        .setReadReceipt(ReadReceipt.newBuilder().setConversationId(conversation.value()).setReadSeq(seq)).build());
  }

  private static PositionedEvent positioned(Event event) {
    return new PositionedEvent(new LogPosition(new io.parley.events.EventLog.EntryId(1, positions.incrementAndGet()), 0),
        new LiveEvent("", "", event));
  }

  @Test
  void eventsInOrderPassAtOnceFromWhateverSeqComesFirst() {
    order.accept(message(one, 4));
    order.accept(message(one, 5));
    order.accept(recall(one, 4));
    order.accept(message(two, 1));
    assertThat(out()).containsExactly("m4", "m5", "r4", "2:m1");
  }

  @Test
  void anEarlyEventWaitsForTheMissingOneThenBothPassInOrder() {
    order.accept(message(one, 1));
    order.accept(message(one, 3));
    order.accept(message(one, 4));
    order.accept(message(two, 1));
    assertThat(out()).containsExactly("m1", "2:m1");
    order.accept(message(one, 2));
    assertThat(out()).containsExactly("m1", "2:m1", "m2", "m3", "m4");
  }

  @Test
  void aMissingEventIsGivenUpAfterTheHoldAndALateOneIsDropped() {
    order.accept(message(one, 1));
    order.accept(message(one, 3));
    order.accept(message(one, 4));
    await().atMost(Duration.ofSeconds(5)).until(() -> out().size() == 3);
    assertThat(out()).containsExactly("m1", "m3", "m4");

    PositionedEvent late = message(one, 2);
    order.accept(late);
    order.accept(message(one, 5));
    assertThat(out()).containsExactly("m1", "m3", "m4", "m5");
    assertThat(dropped).as("told, so that its position stops holding cursors back").containsExactly(late);
  }

  @Test
  void aRecallWaitsForTheMessageItRecalls() {
    order.accept(message(one, 1));
    order.accept(recall(one, 2));
    order.accept(receipt(one, 1));
    assertThat(out()).containsExactly("m1", "read1");
    order.accept(message(one, 2));
    assertThat(out()).containsExactly("m1", "read1", "m2", "r2");
  }

  @Test
  void editsAndARecallWaitForTheMessageTheyChangeAndKeepTheirOrder() {
    order.accept(message(one, 1));
    order.accept(edit(one, 2, 1));
    order.accept(edit(one, 2, 2));
    order.accept(recall(one, 2));
    order.accept(edit(one, 1, 1));
    assertThat(out()).containsExactly("m1", "e1.1");
    order.accept(message(one, 2));
    assertThat(out()).containsExactly("m1", "e1.1", "m2", "e2.1", "e2.2", "r2");
  }

  @Test
  void aResetDropsWhatIsHeldAndStartsOver() {
    order.accept(message(one, 1));
    PositionedEvent held = message(one, 3);
    order.accept(held);
    order.reset();
    assertThat(dropped).containsExactly(held);
    order.accept(message(one, 7));
    await().during(HOLD.multipliedBy(3)).atMost(Duration.ofSeconds(10))
        .until(() -> out().equals(List.of("m1", "m7")));
  }
}
