package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookSettings;
import java.time.Instant;
import java.util.List;

/**
 * The {@code user.offline} webhooks, for offline push: when a user's last device goes offline, an
 * event whose data is {@code {"userId": …, "lastSeen": <RFC 3339>}} and whose id is {@code
 * user.offline:<user_id>:<last seen, ms>}, queued in message-svc's webhook outbox (PostgreSQL or
 * memory) by the one replica that made the change. Never throws.
 */
final class PresenceWebhooks {
  private final WebhookDispatcher dispatcher;

  PresenceWebhooks(WebhookDispatcher dispatcher) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
  }

  void offline(String userId, long lastSeenMillis) {
    if (!dispatcher.wants(WebhookSettings.USER_OFFLINE)) {
      return;
    }
    Struct body = Struct.newBuilder()
        .putFields("userId", Value.newBuilder().setStringValue(userId).build())
        .putFields("lastSeen", Value.newBuilder()
            .setStringValue(Timestamps.toString(Timestamps.fromMillis(lastSeenMillis))).build())
        .build();
    String data;
    try {
      data = JsonFormat.printer().omittingInsignificantWhitespace().print(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a struct of strings always prints as JSON", e);
    }
    dispatcher.publish(List.of(new WebhookEvent("user.offline:" + userId + ":" + lastSeenMillis,
        WebhookSettings.USER_OFFLINE, Instant.ofEpochMilli(lastSeenMillis), data)));
  }
}
