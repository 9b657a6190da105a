package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.events.EventBus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * message-svc's live events on the platform's {@link EventBus} (Redis pub/sub across replicas, or
 * in this process), channel {@value #CHANNEL}: what every replica publishes once a change is
 * committed, and what each replica hears and routes to its Subscribe streams ({@link EventRouter}),
 * in seq order per conversation ({@link EventOrder}).
 *
 * <p>Events are a convenience: PullMessages by seq is the source of truth. {@link #publish} only
 * queues: one publisher thread sends what is queued, in order, so that a slow or hung bus never
 * holds up a commit or an acknowledgement. A publish that fails (the bus is down) is logged and
 * forgotten, and so are events beyond {@value #MAX_QUEUED} waiting frames. While the subscription
 * is down, events are missed: the router then ends every stream, asking clients to resynchronize,
 * and {@link #isListening()} is false until the subscription is back.
 *
 * <p>Thread-safe.
 */
final class LiveEvents implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LiveEvents.class);

  /** The event bus channel of message-svc's live events. */
  static final String CHANNEL = "parley:msg:events";

  /** How long a conversation's events wait for a missing earlier one. */
  static final Duration REORDER_HOLD = Duration.ofMillis(500);

  /** Frames waiting for the publisher, beyond which new ones are dropped. */
  static final int MAX_QUEUED = 10_000;

  private static final List<LiveEvent> STOP = List.of();

  private final EventBus bus;
  private final ScheduledExecutorService timer;
  private final EventOrder order;
  private final EventRouter router;
  private final CountDownLatch firstConnect = new CountDownLatch(1);
  private final AtomicBoolean publishFailing = new AtomicBoolean();
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final BlockingQueue<List<LiveEvent>> outgoing = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final Thread publisher;
  private final EventBus.Subscription subscription;
  private volatile boolean listening;
  private volatile boolean closed;

  /** Subscribes at once; events heard go through {@link EventOrder} to {@code router}. */
  LiveEvents(EventBus bus, EventRouter router) {
    this.bus = requireNonNull(bus, "bus");
    this.router = requireNonNull(router, "router");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-event-order");
      t.setDaemon(true);
      return t;
    });
    this.order = new EventOrder(router::event, timer, REORDER_HOLD);
    this.publisher = new Thread(this::publishLoop, "parley-msg-publisher");
    this.publisher.setDaemon(true);
    this.publisher.start();
    this.subscription = bus.subscribe(CHANNEL, new EventBus.Handler() {
      @Override
      public void message(String channel, byte[] payload) {
        List<LiveEvent> events;
        try {
          events = LiveEvent.decodeAll(payload);
        } catch (IllegalArgumentException e) {
          logger.warn("ignoring a malformed event on {}: {}", channel, e.getMessage());
          return;
        }
        events.forEach(order::accept);
      }

      @Override
      public void connected() {
        order.reset();
        listening = true;
        if (firstConnect.getCount() == 0) {
          logger.info("message events subscribed again on {}", CHANNEL);
        }
        firstConnect.countDown();
      }

      @Override
      public void disconnected() {
        listening = false;
        if (closed) {
          return;
        }
        order.reset();
        logger.warn("message events interrupted on {}: open streams are told to resynchronize", CHANNEL);
        LiveEvents.this.router.interrupted();
      }
    });
  }

  /**
   * Queues {@code events} (of committed changes) to be published to every replica, after whatever
   * was queued before, as one bus message. Never blocks nor throws.
   */
  void publish(List<LiveEvent> events) {
    if (events.isEmpty() || closed) {
      return;
    }
    if (outgoing.offer(events)) {
      if (dropping.compareAndSet(true, false)) {
        logger.info("message events are queued for publishing again");
      }
    } else if (dropping.compareAndSet(false, true)) {
      logger.warn("{} frames of message events wait to be published; dropping new ones (clients pull them)",
          MAX_QUEUED);
    }
  }

  private void publishLoop() {
    while (true) {
      List<LiveEvent> events;
      try {
        events = outgoing.take();
      } catch (InterruptedException e) {
        return;
      }
      if (events == STOP) {
        return;
      }
      try {
        bus.publish(CHANNEL, LiveEvent.encodeAll(events));
        if (publishFailing.compareAndSet(true, false)) {
          logger.info("message events are published again");
        }
      } catch (RuntimeException e) {
        if (publishFailing.compareAndSet(false, true)) {
          logger.warn("message events are not published ({}); messages are stored, clients pull them", e.toString());
        } else {
          logger.debug("{} message event(s) not published: {}", events.size(), e.toString());
        }
      }
    }
  }

  /** Whether events published from now on reach this replica. */
  boolean isListening() {
    return listening;
  }

  /** Waits until the subscription is live the first time; false if it is not within {@code timeout}. */
  boolean awaitListening(Duration timeout) throws InterruptedException {
    return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Publishes what is queued (waiting up to 2 seconds), then stops listening. */
  @Override
  public void close() {
    closed = true;
    listening = false;
    // Behind what is queued: the publisher sends that first. A full queue gets an interrupt instead.
    if (!outgoing.offer(STOP)) {
      publisher.interrupt();
    }
    try {
      publisher.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publisher.interrupt();
    subscription.close();
    timer.shutdownNow();
  }
}
