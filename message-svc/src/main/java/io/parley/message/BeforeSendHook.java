package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.parley.common.v1.ErrorReason;
import io.parley.data.UserText;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.webhook.WebhookClient;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookSettings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's before-send hook, for content moderation: each message about to be stored is
 * POSTed, signed like every webhook, as {@code {"id","type":"message.before_send","time","data":
 * {"message": …}}}, and the hook answers, with a 2xx:
 * <ul>
 *   <li>{@code {"action":"allow"}} (or an empty body): the message is stored as sent;
 *   <li>{@code {"action":"reject","reason":"…"}}: the send fails FAILED_PRECONDITION /
 *       MESSAGE_REJECTED, the reason (at most 200 characters) in ErrorInfo.metadata["reason"];
 *   <li>{@code {"action":"rewrite","content":{…}}}: the message is stored with this content
 *       (MessageContent as JSON), checked by the rules of a send first.
 * </ul>
 * Any other answer, or none within the timeout, is no answer: the message is stored as sent
 * (ALLOW) or the send fails UNAVAILABLE / MESSAGE_CHECK_UNAVAILABLE (REFUSE), as configured. The
 * call never blocks its caller's thread. Thread-safe.
 */
final class BeforeSendHook {
  private static final Logger logger = LoggerFactory.getLogger(BeforeSendHook.class);

  static final String TYPE = "message.before_send";
  private static final UserText REASON = UserText.label(200, 800);
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private final URI url;
  private final Duration timeout;
  private final WebhookSettings.OnTimeout onTimeout;
  private final WebhookClient client;
  private final Clock clock;

  private BeforeSendHook(URI url, WebhookSettings settings, Clock clock) {
    this.url = url;
    this.timeout = settings.beforeSendTimeout();
    this.onTimeout = settings.beforeSendOnTimeout();
    this.client = url == null ? null : WebhookClient.of(settings, clock);
    this.clock = clock;
  }

  /** The hook of {@code settings}; one that allows everything at once if none is configured. */
  static BeforeSendHook of(WebhookSettings settings, Clock clock) {
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    return new BeforeSendHook(settings.beforeSendUrl().orElse(null), settings, clock);
  }

  /**
   * Asks the hook about {@code message}.
   *
   * @param revalidate checks rewritten content by the rules of a send and answers the content to
   *     store; throws the send's ParleyException if it breaks them
   * @return the message to store (as sent, or rewritten), or exceptionally with a {@link
   *     ParleyException} (MESSAGE_REJECTED, MESSAGE_CHECK_UNAVAILABLE, or one of {@code revalidate})
   */
  CompletableFuture<Message> check(Message message, UnaryOperator<MessageContent> revalidate) {
    if (url == null) {
      return CompletableFuture.completedFuture(message);
    }
    byte[] body = new WebhookEvent(TYPE + ":" + message.getMessageId(), TYPE, clock.instant(),
        "{\"message\":" + MessageWebhooks.json(message) + "}").body();
    return client.post(url, body, TYPE + ":" + message.getMessageId(), timeout)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> decide(message, response, error, revalidate));
  }

  private Message decide(Message message, HttpResponse<String> response, Throwable error,
      UnaryOperator<MessageContent> revalidate) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      return noAnswer(message, cause.toString());
    }
    if (response.statusCode() / 100 != 2) {
      return noAnswer(message, "HTTP " + response.statusCode());
    }
    String text = response.body() == null ? "" : response.body().trim();
    if (text.isEmpty()) {
      return message;
    }
    Struct answer;
    try {
      Struct.Builder parsed = Struct.newBuilder();
      PARSER.merge(text, parsed);
      answer = parsed.build();
    } catch (InvalidProtocolBufferException e) {
      return noAnswer(message, "an answer that is not a JSON object");
    }
    String action = answer.getFieldsOrDefault("action", Value.getDefaultInstance()).getStringValue();
    switch (action) {
      case "allow" -> {
        return message;
      }
      case "reject" -> {
        String reason = answer.getFieldsOrDefault("reason", Value.getDefaultInstance()).getStringValue();
        ParleyException.Builder rejected = ParleyException.builder(ErrorReason.MESSAGE_REJECTED)
            .message("the message was rejected by the content check");
        String safe = safeReason(reason);
        if (!safe.isEmpty()) {
          rejected.metadata("reason", safe);
        }
        throw rejected.build();
      }
      case "rewrite" -> {
        MessageContent content;
        try {
          MessageContent.Builder parsed = MessageContent.newBuilder();
          PARSER.merge(JSON.print(answer.getFieldsOrThrow("content")), parsed);
          content = parsed.build();
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
          return noAnswer(message, "a rewrite without a valid content");
        }
        return message.toBuilder().setContent(revalidate.apply(content)).build();
      }
      default -> {
        return noAnswer(message, "an answer without a known action");
      }
    }
  }

  private static String safeReason(String reason) {
    if (reason.isEmpty()) {
      return "";
    }
    FieldViolations ignored = new FieldViolations();
    String checked = REASON.check(ignored, "reason", reason);
    return ignored.isEmpty() ? checked : "";
  }

  private Message noAnswer(Message message, String what) {
    logger.warn("before-send hook {} gave {} for message {}; {}", url, what, message.getMessageId(),
        onTimeout == WebhookSettings.OnTimeout.ALLOW ? "allowing it" : "refusing it");
    if (onTimeout == WebhookSettings.OnTimeout.ALLOW) {
      return message;
    }
    throw ParleyException.builder(ErrorReason.MESSAGE_CHECK_UNAVAILABLE)
        .message("the content check did not answer in time; retry later")
        .build();
  }

  @Override
  public String toString() {
    return "BeforeSendHook{" + url + ", timeout=" + timeout + ", onTimeout=" + onTimeout + "}";
  }
}
