package io.parley.webhook;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Signed JSON POSTs with the JDK's {@link HttpClient}: each carries {@code Content-Type:
 * application/json}, {@value WebhookSignature#HEADER} (signed at the time of the attempt) and
 * {@value WebhookSignature#IDEMPOTENCY_KEY}. Never blocks the caller. Thread-safe.
 */
public final class WebhookClient {
  private final HttpClient http;
  private final WebhookSignature signature;
  private final Clock clock;

  /** A client signing with {@code settings}' secret, connecting within its request timeout. */
  public static WebhookClient of(WebhookSettings settings, Clock clock) {
    WebhookSignature signature = requireNonNull(settings, "settings").signature();
    if (signature == null) {
      throw new IllegalArgumentException("webhook settings have no secret");
    }
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(settings.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    return new WebhookClient(http, signature, clock);
  }

  WebhookClient(HttpClient http, WebhookSignature signature, Clock clock) {
    this.http = requireNonNull(http, "http");
    this.signature = requireNonNull(signature, "signature");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * POSTs {@code body} to {@code url}.
   *
   * @return the answer with its body as text, or exceptionally with the network failure or an
   *     {@link java.net.http.HttpTimeoutException} after {@code timeout}
   */
  public CompletableFuture<HttpResponse<String>> post(URI url, byte[] body, String idempotencyKey,
      Duration timeout) {
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "Parley-Webhooks")
        .header(WebhookSignature.HEADER, signature.header(clock.instant(), body))
        .header(WebhookSignature.IDEMPOTENCY_KEY, idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }
}
