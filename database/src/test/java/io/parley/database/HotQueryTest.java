package io.parley.database;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HotQueryTest {

  @Test
  void aStatementPinsItsKeyByEqualityAnyOrInsert() {
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message m WHERE m.conversation_id = ? AND seq > ?").pinsDistributionKey()).isTrue();
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message WHERE conversation_id = ANY (?)").pinsDistributionKey()).isTrue();
    assertThat(new HotQuery("q", "message", "conversation_id",
        "INSERT INTO message (conversation_id, seq) VALUES (?, ?)").pinsDistributionKey()).isTrue();
  }

  @Test
  void aStatementThatScansAcrossKeysDoesNotPinIt() {
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message WHERE sender_id = ?").pinsDistributionKey()).isFalse();
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message WHERE conversation_id > ?").pinsDistributionKey()).isFalse();
  }
}
