package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.message.v1.Message;
import org.junit.jupiter.api.Test;

/** The messaging books must see loss, duplicates and misdelivery, or the scenario's zeros mean nothing. */
class LedgerTest {
  private static Message message(String clientMsgId) {
    return Message.newBuilder().setClientMsgId(clientMsgId).build();
  }

  @Test
  void countsLossDuplicatesAndMisdelivery() {
    Ledger ledger = new Ledger(10, n -> n % 3);
    for (int n = 0; n < 5; n++) {
      ledger.acknowledged(n);
    }
    ledger.received(0, message(Ledger.clientMsgId(0)));
    ledger.received(1, message(Ledger.clientMsgId(1)));
    ledger.received(1, message(Ledger.clientMsgId(1)));
    ledger.received(2, message(Ledger.clientMsgId(2)));
    ledger.received(0, message(Ledger.clientMsgId(3)));
    ledger.received(2, message(Ledger.clientMsgId(4)));
    ledger.received(0, message("someone else's"));
    ledger.received(0, message(Ledger.clientMsgId(99)));

    assertThat(ledger.acknowledgedCount(5)).isEqualTo(5);
    // 4 went to user 2 instead of user 1: misdelivered, and lost for its recipient.
    assertThat(ledger.lost(5)).isEqualTo(1);
    assertThat(ledger.duplicated()).isEqualTo(1);
    assertThat(ledger.misdelivered()).isEqualTo(1);
    assertThat(ledger.foreign()).isEqualTo(2);
  }

  @Test
  void readsBackTheSequenceNumberOfItsOwnIdsOnly() {
    assertThat(Ledger.sequence(Ledger.clientMsgId(0))).isZero();
    assertThat(Ledger.sequence(Ledger.clientMsgId(1234))).isEqualTo(1234);
    assertThat(Ledger.sequence("b-2")).isEqualTo(-1);
    assertThat(Ledger.sequence("b")).isEqualTo(-1);
    assertThat(Ledger.sequence("fan-3")).isEqualTo(-1);
  }

  @Test
  void aSendThatFailedIsNotCountedLost() {
    Ledger ledger = new Ledger(4, n -> 0);
    ledger.acknowledged(0);
    ledger.received(0, message(Ledger.clientMsgId(0)));
    assertThat(ledger.lost(2)).isZero();
    assertThat(ledger.acknowledgedCount(2)).isEqualTo(1);
  }
}
