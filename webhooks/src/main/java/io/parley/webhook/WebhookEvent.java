package io.parley.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.time.Instant;

/**
 * One event for webhook endpoints. Its body, the JSON object {@code {"id", "type", "time", "data"}},
 * is what every delivery sends, byte for byte, on every attempt.
 *
 * @param id unique; the {@code Idempotency-Key} of every attempt, so a receiver can drop repeats
 * @param type e.g. {@link WebhookSettings#MESSAGE_SENT}
 * @param time when the change happened
 * @param data the event's detail, a JSON object
 */
public record WebhookEvent(String id, String type, Instant time, String data) {
  public WebhookEvent {
    requireNonNull(id, "id");
    requireNonNull(type, "type");
    requireNonNull(time, "time");
    requireNonNull(data, "data");
    if (id.isEmpty() || type.isEmpty()) {
      throw new IllegalArgumentException("webhook event id and type must not be empty");
    }
    try {
      if (!JsonParser.parseString(data).isJsonObject()) {
        throw new IllegalArgumentException("webhook event data must be a JSON object");
      }
    } catch (JsonSyntaxException e) {
      throw new IllegalArgumentException("webhook event data must be JSON: " + e.getMessage(), e);
    }
  }

  /** The body every delivery of this event sends: {@code {"id","type","time","data"}}, UTF-8. */
  public byte[] body() {
    JsonObject body = new JsonObject();
    body.addProperty("id", id);
    body.addProperty("type", type);
    body.addProperty("time", time.toString());
    JsonElement parsed = JsonParser.parseString(data);
    body.add("data", parsed);
    return body.toString().getBytes(UTF_8);
  }
}
