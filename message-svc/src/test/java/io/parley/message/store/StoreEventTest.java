package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.message.v1.ReadReceipt;
import io.parley.message.v1.Recall;
import io.parley.message.v1.Subscribed;
import org.junit.jupiter.api.Test;

class StoreEventTest {
  private final ConversationId group = ConversationId.ofGroup(Ids.newId("g"));

  @Test
  void theWireFormRoundTrips() {
    StoreEvent event = new StoreEvent("session-1", "", Event.newBuilder()
        .setTime(Timestamps.fromMillis(1_700_000_000_123L))
        .setMessage(Message.newBuilder().setConversationId(group.value()).setSeq(7).setMessageId("m1"))
        .build());
    StoreEvent decoded = StoreEvent.decode(event.encode());
    assertThat(decoded).isEqualTo(event);
    assertThat(decoded.conversation()).isEqualTo(group);

    StoreEvent receipt = new StoreEvent("", "u0000000000000000", Event.newBuilder()
        .setReadReceipt(ReadReceipt.newBuilder().setConversationId(group.value()).setReadSeq(3)).build());
    assertThat(StoreEvent.decode(receipt.encode())).isEqualTo(receipt);
  }

  @Test
  void theHeaderIsWhatTheAppendScriptPrefixes() {
    Event event = Event.newBuilder()
        .setRecall(Recall.newBuilder().setConversationId(group.value()).setSeq(2)).build();
    byte[] header = StoreEvent.header("s", "u");
    byte[] wire = new byte[header.length + event.getSerializedSize()];
    System.arraycopy(header, 0, wire, 0, header.length);
    System.arraycopy(event.toByteArray(), 0, wire, header.length, event.getSerializedSize());
    assertThat(StoreEvent.decode(wire)).isEqualTo(new StoreEvent("s", "u", event));
  }

  @Test
  void malformedBytesAndKindsAreRejected() {
    assertThatThrownBy(() -> StoreEvent.decode(new byte[] {9, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreEvent.decode(new byte[] {1, 40})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StoreEvent("", "", Event.newBuilder()
        .setSubscribed(Subscribed.getDefaultInstance()).build())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StoreEvent("é", "", Event.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
