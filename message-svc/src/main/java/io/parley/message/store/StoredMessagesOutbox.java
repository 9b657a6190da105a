package io.parley.message.store;

import io.parley.message.v1.Message;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Rows of its own that {@link PostgresMessageStore} writes in the very transaction that stores a
 * batch of new messages (the webhook outbox): they are committed together, or not at all.
 */
@FunctionalInterface
public interface StoredMessagesOutbox {
  /**
   * Writes what {@code stored} calls for on {@code connection}, inside the batch's transaction; it
   * must not commit or roll back.
   *
   * @param stored the batch's new messages (not repeated sends), with their seq and server time
   */
  void write(Connection connection, List<Message> stored) throws SQLException;

  /**
   * Whether {@link #write} has anything to write now. When not, a batch may be stored without a
   * transaction of its own around it (in one statement).
   */
  default boolean active() {
    return true;
  }
}
