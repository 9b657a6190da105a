package io.parley.message;

/** {@link EditMessageTest} on PostgreSQL: the same rules over the store of record. */
class PostgresEditMessageTest extends EditMessageTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
