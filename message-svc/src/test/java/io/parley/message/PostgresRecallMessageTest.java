package io.parley.message;

/** {@link RecallMessageTest} on PostgreSQL: the same rules over the store of record. */
class PostgresRecallMessageTest extends RecallMessageTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
