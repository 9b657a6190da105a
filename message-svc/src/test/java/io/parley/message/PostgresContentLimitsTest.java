package io.parley.message;

/** {@link ContentLimitsTest} on PostgreSQL: content at the limits read back from the store of record. */
class PostgresContentLimitsTest extends ContentLimitsTest {
  @Override
  MessageRig startRig() {
    return MessageRig.overTcpOnPostgres();
  }
}
