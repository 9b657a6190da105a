package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.parley.auth.TokenKeys;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import io.parley.testing.WebhookReceiver;
import io.parley.testing.WebhookReceiver.Answer;
import io.parley.user.v1.LoginResponse;
import io.parley.webhook.WebhookSettings;
import io.parley.webhook.WebhookSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The webhook options, and a node that calls a real HTTP server with them. */
class WebhooksTest {
  private static final String SECRET = "launcher-webhook-secret-0123";
  private static final TokenKeys KEYS = TokenKeys.hmac("webhooks-test-0123456789abcdef0123456".getBytes(UTF_8));

  @TempDir
  Path dir;

  private final WebhookReceiver events = WebhookReceiver.start();
  private final WebhookReceiver moderator = WebhookReceiver.start();

  @AfterEach
  void tearDown() {
    events.close();
    moderator.close();
  }

  private static LauncherOptions parse(String... args) {
    LauncherOptions options = new LauncherOptions();
    new CommandLine(new LauncherOptionsTest.Holder(options)).parseArgs(args);
    return options;
  }

  private Path secretFile() throws Exception {
    Path file = dir.resolve("webhook.secret");
    Files.writeString(file, SECRET + "\n");
    return file;
  }

  @Test
  void optionsConfigureUrlsEventsSecretAndTheBeforeSendHook() throws Exception {
    WebhookSettings settings = parse("--webhook-url", "http://a.example/h,http://b.example/h",
        "--webhook-secret-file", secretFile().toString(), "--webhook-events", "message.sent,group.member.left",
        "--before-send-url", "http://m.example/check", "--before-send-timeout", "250ms",
        "--before-send-on-timeout", "refuse").webhookSettings(Map.of());

    assertThat(settings.urls()).hasSize(2);
    assertThat(settings.events()).isEqualTo(Set.of("message.sent", "group.member.left"));
    assertThat(settings.beforeSendUrl()).isPresent();
    assertThat(settings.beforeSendTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.beforeSendOnTimeout()).isEqualTo(WebhookSettings.OnTimeout.REFUSE);
    assertThat(settings.toString()).doesNotContain(SECRET);
  }

  @Test
  void defaultsConfigureNothingAndTheSecretMayComeFromTheEnvironment() {
    WebhookSettings none = parse().webhookSettings(Map.of());
    assertThat(none.urls()).isEmpty();
    assertThat(none.beforeSendUrl()).isEmpty();
    assertThat(none.beforeSendTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(none.beforeSendOnTimeout()).isEqualTo(WebhookSettings.OnTimeout.ALLOW);

    assertThat(parse("--webhook-url", "http://a.example/h").webhookSettings(Map.of("PARLEY_WEBHOOK_SECRET", SECRET))
        .wants(WebhookSettings.MESSAGE_SENT)).isTrue();
  }

  @Test
  void wrongOptionsAreRefusedNamingWhatToFix() {
    assertThatThrownBy(() -> parse("--webhook-url", "http://a.example/h").webhookSettings(Map.of()))
        .hasMessageContaining("--webhook-secret-file");
    assertThatThrownBy(() -> parse("--webhook-events", "message.read").webhookSettings(Map.of()))
        .hasMessageContaining("unknown webhook event message.read");
    assertThatThrownBy(() -> parse("--before-send-on-timeout", "maybe").webhookSettings(Map.of()))
        .hasMessageContaining("allow or refuse");
  }

  @Test
  void embeddedNodeDeliversMessageSentAndItsBeforeSendHookRejects() throws Exception {
    moderator.answering(r -> r.text().contains("spam")
        ? Answer.json("{\"action\":\"reject\",\"reason\":\"spam\"}")
        : Answer.json("{\"action\":\"allow\"}"));
    WebhookSettings webhooks = parse("--webhook-url", events.url("/events").toString(), "--webhook-secret-file",
        secretFile().toString(), "--before-send-url", moderator.url("/check").toString()).webhookSettings(Map.of());
    try (ParleyNode all = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0)
        .httpPort(0).fastPasswordHashing(true).webhooks(webhooks).build())) {
      ManagedChannel channel = Clients.channel(all.grpcPort());
      try {
        LoginResponse alice = Clients.signUp(channel, "alice");
        LoginResponse bob = Clients.signUp(channel, "bob");
        FriendRequest request = Clients.as(FriendServiceGrpc.newBlockingStub(channel), alice.getAccessToken())
            .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(bob.getUser().getUserId()).build());
        Clients.as(FriendServiceGrpc.newBlockingStub(channel), bob.getAccessToken())
            .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request.getRequestId()).build());
        MessageServiceGrpc.MessageServiceBlockingStub asAlice =
            Clients.as(MessageServiceGrpc.newBlockingStub(channel), alice.getAccessToken());

        SendMessageResponse sent = asAlice.sendMessage(text(bob, "c1", "hello bob"));
        Clients.assertFails(() -> asAlice.sendMessage(text(bob, "c2", "cheap spam")),
            Status.Code.FAILED_PRECONDITION, "MESSAGE_REJECTED");

        await().atMost(Duration.ofSeconds(10)).until(() -> !events.received().isEmpty());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
            .until(() -> events.received().size() == 1);
        WebhookReceiver.Received delivered = events.received().get(0);
        assertThat(delivered.idempotencyKey()).isEqualTo("message.sent:" + sent.getMessageId());
        assertThat(delivered.text()).contains("hello bob");
        assertThat(new WebhookSignature(SECRET.getBytes(UTF_8)).verify(delivered.signature(), delivered.body(),
            Instant.now(), Duration.ofMinutes(5))).isTrue();
        assertThat(moderator.received()).hasSize(2);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static SendMessageRequest text(LoginResponse to, String clientMsgId, String text) {
    return SendMessageRequest.newBuilder().setToUserId(to.getUser().getUserId()).setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text))).build();
  }
}
