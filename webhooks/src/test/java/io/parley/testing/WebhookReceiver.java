package io.parley.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on a free loopback port (the JDK's {@link HttpServer}) that records every
 * request it receives and answers what the test's responder says: the endpoint of webhook tests.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  public record Received(String path, String signature, String idempotencyKey, String contentType, byte[] body) {
    public String text() {
      return new String(body, UTF_8);
    }
  }

  /** An answer: a status and a JSON body (may be empty), after an optional delay. */
  public record Answer(int status, String body, long delayMillis) {
    public static Answer of(int status) {
      return new Answer(status, "", 0);
    }

    public static Answer json(String body) {
      return new Answer(200, body, 0);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Function<Received, Answer> responder = r -> Answer.of(204);

  private WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "webhook-receiver");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a receiver that answers 204 until told otherwise. */
  public static WebhookReceiver start() {
    try {
      return new WebhookReceiver();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers each request (already recorded) with what {@code responder} says. */
  public WebhookReceiver answering(Function<Received, Answer> responder) {
    this.responder = responder;
    return this;
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    var headers = exchange.getRequestHeaders();
    Received request = new Received(exchange.getRequestURI().getPath(), headers.getFirst("Parley-Signature"),
        headers.getFirst("Idempotency-Key"), headers.getFirst("Content-Type"), body);
    received.add(request);
    Answer answer = responder.apply(request);
    if (answer.delayMillis() > 0) {
      try {
        Thread.sleep(answer.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] out = answer.body().getBytes(UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
