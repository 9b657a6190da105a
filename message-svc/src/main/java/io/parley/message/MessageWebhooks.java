package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code message.sent} webhooks: for each new message among the live events of a committed
 * batch, an event whose data is {@code {"message": <Message as JSON>}} (stored, with its seq and
 * server time) and whose id is {@code message.sent:<message_id>}. It runs on the writer thread
 * after the batch's commit and before the sends are acknowledged, so an acknowledged message has
 * its deliveries queued; the one gap is a process that dies between the two (the message is
 * stored, its webhook is not queued). Never throws.
 */
final class MessageWebhooks implements Consumer<List<LiveEvent>> {
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
    List<WebhookEvent> sent = new ArrayList<>();
    for (LiveEvent live : committed) {
      if (live.event().getKindCase() == Event.KindCase.MESSAGE) {
        Message message = live.event().getMessage();
        sent.add(new WebhookEvent("message.sent:" + message.getMessageId(), WebhookSettings.MESSAGE_SENT,
            Instant.ofEpochMilli(Timestamps.toMillis(message.getServerTime())), "{\"message\":" + json(message) + "}"));
      }
    }
    if (!sent.isEmpty()) {
      dispatcher.publish(sent);
    }
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
