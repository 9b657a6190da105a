package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.TextContent;
import org.junit.jupiter.api.Test;

class MessageCounterTest {
  private final HistoryScenario.MessageCounter counter = new HistoryScenario.MessageCounter();

  @Test
  void countsTheMessagesOfAPageWhateverElseItHolds() {
    PullMessagesResponse.Builder page = PullMessagesResponse.newBuilder().setHasMore(true).setLastSeq(1234);
    for (int seq = 1; seq <= 3; seq++) {
      page.addMessages(Message.newBuilder().setSeq(seq).setSenderId("u" + seq)
          .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("text " + seq))));
    }

    assertThat(counter.parse(page.build().toByteString().newInput())).isEqualTo(3);
    assertThat(counter.parse(PullMessagesResponse.newBuilder().setLastSeq(7).build().toByteString().newInput()))
        .isZero();
  }
}
