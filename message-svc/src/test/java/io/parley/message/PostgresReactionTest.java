package io.parley.message;

/** {@link ReactionTest} on PostgreSQL: the same rules over the store of record. */
class PostgresReactionTest extends ReactionTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
