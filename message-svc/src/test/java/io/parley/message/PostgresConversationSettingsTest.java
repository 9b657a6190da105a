package io.parley.message;

/** {@link ConversationSettingsTest} on PostgreSQL: the same rules over the store of record. */
class PostgresConversationSettingsTest extends ConversationSettingsTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
