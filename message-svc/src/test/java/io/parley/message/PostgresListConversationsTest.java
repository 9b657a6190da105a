package io.parley.message;

/** {@link ListConversationsTest} on PostgreSQL: the same rules over the store of record. */
class PostgresListConversationsTest extends ListConversationsTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
