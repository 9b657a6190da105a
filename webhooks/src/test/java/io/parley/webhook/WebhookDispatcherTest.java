package io.parley.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.parley.testing.WebhookReceiver;
import io.parley.testing.WebhookReceiver.Answer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookDispatcherTest {
  private static final byte[] SECRET = "test-secret-0123456789".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WebhookReceiver receiver = WebhookReceiver.start();
  private WebhookDispatcher dispatcher;

  @AfterEach
  void tearDown() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    receiver.close();
  }

  private WebhookSettings.Builder settings() {
    return WebhookSettings.builder().url(receiver.url("/hooks")).secret(SECRET)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }

  private static WebhookEvent event(String id, String type) {
    return new WebhookEvent(id, type, Instant.parse("2026-12-04T15:00:00Z"), "{\"groupId\":\"g1\"}");
  }

  @Test
  void deliveryIsSignedJsonWithItsIdTypeTimeAndIdempotencyKey() {
    dispatcher = WebhookDispatcher.inMemory(settings().build(), Clock.systemUTC());

    dispatcher.publish(List.of(event("ev1", WebhookSettings.GROUP_MEMBER_JOINED)));

    await().atMost(WAIT).until(() -> receiver.received().size() == 1);
    WebhookReceiver.Received got = receiver.received().get(0);
    assertThat(got.path()).isEqualTo("/hooks");
    assertThat(got.contentType()).isEqualTo("application/json");
    assertThat(got.idempotencyKey()).isEqualTo("ev1");
    assertThat(new WebhookSignature(SECRET).verify(got.signature(), got.body(), Instant.now(), Duration.ofMinutes(5)))
        .isTrue();
    JsonObject body = JsonParser.parseString(got.text()).getAsJsonObject();
    assertThat(body.get("id").getAsString()).isEqualTo("ev1");
    assertThat(body.get("type").getAsString()).isEqualTo("group.member.joined");
    assertThat(body.get("time").getAsString()).isEqualTo("2026-12-04T15:00:00Z");
    assertThat(body.getAsJsonObject("data").get("groupId").getAsString()).isEqualTo("g1");
  }

  @Test
  void failedDeliveriesAreRetriedWithTheSameBodyAndIdempotencyKeyUntilTheySucceed() {
    AtomicInteger calls = new AtomicInteger();
    receiver.answering(r -> switch (calls.incrementAndGet()) {
      case 1 -> Answer.of(500);
      case 2 -> Answer.of(429);
      case 3 -> Answer.of(503);
      default -> Answer.of(200);
    });
    dispatcher = WebhookDispatcher.inMemory(settings().build(), Clock.systemUTC());

    dispatcher.publish(List.of(event("ev-retry", WebhookSettings.MESSAGE_SENT)));

    await().atMost(WAIT).until(() -> receiver.received().size() == 4);
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).extracting(WebhookReceiver.Received::idempotencyKey).containsOnly("ev-retry");
    assertThat(got).extracting(WebhookReceiver.Received::text).containsOnly(got.get(0).text());
    WebhookSignature signature = new WebhookSignature(SECRET);
    assertThat(got).allSatisfy(r ->
        assertThat(signature.verify(r.signature(), r.body(), Instant.now(), Duration.ofMinutes(5))).isTrue());
    // Delivered: no fifth attempt comes.
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> receiver.received().size() == 4);
  }

  @Test
  void clientErrorIsGivenUpAtOnceAndAttemptsStopAtTheMaximum() {
    receiver.answering(r -> r.idempotencyKey().equals("bad") ? Answer.of(400) : Answer.of(500));
    dispatcher = WebhookDispatcher.inMemory(settings().maxAttempts(3).build(), Clock.systemUTC());

    dispatcher.publish(List.of(event("bad", WebhookSettings.MESSAGE_SENT),
        event("down", WebhookSettings.MESSAGE_SENT)));

    await().atMost(WAIT).until(() -> receiver.received().size() == 4);
    await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> receiver.received().size() == 4);
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::idempotencyKey)
        .containsExactlyInAnyOrder("bad", "down", "down", "down");
  }

  @Test
  void unwantedEventTypesAreNotDelivered() {
    dispatcher = WebhookDispatcher.inMemory(settings().events(Set.of(WebhookSettings.MESSAGE_SENT)).build(),
        Clock.systemUTC());

    dispatcher.publish(List.of(event("g", WebhookSettings.GROUP_MEMBER_LEFT), event("m", WebhookSettings.MESSAGE_SENT)));

    await().atMost(WAIT).until(() -> receiver.received().size() == 1);
    assertThat(receiver.received().get(0).idempotencyKey()).isEqualTo("m");
    assertThat(dispatcher.wants(WebhookSettings.GROUP_MEMBER_LEFT)).isFalse();
  }

  @Test
  void aHangingEndpointDoesNotHoldUpPublishing() {
    receiver.answering(r -> new Answer(200, "", 3_000));
    dispatcher = WebhookDispatcher.inMemory(settings().concurrency(1).build(), Clock.systemUTC());

    long start = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      dispatcher.publish(List.of(event("slow" + i, WebhookSettings.MESSAGE_SENT)));
    }

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    await().atMost(WAIT).until(() -> receiver.received().size() == 1);
  }

  @Test
  void settingsRefuseUrlsWithoutSecretAndUnknownEvents() {
    assertThatThrownBy(() -> WebhookSettings.builder().url(URI.create("http://x.example/h")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
    assertThatThrownBy(() -> WebhookSettings.builder().events(Set.of("message.read")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown webhook event");
    assertThat(WebhookSettings.builder().url(URI.create("http://x.example/h")).secret(new byte[16])
        .events(Set.of(WebhookSettings.USER_OFFLINE)).build().wants(WebhookSettings.USER_OFFLINE)).isTrue();
    assertThatThrownBy(() -> WebhookSettings.builder().url(URI.create("ftp://x.example/h")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookSettings.builder().secret(new byte[4]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(settings().build().toString()).doesNotContain("test-secret");
  }
}
