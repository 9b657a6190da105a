package io.parley.message;

/** {@link DeleteForMeTest} on PostgreSQL: the same rules over the store of record. */
class PostgresDeleteForMeTest extends DeleteForMeTest {
  @Override
  MessageRig startRig() {
    return MessageRig.onPostgres();
  }
}
