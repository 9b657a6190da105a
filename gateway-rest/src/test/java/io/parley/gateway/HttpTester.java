package io.parley.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Real HTTP/1.1 requests to a gateway on localhost, with java.net.http. */
final class HttpTester {
  /** An answer. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }

    JsonElement jsonElement() {
      return JsonParser.parseString(body);
    }

    /** The AIP-193 error object. */
    JsonObject error() {
      return json().getAsJsonObject("error");
    }

    /** The reason of the error's google.rpc.ErrorInfo detail, or null. */
    String reason() {
      return detail("type.googleapis.com/google.rpc.ErrorInfo") == null
          ? null
          : detail("type.googleapis.com/google.rpc.ErrorInfo").get("reason").getAsString();
    }

    /** The error detail of the given @type, or null. */
    JsonObject detail(String type) {
      for (JsonElement detail : error().getAsJsonArray("details")) {
        if (detail.getAsJsonObject().get("@type").getAsString().equals(type)) {
          return detail.getAsJsonObject();
        }
      }
      return null;
    }

    /** The header's value; several lines of a list-valued header joined with ", ", as HTTP combines them. */
    String header(String name) {
      List<String> values = headers.allValues(name);
      return values.isEmpty() ? null : String.join(", ", values);
    }
  }

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final URI base;

  HttpTester(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  URI uri(String pathAndQuery) {
    return base.resolve(pathAndQuery);
  }

  Reply get(String path, String... headers) {
    return send("GET", path, null, headers);
  }

  /** A JSON request; {@code body} may be null for none. Headers come as name, value pairs. */
  Reply send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    boolean contentType = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      contentType |= headers[i].equalsIgnoreCase("content-type");
    }
    if (body != null && !contentType) {
      request.header("Content-Type", "application/json");
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return send(request.build());
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A GET whose answer is read line by line as it arrives, for streams; closing the body's stream
   * cancels the request. Headers come as name, value pairs.
   */
  HttpResponse<Stream<String>> openStream(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A GET of a stream: for a 200, the body is the stream's first line, after which the stream is
   * closed (which cancels it); for anything else, the whole body. Headers come as name, value pairs.
   */
  Reply firstLine(String path, String... headers) {
    HttpResponse<Stream<String>> response = openStream(path, headers);
    try (Stream<String> lines = response.body()) {
      String body = response.statusCode() == 200
          ? lines.findFirst().orElse("")
          : lines.collect(Collectors.joining("\n"));
      return new Reply(response.statusCode(), response.headers(), body);
    }
  }

  HttpClient client() {
    return client;
  }
}
