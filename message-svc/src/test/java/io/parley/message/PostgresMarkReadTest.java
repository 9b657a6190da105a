package io.parley.message;

/** {@link MarkReadTest} on PostgreSQL: the same rules over the store of record. */
class PostgresMarkReadTest extends MarkReadTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
