package io.parley.message;

/** {@link SendMessageTest} on PostgreSQL: the same rules over the store of record. */
class PostgresSendMessageTest extends SendMessageTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
