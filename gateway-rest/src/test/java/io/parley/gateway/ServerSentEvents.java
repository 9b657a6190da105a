package io.parley.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reading a {@code text/event-stream} response line by line, as a browser's EventSource does. */
final class ServerSentEvents {
  /** One event: its type ("message" unless named), its data, and its id (null if it has none). */
  record SseEvent(String event, String data, String id) {
    JsonObject json() {
      return JsonParser.parseString(data).getAsJsonObject();
    }
  }

  private ServerSentEvents() {}

  /** Reads up to {@code max} events, skipping comments (heartbeats); fewer if the stream ends. */
  static List<SseEvent> read(Iterator<String> lines, int max) {
    List<SseEvent> events = new ArrayList<>();
    String event = "message";
    String id = null;
    StringBuilder data = null;
    while (events.size() < max && lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith(":")) {
        continue;
      }
      if (line.isEmpty()) {
        if (data != null) {
          events.add(new SseEvent(event, data.toString(), id));
        }
        event = "message";
        id = null;
        data = null;
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
      }
    }
    return events;
  }
}
