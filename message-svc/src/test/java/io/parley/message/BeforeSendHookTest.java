package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.violatedFields;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.message.v1.Message;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.testing.WebhookReceiver;
import io.parley.testing.WebhookReceiver.Answer;
import io.parley.webhook.WebhookSettings;
import io.parley.webhook.WebhookSignature;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The before-send hook, against a real HTTP server: allow, reject, rewrite, and no answer in time. */
class BeforeSendHookTest {
  private static final byte[] SECRET = "before-send-secret-0123".getBytes(UTF_8);

  private final WebhookReceiver hook = WebhookReceiver.start();
  private MessageRig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
    hook.close();
  }

  private MessageRig start(WebhookSettings.OnTimeout onTimeout) {
    rig = MessageRig.withWebhooks(WebhookSettings.builder().secret(SECRET).beforeSendUrl(hook.url("/check"))
        .beforeSendTimeout(Duration.ofMillis(300)).beforeSendOnTimeout(onTimeout).build(), null);
    return rig;
  }

  private List<Message> pull(User user, String conversationId) {
    return rig.as(user).pullMessages(PullMessagesRequest.newBuilder().setConversationId(conversationId).build())
        .getMessagesList();
  }

  @Test
  void hookReceivesTheSignedMessageAndAnAllowStoresItAsSent() {
    hook.answering(r -> Answer.json("{\"action\":\"allow\"}"));
    start(WebhookSettings.OnTimeout.REFUSE);
    User[] pair = rig.friendsPair();

    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "hello moderator");

    assertThat(pull(pair[1], sent.getConversationId())).extracting(m -> m.getContent().getText().getText())
        .containsExactly("hello moderator");
    WebhookReceiver.Received call = hook.received().get(0);
    assertThat(new WebhookSignature(SECRET).verify(call.signature(), call.body(), Instant.now(), Duration.ofMinutes(5)))
        .isTrue();
    JsonObject body = JsonParser.parseString(call.text()).getAsJsonObject();
    assertThat(body.get("type").getAsString()).isEqualTo("message.before_send");
    JsonObject message = body.getAsJsonObject("data").getAsJsonObject("message");
    assertThat(message.get("senderId").getAsString()).isEqualTo(pair[0].id());
    assertThat(message.getAsJsonObject("content").getAsJsonObject("text").get("text").getAsString())
        .isEqualTo("hello moderator");
    assertThat(call.idempotencyKey()).isEqualTo("message.before_send:" + sent.getMessageId());
  }

  @Test
  void rejectFailsTheSendWithMessageRejectedAndStoresNothing() {
    hook.answering(r -> Answer.json("{\"action\":\"reject\",\"reason\":\"no spam please\"}"));
    start(WebhookSettings.OnTimeout.ALLOW);
    User[] pair = rig.friendsPair();

    Throwable thrown = assertFails(() -> rig.sendTo(pair[0], pair[1], "buy now"), Status.Code.FAILED_PRECONDITION,
        ErrorReason.MESSAGE_REJECTED);

    assertThat(errorInfo(thrown).getMetadataMap()).containsEntry("reason", "no spam please");
    hook.answering(r -> Answer.of(204));
    SendMessageResponse next = rig.sendTo(pair[0], pair[1], "hello");
    assertThat(pull(pair[1], next.getConversationId())).extracting(m -> m.getContent().getText().getText())
        .containsExactly("hello");
  }

  @Test
  void anEditPassesTheHookAsASendDoes() {
    hook.answering(r -> Answer.of(204));
    start(WebhookSettings.OnTimeout.ALLOW);
    User[] pair = rig.friendsPair();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "hello");
    hook.answering(r -> Answer.json("{\"action\":\"reject\",\"reason\":\"no spam please\"}"));

    assertFails(() -> rig.as(pair[0]).editMessage(EditMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq())
        .setContent(MessageRig.text("x", "buy now").getContent()).build()), Status.Code.FAILED_PRECONDITION,
        ErrorReason.MESSAGE_REJECTED);

    assertThat(pull(pair[1], sent.getConversationId())).extracting(m -> m.getContent().getText().getText())
        .containsExactly("hello");
    hook.answering(r -> Answer.json("{\"action\":\"rewrite\",\"content\":{\"text\":{\"text\":\"[redacted]\"}}}"));
    assertThat(rig.as(pair[0]).editMessage(EditMessageRequest.newBuilder()
        .setConversationId(sent.getConversationId()).setSeq(sent.getSeq())
        .setContent(MessageRig.text("x", "my password is hunter2").getContent()).build())
        .getContent().getText().getText()).isEqualTo("[redacted]");
  }

  @Test
  void rewriteStoresTheHooksContent() {
    hook.answering(r -> Answer.json("{\"action\":\"rewrite\",\"content\":{\"text\":{\"text\":\"[redacted]\"}}}"));
    start(WebhookSettings.OnTimeout.ALLOW);
    User[] pair = rig.friendsPair();

    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "my password is hunter2");

    assertThat(pull(pair[1], sent.getConversationId())).extracting(m -> m.getContent().getText().getText())
        .containsExactly("[redacted]");
  }

  @Test
  void rewriteIsCheckedByTheRulesOfASend() {
    hook.answering(r -> Answer.json("{\"action\":\"rewrite\",\"content\":{\"text\":{\"text\":\"\"}}}"));
    start(WebhookSettings.OnTimeout.ALLOW);
    User[] pair = rig.friendsPair();

    Throwable thrown = assertFails(() -> rig.sendTo(pair[0], pair[1], "hi"), Status.Code.INVALID_ARGUMENT,
        ErrorReason.INVALID_ARGUMENT);

    assertThat(violatedFields(thrown)).isNotEmpty();
  }

  @Test
  void noAnswerInTimeStoresTheMessageWhenSetToAllow() {
    hook.answering(r -> new Answer(200, "{\"action\":\"reject\"}", 2_000));
    start(WebhookSettings.OnTimeout.ALLOW);
    User[] pair = rig.friendsPair();

    long start = System.nanoTime();
    SendMessageResponse sent = rig.sendTo(pair[0], pair[1], "slow hook");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
    assertThat(pull(pair[1], sent.getConversationId())).extracting(m -> m.getContent().getText().getText())
        .containsExactly("slow hook");
  }

  @Test
  void noAnswerInTimeRefusesTheSendWhenSetToRefuse() {
    hook.answering(r -> new Answer(200, "{\"action\":\"allow\"}", 2_000));
    start(WebhookSettings.OnTimeout.REFUSE);
    User[] pair = rig.friendsPair();

    assertFails(() -> rig.sendTo(pair[0], pair[1], "slow hook"), Status.Code.UNAVAILABLE,
        ErrorReason.MESSAGE_CHECK_UNAVAILABLE);
  }

  @Test
  void anErrorAnswerCountsAsNoAnswer() {
    hook.answering(r -> Answer.of(500));
    start(WebhookSettings.OnTimeout.REFUSE);
    User[] pair = rig.friendsPair();

    assertFails(() -> rig.sendTo(pair[0], pair[1], "hi"), Status.Code.UNAVAILABLE,
        ErrorReason.MESSAGE_CHECK_UNAVAILABLE);
  }
}
