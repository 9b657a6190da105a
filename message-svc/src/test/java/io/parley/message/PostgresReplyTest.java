package io.parley.message;

/** {@link ReplyTest} on PostgreSQL: the quote survives the store of record. */
class PostgresReplyTest extends ReplyTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
