package io.parley.webhook;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which HTTP endpoints are told of which events, with what key they are signed, and how the
 * before-send hook behaves. Immutable; {@link #none()} configures nothing, {@link #builder()}
 * validates. {@link #toString()} never shows the secret.
 */
public final class WebhookSettings {
  /** A message was stored (after its commit). */
  public static final String MESSAGE_SENT = "message.sent";
  /** A user became a member of a group (joined, accepted an invitation, was approved or added). */
  public static final String GROUP_MEMBER_JOINED = "group.member.joined";
  /** A member left a group. */
  public static final String GROUP_MEMBER_LEFT = "group.member.left";
  /** An admin or the owner removed a member from a group. */
  public static final String GROUP_MEMBER_REMOVED = "group.member.removed";
  /** A user's last device went offline (for offline push). */
  public static final String USER_OFFLINE = "user.offline";
  /** Every event type an endpoint may be sent, in the order the README lists them. */
  public static final Set<String> EVENT_TYPES =
      Set.copyOf(List.of(MESSAGE_SENT, GROUP_MEMBER_JOINED, GROUP_MEMBER_LEFT, GROUP_MEMBER_REMOVED, USER_OFFLINE));

  /** The fewest bytes of an HMAC key. */
  public static final int MIN_SECRET_BYTES = 16;

  /** What a send does when the before-send hook gives no usable answer in time. */
  public enum OnTimeout {
    /** Store the message as it was sent. */
    ALLOW,
    /** Fail the send with UNAVAILABLE / MESSAGE_CHECK_UNAVAILABLE; the client may retry. */
    REFUSE;

    /** {@code allow} or {@code refuse}, in any case. */
    public static OnTimeout parse(String value) {
      try {
        return valueOf(requireNonNull(value, "value").trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("before-send on-timeout must be allow or refuse: " + value, e);
      }
    }
  }

  private static final WebhookSettings NONE = builder().build();

  private final List<URI> urls;
  private final byte[] secret;
  private final Set<String> events;
  private final URI beforeSendUrl;
  private final Duration beforeSendTimeout;
  private final OnTimeout beforeSendOnTimeout;
  private final int concurrency;
  private final int queueCapacity;
  private final Duration requestTimeout;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final int maxAttempts;

  private WebhookSettings(Builder b) {
    this.urls = List.copyOf(b.urls);
    this.secret = b.secret == null ? null : b.secret.clone();
    this.events = Set.copyOf(b.events);
    this.beforeSendUrl = b.beforeSendUrl;
    this.beforeSendTimeout = b.beforeSendTimeout;
    this.beforeSendOnTimeout = b.beforeSendOnTimeout;
    this.concurrency = b.concurrency;
    this.queueCapacity = b.queueCapacity;
    this.requestTimeout = b.requestTimeout;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxAttempts = b.maxAttempts;
  }

  /** No endpoint and no before-send hook. */
  public static WebhookSettings none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The endpoints every wanted event is delivered to; empty for none. */
  public List<URI> urls() {
    return urls;
  }

  /** Whether {@code type} is delivered: some endpoint is configured and the type was chosen. */
  public boolean wants(String type) {
    return !urls.isEmpty() && events.contains(type);
  }

  /** The event types chosen (all by default). */
  public Set<String> events() {
    return events;
  }

  /** The signature of every delivery and hook call, or null when nothing is configured. */
  WebhookSignature signature() {
    return secret == null ? null : new WebhookSignature(secret);
  }

  /** The before-send hook's URL, if one is configured. */
  public Optional<URI> beforeSendUrl() {
    return Optional.ofNullable(beforeSendUrl);
  }

  /** How long a send waits for the before-send hook; 1 second by default. */
  public Duration beforeSendTimeout() {
    return beforeSendTimeout;
  }

  /** What a send does without an answer of the hook in time; ALLOW by default. */
  public OnTimeout beforeSendOnTimeout() {
    return beforeSendOnTimeout;
  }

  /** Deliveries in flight at once, over all endpoints; 8 by default. */
  public int concurrency() {
    return concurrency;
  }

  /** Deliveries the memory outbox holds at most (more are dropped and logged); 10,000 by default. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** How long one delivery attempt may take; 10 seconds by default. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The delay before the first retry, doubled at each further one; 1 second by default. */
  public Duration minBackoff() {
    return minBackoff;
  }

  /** The longest delay between two attempts; 5 minutes by default. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Attempts of one delivery before it is given up (and logged); 20 by default, about an hour. */
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public String toString() {
    return "WebhookSettings{urls=" + urls + ", events=" + events + ", beforeSendUrl=" + beforeSendUrl
        + ", beforeSendTimeout=" + beforeSendTimeout + ", onTimeout=" + beforeSendOnTimeout
        + (secret == null ? "" : ", secret=***") + "}";
  }

  /** Builds {@link WebhookSettings}; {@link #build()} rejects incomplete or impossible settings. */
  public static final class Builder {
    private final List<URI> urls = new ArrayList<>();
    private byte[] secret;
    private final Set<String> events = new LinkedHashSet<>(EVENT_TYPES);
    private URI beforeSendUrl;
    private Duration beforeSendTimeout = Duration.ofSeconds(1);
    private OnTimeout beforeSendOnTimeout = OnTimeout.ALLOW;
    private int concurrency = 8;
    private int queueCapacity = 10_000;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration minBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private int maxAttempts = 20;

    private Builder() {}

    /** Adds an endpoint ({@code http} or {@code https}). */
    public Builder url(URI url) {
      urls.add(httpUrl(url, "webhook url"));
      return this;
    }

    /** The HMAC-SHA256 key, at least {@value #MIN_SECRET_BYTES} bytes; required with any URL. */
    public Builder secret(byte[] secret) {
      requireNonNull(secret, "secret");
      if (secret.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("webhook secret must be at least " + MIN_SECRET_BYTES + " bytes, is "
            + secret.length);
      }
      this.secret = secret.clone();
      return this;
    }

    /** The event types to deliver, replacing the default (all of {@link #EVENT_TYPES}). */
    public Builder events(Set<String> types) {
      requireNonNull(types, "types");
      for (String type : types) {
        if (!EVENT_TYPES.contains(type)) {
          throw new IllegalArgumentException("unknown webhook event " + type + "; known: " + EVENT_TYPES);
        }
      }
      if (types.isEmpty()) {
        throw new IllegalArgumentException("webhook events must name at least one of " + EVENT_TYPES);
      }
      events.clear();
      events.addAll(types);
      return this;
    }

    /** The before-send hook ({@code http} or {@code https}). */
    public Builder beforeSendUrl(URI url) {
      this.beforeSendUrl = httpUrl(url, "before-send url");
      return this;
    }

    /** How long a send waits for the hook: more than 0, at most 30 seconds. */
    public Builder beforeSendTimeout(Duration timeout) {
      this.beforeSendTimeout = positive(timeout, "before-send timeout", Duration.ofSeconds(30));
      return this;
    }

    public Builder beforeSendOnTimeout(OnTimeout onTimeout) {
      this.beforeSendOnTimeout = requireNonNull(onTimeout, "onTimeout");
      return this;
    }

    /** Deliveries in flight at once: 1-256. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 256) {
        throw new IllegalArgumentException("webhook concurrency must be 1-256: " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /** Deliveries the memory outbox holds: at least 1. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("webhook queue capacity must be positive: " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** How long one attempt may take: more than 0, at most 5 minutes. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "webhook request timeout", Duration.ofMinutes(5));
      return this;
    }

    /** The first retry's delay and the longest delay; {@code min <= max}. */
    public Builder backoff(Duration min, Duration max) {
      positive(min, "webhook min backoff", Duration.ofDays(1));
      positive(max, "webhook max backoff", Duration.ofDays(1));
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException("webhook min backoff " + min + " exceeds max backoff " + max);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** Attempts of one delivery before it is given up: at least 1. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("webhook max attempts must be positive: " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a URL or the before-send hook is configured without a
     *     secret (every call is signed)
     */
    public WebhookSettings build() {
      if ((!urls.isEmpty() || beforeSendUrl != null) && secret == null) {
        throw new IllegalArgumentException("webhook urls and the before-send url need a secret "
            + "(--webhook-secret-file): every call is signed");
      }
      return new WebhookSettings(this);
    }

    private static URI httpUrl(URI url, String what) {
      requireNonNull(url, what);
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
        throw new IllegalArgumentException(what + " must be an http or https URL with a host: " + url);
      }
      return url;
    }

    private static Duration positive(Duration value, String what, Duration max) {
      requireNonNull(value, what);
      if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be more than 0 and at most " + max + ": " + value);
      }
      return value;
    }
  }
}
