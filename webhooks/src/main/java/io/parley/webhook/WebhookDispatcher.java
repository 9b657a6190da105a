package io.parley.webhook;

import static java.util.Objects.requireNonNull;

import io.parley.database.Database;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to the configured endpoints, at least once, signed, from an outbox.
 *
 * <p>{@link #publish} only writes the outbox (an insert on PostgreSQL, a bounded queue in memory)
 * and never calls an endpoint, so a slow or dead endpoint never slows the change that published.
 * One thread claims due deliveries and sends them, at most {@link WebhookSettings#concurrency()}
 * at once. A 2xx answer ends a delivery. A network error, a timeout, a 5xx or a 429 is retried
 * after an exponential backoff with jitter (from {@link WebhookSettings#minBackoff()}, doubling, at
 * most {@link WebhookSettings#maxBackoff()}), up to {@link WebhookSettings#maxAttempts()} attempts;
 * another 4xx gives the delivery up. Each attempt sends the same body and Idempotency-Key (the event
 * id) with a fresh signature. On PostgreSQL a delivery claimed by a process that then died is
 * retried once its lease (the request timeout and half a minute) has run out, by any replica.
 * Thread-safe.
 */
public final class WebhookDispatcher implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WebhookDispatcher.class);

  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

  private final WebhookSettings settings;
  private final WebhookOutbox outbox;
  private final Clock clock;
  private final WebhookClient client;
  private final Semaphore inFlight;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private volatile boolean open = true;
  private boolean woken;

  private WebhookDispatcher(WebhookSettings settings, WebhookOutbox outbox, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.outbox = requireNonNull(outbox, "outbox");
    this.clock = requireNonNull(clock, "clock");
    this.inFlight = new Semaphore(settings.concurrency());
    if (settings.urls().isEmpty()) {
      this.client = null;
      this.thread = null;
    } else {
      this.client = WebhookClient.of(settings, clock);
      this.thread = new Thread(this::run, "parley-webhooks");
      this.thread.setDaemon(true);
      this.thread.start();
    }
  }

  /** Deliveries queued in this process's memory (lost on exit), at most the queue capacity. */
  public static WebhookDispatcher inMemory(WebhookSettings settings, Clock clock) {
    return new WebhookDispatcher(settings, new MemoryWebhookOutbox(settings.queueCapacity()), clock);
  }

  /**
   * Deliveries kept in the table {@code webhook_outbox} of {@code database}'s schema, which the
   * service's migrations create; the database stays the caller's to close, after this.
   */
  public static WebhookDispatcher onPostgres(WebhookSettings settings, Database database, Clock clock) {
    return new WebhookDispatcher(settings, new PostgresWebhookOutbox(database), clock);
  }

  /** Whether events of {@code type} are delivered anywhere (callers skip building the others). */
  public boolean wants(String type) {
    return settings.wants(type);
  }

  /**
   * Queues a delivery of each wanted event to each endpoint; unwanted events are ignored. Never
   * throws and never waits for an endpoint: an outbox that cannot take the events (database down,
   * memory queue full) loses them, and says so in the log.
   */
  public void publish(List<WebhookEvent> events) {
    requireNonNull(events, "events");
    List<WebhookEvent> wanted = events.stream().filter(e -> settings.wants(e.type())).toList();
    if (wanted.isEmpty() || !open) {
      return;
    }
    try {
      int added = outbox.add(wanted, settings.urls(), clock.instant());
      int expected = wanted.size() * settings.urls().size();
      if (added < expected) {
        logger.warn("webhook queue is full ({} deliveries): {} deliveries of {} were dropped",
            settings.queueCapacity(), expected - added, wanted.get(0).type());
      }
    } catch (RuntimeException e) {
      logger.warn("could not queue {} webhook events of type {}: {}", wanted.size(), wanted.get(0).type(),
          e.toString());
    }
    signal();
  }

  /**
   * Writes deliveries of the wanted events into the outbox on {@code connection}, inside the
   * caller's transaction, so that they are committed with the change they tell of, or not at all.
   * Call {@link #wake()} once the transaction has committed.
   *
   * @throws IllegalStateException if this dispatcher's outbox is not on PostgreSQL
   */
  public void publishInTransaction(Connection connection, List<WebhookEvent> events) throws SQLException {
    requireNonNull(connection, "connection");
    requireNonNull(events, "events");
    if (!(outbox instanceof PostgresWebhookOutbox)) {
      throw new IllegalStateException("this webhook outbox is not on PostgreSQL");
    }
    List<WebhookEvent> wanted = events.stream().filter(e -> settings.wants(e.type())).toList();
    if (!wanted.isEmpty()) {
      PostgresWebhookOutbox.insert(connection, wanted, settings.urls(), clock.instant());
    }
  }

  /** Whether {@link #publishInTransaction} may be called: the outbox is on PostgreSQL. */
  public boolean isTransactional() {
    return outbox instanceof PostgresWebhookOutbox;
  }

  /** Tells the delivery thread that deliveries were committed ({@link #publishInTransaction}). */
  public void wake() {
    signal();
  }

  private void signal() {
    lock.lock();
    try {
      woken = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (open) {
      int free = inFlight.availablePermits();
      int claimed = 0;
      if (free > 0) {
        try {
          Instant now = clock.instant();
          List<Delivery> due = outbox.claim(free, now, now.plus(settings.requestTimeout()).plus(LEASE_MARGIN));
          claimed = due.size();
          for (Delivery delivery : due) {
            inFlight.acquireUninterruptibly();
            send(delivery);
          }
        } catch (RuntimeException e) {
          logger.warn("could not read the webhook outbox: {}", e.toString());
        }
      }
      if (claimed == 0 || claimed == free) {
        await();
      }
    }
  }

  private void await() {
    lock.lock();
    try {
      if (!woken && open) {
        wake.await(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      }
      woken = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      open = false;
    } finally {
      lock.unlock();
    }
  }

  private void send(Delivery delivery) {
    try {
      client.post(delivery.endpoint(), delivery.body(), delivery.eventId(), settings.requestTimeout())
          .whenComplete((response, error) -> {
            try {
              settle(delivery, response, error);
            } catch (RuntimeException e) {
              // The lease runs out and the delivery is claimed again.
              logger.warn("could not record the outcome of webhook {} to {}: {}", delivery.eventId(),
                  delivery.endpoint(), e.toString());
            } finally {
              inFlight.release();
              signal();
            }
          });
    } catch (RuntimeException e) {
      // The request could not even be built or started (e.g. a malformed stored endpoint).
      inFlight.release();
      try {
        settle(delivery, null, e);
      } catch (RuntimeException recording) {
        logger.warn("could not record the outcome of webhook {} to {}: {}", delivery.eventId(), delivery.endpoint(),
            recording.toString());
      }
    }
  }

  private void settle(Delivery delivery, HttpResponse<String> response, Throwable error) {
    int attempt = delivery.attempts() + 1;
    if (error == null && response.statusCode() / 100 == 2) {
      outbox.remove(delivery);
      logger.debug("webhook {} delivered to {} at attempt {}", delivery.eventId(), delivery.endpoint(), attempt);
      return;
    }
    String outcome = error != null ? error.toString() : "HTTP " + response.statusCode();
    boolean retryable = error != null || response.statusCode() >= 500 || response.statusCode() == 429;
    if (!retryable || attempt >= settings.maxAttempts()) {
      outbox.remove(delivery);
      logger.error("webhook {} to {} given up after {} attempts: {}", delivery.eventId(), delivery.endpoint(),
          attempt, outcome);
      return;
    }
    Duration delay = backoff(attempt);
    outbox.retry(delivery, clock.instant().plus(delay));
    logger.info("webhook {} to {} failed ({}), attempt {}; retrying in {} ms", delivery.eventId(),
        delivery.endpoint(), outcome, attempt, delay.toMillis());
  }

  /** The delay after failed attempt {@code attempt} (1-based): doubling from the minimum, jittered to [d/2, d]. */
  private Duration backoff(int attempt) {
    long min = settings.minBackoff().toMillis();
    long max = settings.maxBackoff().toMillis();
    long d = attempt >= 40 ? max : Math.min(max, min << Math.min(attempt - 1, 30));
    long half = Math.max(1, d / 2);
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /**
   * Stops claiming deliveries and waits up to the request timeout for those in flight; what is left
   * waits in the outbox (on PostgreSQL, for the next start of any replica).
   */
  @Override
  public void close() {
    open = false;
    if (thread == null) {
      return;
    }
    signal();
    try {
      thread.join(5_000);
      if (inFlight.tryAcquire(settings.concurrency(), settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        inFlight.release(settings.concurrency());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
