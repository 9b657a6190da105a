package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.TextContent;
import org.junit.jupiter.api.Test;

/** The group fan-out books: only measured messages count, and only once every member but the sender has them. */
class FanOutTest {
  private static final int SENDER = 0;

  private static Message message(int n) {
    return Message.newBuilder()
        .setClientMsgId(Ledger.clientMsgId(n))
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
        .build();
  }

  private static void deliver(FanOut fanOut, int n, int... recipients) {
    for (int recipient : recipients) {
      fanOut.received(recipient, message(n));
    }
  }

  @Test
  void aWarmUpMessageCompletingDuringTheMeasurementIsNotCountedAmongTheMeasured() {
    FanOut fanOut = new FanOut(2, 2, 3, SENDER);
    deliver(fanOut, 2, 1, 2);
    deliver(fanOut, 3, 1);
    // Warm-up messages 0 and 1 reach their last member only now, while 3 is still one short.
    deliver(fanOut, 0, 1, 2);
    deliver(fanOut, 1, 2, 1);

    assertThat(fanOut.fullyDelivered()).isEqualTo(1);
    assertThat(fanOut.untilAllReceived().getTotalCount()).isEqualTo(1);
  }

  @Test
  void aMessageIsFullyDeliveredOnlyOnceEveryOtherMemberHasIt() {
    FanOut fanOut = new FanOut(0, 3, 4, SENDER);
    // A duplicate, or a delivery to the sender, does not stand in for a member who never got it.
    deliver(fanOut, 0, 1, 1, 2, SENDER);
    deliver(fanOut, 1, 1, 2, 3);
    deliver(fanOut, 2, 3, 2, 1, 1);
    fanOut.received(1, Message.newBuilder().setClientMsgId("someone else's").build());
    fanOut.received(1, message(99));

    assertThat(fanOut.fullyDelivered()).isEqualTo(2);
    assertThat(fanOut.untilAllReceived().getTotalCount()).isEqualTo(2);
    assertThat(fanOut.duplicated()).isEqualTo(2);
  }
}
