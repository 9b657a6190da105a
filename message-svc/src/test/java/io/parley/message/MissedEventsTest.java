package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.events.EventLog.EntryId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.ReadReceipt;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissedEventsTest {
  private static Subscriber.Queued message(String conversation, long seq, int at) {
    return new Subscriber.Queued(Event.newBuilder()
        .setMessage(Message.newBuilder().setConversationId(conversation).setSeq(seq)).build(),
        new LogPosition(new EntryId(1, at), 0));
  }

  private static String describe(Subscriber.Queued queued) {
    Event event = queued.event();
    return event.hasMessage() ? event.getMessage().getConversationId() + ":" + event.getMessage().getSeq() : "receipt";
  }

  @Test
  void eachConversationsMessagesComeInSeqOrderWhereTheyStood() {
    Subscriber.Queued receipt = new Subscriber.Queued(Event.newBuilder()
        .setReadReceipt(ReadReceipt.newBuilder().setConversationId("a").setReadSeq(1)).build(),
        new LogPosition(new EntryId(1, 9), 0));
    List<Subscriber.Queued> replay = List.of(
        message("a", 6, 1), message("b", 2, 2), message("a", 5, 3), receipt, message("b", 1, 4), message("a", 7, 5));

    assertThat(MissedEvents.inSeqOrder(replay)).extracting(MissedEventsTest::describe)
        .containsExactly("a:5", "b:1", "a:6", "receipt", "b:2", "a:7");
  }
}
