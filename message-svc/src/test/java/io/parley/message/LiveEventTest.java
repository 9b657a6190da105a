package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.ReadReceipt;
import io.parley.message.v1.Recall;
import io.parley.message.v1.Subscribed;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveEventTest {
  private final ConversationId group = ConversationId.ofGroup(Ids.newId("g"));

  private LiveEvent message(long seq) {
    return new LiveEvent("session-1", "", Event.newBuilder()
        .setTime(Timestamps.fromMillis(1_700_000_000_123L))
        .setMessage(Message.newBuilder().setConversationId(group.value()).setSeq(seq).setMessageId("m" + seq))
        .build());
  }

  @Test
  void theWireFormRoundTrips() {
    LiveEvent event = message(7);
    LiveEvent decoded = LiveEvent.decode(event.encode());
    assertThat(decoded).isEqualTo(event);
    assertThat(decoded.conversation()).isEqualTo(group);

    LiveEvent receipt = new LiveEvent("", "u0000000000000000", Event.newBuilder()
        .setReadReceipt(ReadReceipt.newBuilder().setConversationId(group.value()).setReadSeq(3)).build());
    assertThat(LiveEvent.decode(receipt.encode())).isEqualTo(receipt);
    assertThat(LiveEvent.decodeAll(receipt.encode())).containsExactly(receipt);
  }

  @Test
  void severalEventsTravelAsOneFrameInOrder() {
    List<LiveEvent> events = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      events.add(message(i));
    }
    events.add(new LiveEvent("s", "", Event.newBuilder()
        .setRecall(Recall.newBuilder().setConversationId(group.value()).setSeq(2)).build()));

    assertThat(LiveEvent.decodeAll(LiveEvent.encodeAll(events))).containsExactlyElementsOf(events);
    assertThat(LiveEvent.encodeAll(List.of(events.get(0)))).isEqualTo(events.get(0).encode());
    assertThatThrownBy(() -> LiveEvent.encodeAll(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedBytesAndKindsAreRejected() {
    assertThatThrownBy(() -> LiveEvent.decode(new byte[] {9, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LiveEvent.decode(new byte[] {1, 40})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LiveEvent.decodeAll(new byte[] {2, 5, 1})).isInstanceOf(IllegalArgumentException.class);
    byte[] frame = LiveEvent.encodeAll(List.of(message(1), message(2)));
    byte[] trailing = java.util.Arrays.copyOf(frame, frame.length + 1);
    assertThatThrownBy(() -> LiveEvent.decodeAll(trailing)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LiveEvent("", "", Event.newBuilder()
        .setSubscribed(Subscribed.getDefaultInstance()).build())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LiveEvent("é", "", Event.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
