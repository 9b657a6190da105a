package io.parley.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.parley.database.DatabaseSettings;
import io.parley.message.v1.SendMessageResponse;
import io.parley.testing.PostgresServer;
import io.parley.testing.WebhookReceiver;
import io.parley.testing.WebhookReceiver.Answer;
import io.parley.webhook.WebhookSettings;
import io.parley.webhook.WebhookSignature;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** message.sent webhooks against a real HTTP server, from memory and from the PostgreSQL outbox. */
class MessageWebhooksTest {
  private static final byte[] SECRET = "message-webhook-secret-01".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final WebhookReceiver receiver = WebhookReceiver.start();

  @AfterEach
  void tearDown() {
    receiver.close();
  }

  private WebhookSettings settings() {
    return WebhookSettings.builder().url(receiver.url("/events")).secret(SECRET)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
  }

  @Test
  void aStoredMessageIsDeliveredSignedWithItsSeq() {
    try (MessageRig rig = MessageRig.withWebhooks(settings(), null)) {
      User[] pair = rig.friendsPair();

      SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "hello hook");

      await().atMost(WAIT).until(() -> receiver.received().size() == 1);
      WebhookReceiver.Received got = receiver.received().get(0);
      assertThat(new WebhookSignature(SECRET).verify(got.signature(), got.body(), Instant.now(), Duration.ofMinutes(5)))
          .isTrue();
      assertThat(got.idempotencyKey()).isEqualTo("message.sent:" + sent.getMessageId());
      JsonObject body = JsonParser.parseString(got.text()).getAsJsonObject();
      assertThat(body.get("type").getAsString()).isEqualTo("message.sent");
      assertThat(body.get("id").getAsString()).isEqualTo(got.idempotencyKey());
      JsonObject message = body.getAsJsonObject("data").getAsJsonObject("message");
      assertThat(message.get("conversationId").getAsString()).isEqualTo(sent.getConversationId());
      assertThat(message.get("seq").getAsString()).isEqualTo(String.valueOf(sent.getSeq()));
      assertThat(message.get("senderId").getAsString()).isEqualTo(pair[0].id());
    }
  }

  @Test
  void aRetriedSendIsNotDeliveredTwice() {
    try (MessageRig rig = MessageRig.withWebhooks(settings(), null)) {
      User[] pair = rig.friendsPair();
      var request = MessageRig.text("same-client-id", "once").toBuilder().setToUserId(pair[1].id()).build();

      rig.as(pair[0]).sendMessage(request);
      assertThat(rig.as(pair[0]).sendMessage(request).getDuplicate()).isTrue();

      await().atMost(WAIT).until(() -> receiver.received().size() == 1);
      await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> receiver.received().size() == 1);
    }
  }

  @Test
  void deliveriesQueuedOnPostgresAreMadeAfterTheSenderRestarts() {
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    receiver.answering(r -> Answer.of(503));
    String messageId;
    try (MessageRig first = MessageRig.withWebhooks(settings(), database)) {
      User[] pair = first.friendsPair();
      messageId = first.sendTo(pair[0], pair[1], "survives a restart").getMessageId();
      // Retries are due by the rig's clock, which the test moves.
      await().atMost(WAIT).until(() -> {
        first.clock.advance(Duration.ofSeconds(1));
        return receiver.received().size() >= 2;
      });
    }
    int failedAttempts = receiver.received().size();
    receiver.answering(r -> Answer.of(200));

    try (MessageRig second = MessageRig.withWebhooks(settings(), database)) {
      await().atMost(WAIT).until(() -> {
        second.clock.advance(Duration.ofSeconds(1));
        return receiver.received().size() > failedAttempts;
      });
      await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> receiver.received().size() == failedAttempts + 1);
    }
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::idempotencyKey)
        .containsOnly("message.sent:" + messageId);
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::text)
        .containsOnly(receiver.received().get(0).text());
  }
}
