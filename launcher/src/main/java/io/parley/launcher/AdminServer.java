package io.parley.launcher;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's admin HTTP port, apart from the API ports: {@code GET /metrics} answers the
 * registry's meters in the Prometheus text format (version 0.0.4); anything else is a 404, and a
 * method other than GET or HEAD a 405. It is the JDK's own HTTP server on one daemon thread:
 * scrapes are few, and a slow one never holds an API thread.
 *
 * <p>It serves no secret and needs none: bind it where only the scraper can reach it (e.g. a
 * cluster-internal port). Thread-safe; {@link #close()} stops it at once.
 */
final class AdminServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AdminServer.class);
  static final String METRICS_PATH = "/metrics";
  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;

  private AdminServer(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
  }

  /**
   * Starts serving {@code registry} on {@code host:port}.
   *
   * @param port the TCP port; 0 picks a free one
   * @throws UncheckedIOException if the port cannot be bound
   */
  static AdminServer start(String host, int port, PrometheusMeterRegistry registry) {
    requireNonNull(host, "host");
    requireNonNull(registry, "registry");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the admin server on " + host + ":" + port + " ("
          + e.getMessage() + "): give each process on a host its own --admin-port, or --admin-port off", e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "parley-admin");
      thread.setDaemon(true);
      return thread;
    });
    AdminServer admin = new AdminServer(server, executor, registry);
    server.setExecutor(executor);
    server.createContext("/", admin::handle);
    server.start();
    logger.info("admin server on http://{}:{}{}", host, admin.port(), METRICS_PATH);
    return admin;
  }

  /** The port bound. */
  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals(METRICS_PATH)) {
        answer(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at " + METRICS_PATH + "\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        answer(exchange, 405, "text/plain; charset=utf-8", "use GET\n");
      } else {
        answer(exchange, 200, TEXT_FORMAT, registry.scrape(TEXT_FORMAT));
      }
    }
  }

  private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops at once: a scrape in flight is cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
