package io.parley.message;

/** {@link ForwardTest} on PostgreSQL: the same rules over the store of record. */
class PostgresForwardTest extends ForwardTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
