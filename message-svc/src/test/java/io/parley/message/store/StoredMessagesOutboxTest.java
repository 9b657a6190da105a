package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.data.Ids;
import io.parley.database.Database;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.TextContent;
import io.parley.testing.PostgresServer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox of PostgresMessageStore is written in the batch's transaction: together, or not at all. */
class StoredMessagesOutboxTest {
  private static Database database;

  @BeforeAll
  static void open() {
    database = PostgresMessageStore.openDatabase(PostgresServer.shared().createDatabase());
  }

  @AfterAll
  static void close() {
    database.close();
  }

  private static Draft draft(ConversationId conversation, String sender, String clientMsgId) {
    Message message = Message.newBuilder().setMessageId(Ids.newId("m")).setConversationId(conversation.value())
        .setSenderId(sender).setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("hi"))).build();
    return new Draft(conversation, message, "session", System.currentTimeMillis());
  }

  @Test
  void outboxSeesTheNewMessagesWithSeqButNotRepeatedSends() {
    List<Message> written = new CopyOnWriteArrayList<>();
    PostgresMessageStore store = new PostgresMessageStore(database, (c, stored) -> written.addAll(stored));
    ConversationId conversation = ConversationId.ofGroup(Ids.newId("g"));
    Draft first = draft(conversation, Ids.newId("u"), "c1");

    store.append(List.of(first, draft(conversation, Ids.newId("u"), "c2")));
    store.append(List.of(draft(conversation, first.message().getSenderId(), "c1")));
    // On the heads the store committed: the batch and its rows are still one transaction.
    store.append(List.of(draft(conversation, Ids.newId("u"), "c3")));

    assertThat(written).extracting(Message::getSeq).containsExactly(1L, 2L, 3L);
    assertThat(written).allSatisfy(m -> assertThat(m.hasServerTime()).isTrue());
  }

  @Test
  void aFailingOutboxWriteRollsBackABatchStoredOnTheHeadsItKnew() {
    AtomicBoolean refuse = new AtomicBoolean();
    PostgresMessageStore store = new PostgresMessageStore(database, (c, stored) -> {
      if (refuse.get()) {
        throw new SQLException("outbox refused", "22000");
      }
    });
    ConversationId conversation = ConversationId.ofGroup(Ids.newId("g"));
    store.append(List.of(draft(conversation, Ids.newId("u"), "c1")));

    refuse.set(true);
    assertThatThrownBy(() -> store.append(List.of(draft(conversation, Ids.newId("u"), "c2"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("outbox refused");
    refuse.set(false);

    assertThat(store.readAfter(conversation, 0, 10, 0).messages()).extracting(Message::getSeq).containsExactly(1L);
    assertThat(store.append(List.of(draft(conversation, Ids.newId("u"), "c3"))).get(0).seq()).isEqualTo(2);
    assertThat(store.lockedBatches()).as("batches that read their heads under lock").isEqualTo(1);
  }

  @Test
  void aFailingOutboxWriteRollsTheBatchBack() {
    PostgresMessageStore failing = new PostgresMessageStore(database, (c, stored) -> {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO webhook_outbox (event_id, endpoint, body, attempts, due_at, created_at) "
              + "VALUES ('e', 'http://x/', '{}', 0, now(), now())")) {
        insert.executeUpdate();
      }
      throw new SQLException("outbox refused", "22000");
    });
    ConversationId conversation = ConversationId.ofGroup(Ids.newId("g"));

    assertThatThrownBy(() -> failing.append(List.of(draft(conversation, Ids.newId("u"), "c1"))));

    PostgresMessageStore plain = new PostgresMessageStore(database);
    assertThat(plain.readAfter(conversation, 0, 10, 0).messages()).isEmpty();
    long outboxRows = database.read(c -> {
      try (var rows = c.createStatement().executeQuery("SELECT count(*) FROM webhook_outbox")) {
        rows.next();
        return rows.getLong(1);
      }
    });
    assertThat(outboxRows).isZero();
  }
}
