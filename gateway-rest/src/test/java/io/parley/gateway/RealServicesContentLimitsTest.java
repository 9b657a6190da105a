package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.parley.gateway.ParleyRest.Login;
import io.parley.gateway.ServerSentEvents.SseEvent;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What is stored can always be read, over REST (#13.1): custom content at message-svc's limits (16
 * levels of objects, 16 KiB of JSON) sent as JSON comes back from PullMessages, ListConversations
 * and the Server-Sent Events of Subscribe as the same JSON; one level deeper is a 400 naming the
 * field, and content nested deeper than protobuf decodes is a 400 too, never a 5xx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesContentLimitsTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);

  private RealParley parley;
  private ParleyRest rest;
  private Login ann;
  private Login ben;

  @BeforeAll
  void start() {
    parley = RealParley.start();
    rest = new ParleyRest(parley.http());
    rest.register("ann");
    rest.register("ben");
    ann = rest.login("ann", "WEB");
    ben = rest.login("ben", "WEB");
    rest.befriend(ann, ben);
  }

  @AfterAll
  void stop() {
    parley.close();
  }

  /** Objects nested {@code depth} deep, the outermost the first, with a string of {@code padding} at the top. */
  private static JsonObject nested(int depth, int padding) {
    JsonObject data = new JsonObject();
    data.addProperty("leaf", "x");
    for (int level = 1; level < depth; level++) {
      JsonObject outer = new JsonObject();
      outer.add("o", data);
      data = outer;
    }
    if (padding > 0) {
      data.addProperty("pad", "p".repeat(padding));
    }
    return data;
  }

  private HttpTester.Reply send(String clientMsgId, JsonElement data) {
    JsonObject custom = new JsonObject();
    custom.addProperty("type", "card");
    custom.add("data", data);
    JsonObject content = new JsonObject();
    content.add("custom", custom);
    JsonObject body = new JsonObject();
    body.addProperty("toUserId", ben.userId());
    body.addProperty("clientMsgId", clientMsgId);
    body.add("content", content);
    return parley.http().send("POST", "/v1/messages", body.toString(), "Authorization", ann.authorization());
  }

  private static JsonObject data(JsonObject message) {
    return message.getAsJsonObject("content").getAsJsonObject("custom").getAsJsonObject("data");
  }

  @Test
  void customContentAtTheLimitsIsReadBackAsTheSameJsonThroughEveryPath() {
    JsonObject deep = nested(16, 0);
    // 16 KiB exactly, as the gateway prints it (no white space).
    JsonObject large = nested(16, 16 * 1024 - deep.toString().length() - ",\"pad\":\"\"".length());
    assertThat(large.toString()).hasSize(16 * 1024);

    assertTimeoutPreemptively(WITHIN, () -> {
      HttpResponse<Stream<String>> events = parley.http().openStream("/v1/events",
          "Accept", "text/event-stream", "Authorization", ben.authorization());
      assertThat(events.statusCode()).isEqualTo(200);
      Iterator<String> lines = events.body().iterator();
      assertThat(ServerSentEvents.read(lines, 1).get(0).json().has("subscribed")).isTrue();

      for (JsonObject data : new JsonObject[] {deep, large}) {
        HttpTester.Reply sent = send("limit-" + data.toString().length(), data);
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        String conversation = sent.json().get("conversationId").getAsString();

        SseEvent pushed = ServerSentEvents.read(lines, 1).get(0);
        assertThat(data(pushed.json().getAsJsonObject("message"))).isEqualTo(data);

        HttpTester.Reply pulled = parley.http().get("/v1/conversations/" + conversation + "/messages?beforeSeq="
            + (sent.json().get("seq").getAsLong() + 1) + "&limit=1", "Authorization", ben.authorization());
        assertThat(pulled.status()).as(pulled.body()).isEqualTo(200);
        assertThat(data(pulled.json().getAsJsonArray("messages").get(0).getAsJsonObject())).isEqualTo(data);

        HttpTester.Reply listed = parley.http().get("/v1/conversations", "Authorization", ben.authorization());
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        JsonArray conversations = listed.json().getAsJsonArray("conversations");
        assertThat(data(conversations.get(0).getAsJsonObject().getAsJsonObject("lastMessage"))).isEqualTo(data);
      }
    });
  }

  @Test
  void customContentOneLevelTooDeepIsABadRequestNamingTheField() {
    HttpTester.Reply reply = send("too-deep", nested(17, 0));

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.reason()).isEqualTo("INVALID_ARGUMENT");
    assertThat(reply.detail("type.googleapis.com/google.rpc.BadRequest").toString()).contains("content.custom.data");
  }

  @Test
  void customContentNestedDeeperThanProtobufDecodesIsABadRequestNotAServerError() {
    for (int depth : new int[] {48, 60, 200}) {
      HttpTester.Reply reply = send("far-too-deep-" + depth, nested(depth, 0));
      assertThat(reply.status()).as("%s levels: %s", depth, reply.body()).isEqualTo(400);
      assertThat(reply.error().get("status").getAsString()).isEqualTo("INVALID_ARGUMENT");
    }
  }
}
