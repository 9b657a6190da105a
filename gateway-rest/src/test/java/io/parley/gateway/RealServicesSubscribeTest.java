package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonObject;
import io.parley.gateway.ParleyRest.Login;
import io.parley.gateway.ServerSentEvents.SseEvent;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v1/events} as Server-Sent Events from the real MessageService.Subscribe, with users,
 * friendships, messages and logins all made through the gateway: a message sent over REST arrives
 * on the recipient's stream, and a newer login on the same terminal ends it with SESSION_KICKED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesSubscribeTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);

  private RealParley parley;
  private ParleyRest rest;

  @BeforeAll
  void start() {
    parley = RealParley.start();
    rest = new ParleyRest(parley.http());
  }

  @AfterAll
  void stop() {
    parley.close();
  }

  @Test
  void messageSentOverRestArrivesOnTheStreamWhichEndsWithSessionKickedOnANewerLogin() {
    rest.register("ann");
    rest.register("ben");
    Login ann = rest.login("ann", "WEB");
    Login ben = rest.login("ben", "WEB");
    rest.befriend(ann, ben);

    assertTimeoutPreemptively(WITHIN, () -> {
      HttpResponse<Stream<String>> response = parley.http().openStream("/v1/events",
          "Accept", "text/event-stream", "Authorization", ben.authorization());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
      Iterator<String> lines = response.body().iterator();
      SseEvent subscribed = ServerSentEvents.read(lines, 1).get(0);
      assertThat(subscribed.event()).isEqualTo("message");
      assertThat(subscribed.json().getAsJsonObject("subscribed").get("sessionId").getAsString())
          .isEqualTo(ben.sessionId());

      JsonObject sent = rest.sendText(ann, ben.userId(), "sse-1", "Are you there, Ben?");

      SseEvent pushed = ServerSentEvents.read(lines, 1).get(0);
      assertThat(pushed.event()).isEqualTo("message");
      JsonObject message = pushed.json().getAsJsonObject("message");
      assertThat(message.get("messageId").getAsString()).isEqualTo(sent.get("messageId").getAsString());
      assertThat(message.get("conversationId").getAsString())
          .isEqualTo(ParleyRest.privateConversation(ann.userId(), ben.userId()));
      assertThat(message.get("seq").getAsString()).isEqualTo("1");
      assertThat(message.get("senderId").getAsString()).isEqualTo(ann.userId());
      assertThat(message.getAsJsonObject("content").getAsJsonObject("text").get("text").getAsString())
          .isEqualTo("Are you there, Ben?");

      Login again = rest.login("ben", "WEB");

      List<SseEvent> last = ServerSentEvents.read(lines, 10);
      assertThat(last).extracting(SseEvent::event).containsExactly("message", "error");
      assertThat(last.get(0).json().getAsJsonObject("sessionEnded").get("reason").getAsString())
          .isEqualTo("SESSION_KICKED");
      JsonObject error = last.get(1).json().getAsJsonObject("error");
      assertThat(error.get("code").getAsInt()).isEqualTo(401);
      assertThat(error.get("status").getAsString()).isEqualTo("UNAUTHENTICATED");
      assertThat(error.getAsJsonArray("details").toString())
          .contains("\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\"")
          .contains("\"reason\":\"SESSION_KICKED\"");
      assertThat(lines.hasNext()).as("the stream ended").isFalse();

      // The kicked token is refused from now on; the newer session works.
      HttpTester.Reply kicked = parley.http().get("/v1/users/me", "Authorization", ben.authorization());
      assertThat(kicked.status()).isEqualTo(401);
      assertThat(kicked.reason()).isEqualTo("SESSION_KICKED");
      HttpTester.Reply me = parley.http().get("/v1/users/me", "Authorization", again.authorization());
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().get("userId").getAsString()).isEqualTo(ben.userId());
    });
  }

  @Test
  void aStreamThatReconnectsWithLastEventIdGetsWhatItMissed() {
    rest.register("cat");
    rest.register("dan");
    Login cat = rest.login("cat", "WEB");
    Login dan = rest.login("dan", "WEB");
    rest.befriend(cat, dan);

    assertTimeoutPreemptively(WITHIN, () -> {
      HttpResponse<Stream<String>> first = parley.http().openStream("/v1/events",
          "Accept", "text/event-stream", "Authorization", dan.authorization());
      Iterator<String> lines = first.body().iterator();
      assertThat(ServerSentEvents.read(lines, 1).get(0).json().has("subscribed")).isTrue();
      rest.sendText(cat, dan.userId(), "sse-r1", "first");
      SseEvent received = ServerSentEvents.read(lines, 1).get(0);
      assertThat(received.id()).as("the event's cursor is its SSE id").isNotEmpty()
          .isEqualTo(received.json().get("cursor").getAsString());
      first.body().close();

      rest.sendText(cat, dan.userId(), "sse-r2", "sent while Dan was away");

      HttpResponse<Stream<String>> again = parley.http().openStream("/v1/events",
          "Accept", "text/event-stream", "Authorization", dan.authorization(), "Last-Event-ID", received.id());
      Iterator<String> resumed = again.body().iterator();
      List<SseEvent> events = ServerSentEvents.read(resumed, 2);
      assertThat(events.get(0).json().getAsJsonObject("subscribed").get("resume").getAsString())
          .isEqualTo("RESUME_OUTCOME_RESUMED");
      assertThat(events.get(1).json().getAsJsonObject("message").getAsJsonObject("content")
          .getAsJsonObject("text").get("text").getAsString()).isEqualTo("sent while Dan was away");
      again.body().close();

      HttpTester.Reply forged = parley.http().get("/v1/events", "Accept", "text/event-stream",
          "Authorization", dan.authorization(), "Last-Event-ID", "forged");
      assertThat(forged.status()).isEqualTo(400);
      assertThat(forged.reason()).isEqualTo("INVALID_CURSOR");
    });
  }
}
