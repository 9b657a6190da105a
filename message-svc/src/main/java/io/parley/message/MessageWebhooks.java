package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.parley.message.store.StoredMessagesOutbox;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code message.sent} webhooks: for each new message, an event whose data is {@code
 * {"message": <Message as JSON>}} (as stored, with its seq and server time) and whose id is {@code
 * message.sent:<message_id>}. On PostgreSQL its deliveries are written into the outbox by the
 * transaction that stores the message ({@link #write}), so a stored message always has them queued;
 * in memory they are queued from the live events of the committed batch ({@link #accept}), on the
 * writer thread, before the sends are acknowledged. Never throws out of {@link #accept}.
 */
final class MessageWebhooks implements Consumer<List<LiveEvent>>, StoredMessagesOutbox {
  private static final Logger logger = LoggerFactory.getLogger(MessageWebhooks.class);
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private final WebhookDispatcher dispatcher;

  MessageWebhooks(WebhookDispatcher dispatcher) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
  }

  @Override
  public void accept(List<LiveEvent> committed) {
    if (!dispatcher.wants(WebhookSettings.MESSAGE_SENT)) {
      return;
    }
    try {
      publish(committed);
    } catch (RuntimeException e) {
      logger.error("could not queue the message.sent webhooks of {} events", committed.size(), e);
    }
  }

  private void publish(List<LiveEvent> committed) {
    if (dispatcher.isTransactional()) {
      // Already in the outbox, written by the batch's transaction (write).
      dispatcher.wake();
      return;
    }
    List<Message> stored = new ArrayList<>();
    for (LiveEvent live : committed) {
      if (live.event().getKindCase() == Event.KindCase.MESSAGE) {
        stored.add(live.event().getMessage());
      }
    }
    if (!stored.isEmpty()) {
      dispatcher.publish(events(stored));
    }
  }

  @Override
  public boolean active() {
    return dispatcher.wants(WebhookSettings.MESSAGE_SENT);
  }

  /**
   * Writes the deliveries of {@code stored} in the transaction that stores them (PostgreSQL), so that
   * a stored message always has its webhooks queued.
   */
  @Override
  public void write(Connection connection, List<Message> stored) throws SQLException {
    if (dispatcher.wants(WebhookSettings.MESSAGE_SENT)) {
      dispatcher.publishInTransaction(connection, events(stored));
    }
  }

  private static List<WebhookEvent> events(List<Message> stored) {
    List<WebhookEvent> events = new ArrayList<>(stored.size());
    for (Message message : stored) {
      events.add(new WebhookEvent("message.sent:" + message.getMessageId(), WebhookSettings.MESSAGE_SENT,
          Instant.ofEpochMilli(Timestamps.toMillis(message.getServerTime())), "{\"message\":" + json(message) + "}"));
    }
    return events;
  }

  /** {@code message} as JSON, the way the REST gateway prints it. */
  static String json(Message message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a stored message always prints as JSON", e);
    }
  }
}
