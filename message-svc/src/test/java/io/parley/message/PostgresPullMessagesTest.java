package io.parley.message;

/** {@link PullMessagesTest} on PostgreSQL: the same rules over the store of record. */
class PostgresPullMessagesTest extends PullMessagesTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
