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
  void anUpdateJoinedWithAnArrayParameterOnTheKeyPinsIt() {
    assertThat(new HotQuery("q", "reader", "user_id", """
        UPDATE reader r SET read_seq = a.seq
        FROM unnest(?::text[], ?::text[], ?::bigint[]) AS a(user_id, conversation_id, seq)
        WHERE r.user_id = a.user_id AND r.conversation_id = a.conversation_id""").pinsDistributionKey()).isTrue();
    // Unaliased, the table's name qualifies the key.
    assertThat(new HotQuery("q", "reader", "user_id", """
        UPDATE reader SET read_seq = a.seq FROM unnest(?::text[], ?::bigint[]) AS a(user_id, seq)
        WHERE reader.user_id = a.user_id""").pinsDistributionKey()).isTrue();
  }

  @Test
  void aJoinWithAnArrayThatIsNotAllParametersOrNotOnTheKeyDoesNotPinIt() {
    // The array's column is joined, but with another column of the table.
    assertThat(new HotQuery("q", "reader", "user_id", """
        UPDATE reader r SET read_seq = 0 FROM unnest(?::text[]) AS a(user_id)
        WHERE r.conversation_id = a.user_id""").pinsDistributionKey()).isFalse();
    // The key is joined with a column of another table, not of the parameters.
    assertThat(new HotQuery("q", "reader", "user_id", """
        UPDATE reader r SET read_seq = 0 FROM unnest(s.ids) AS a(user_id), session s
        WHERE r.user_id = a.user_id""").pinsDistributionKey()).isFalse();
    // The key of another table of the statement is joined, not the key of this one.
    assertThat(new HotQuery("q", "reader", "user_id", """
        WITH moved AS (UPDATE user_conversation u SET last_time = now()
          FROM unnest(?::text[]) AS p(user_id) WHERE u.user_id = p.user_id RETURNING 1)
        UPDATE reader SET read_seq = 0 WHERE conversation_id = ?""").pinsDistributionKey()).isFalse();
    // The array has no column named for the key.
    assertThat(new HotQuery("q", "reader", "user_id", """
        UPDATE reader r SET read_seq = 0 FROM unnest(?::text[]) AS a(id)
        WHERE r.user_id = a.id""").pinsDistributionKey()).isFalse();
  }

  @Test
  void aStatementThatScansAcrossKeysDoesNotPinIt() {
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message WHERE sender_id = ?").pinsDistributionKey()).isFalse();
    assertThat(new HotQuery("q", "message", "conversation_id",
        "SELECT * FROM message WHERE conversation_id > ?").pinsDistributionKey()).isFalse();
  }
}
