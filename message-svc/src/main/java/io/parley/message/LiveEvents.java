package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.events.EventLog;
import io.parley.events.EventLog.Entry;
import io.parley.events.EventLog.EntryId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * message-svc's live events on an {@link EventLog} (a Redis stream shared by every replica, or in
 * this process): what every replica appends once a change is committed, and what each replica
 * reads, in the log's order, and routes to its Subscribe streams ({@link EventRouter}), in seq order
 * per conversation ({@link EventOrder}). Where each event is in the log ({@link LogPosition}) is
 * what Subscribe cursors are made of ({@link StreamPositions}); the log's window is how far back a
 * stream can resume ({@link MissedEvents}).
 *
 * <p>Events are a convenience: PullMessages by seq is the source of truth. {@link #publish} only
 * queues: one publisher thread appends what is queued, in order, so that a slow or hung log never
 * holds up a commit or an acknowledgement. An append that fails (the log is down) is logged and
 * forgotten, and so are events beyond {@value #MAX_QUEUED} waiting frames; the next append that
 * works is preceded by an empty entry, a mark that events were lost here, so that no stream
 * resumes across them. A quiet log is trimmed every few seconds, so that it holds nothing once
 * its window has passed. While the log cannot be read, events may be missed: every stream is ended,
 * asking clients to subscribe again (with their cursor), and {@link #isListening()} is false until
 * the log can be read again.
 *
 * <p>Thread-safe.
 */
final class LiveEvents implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LiveEvents.class);

  /** The name of message-svc's event log ({@code parley:{msg-events}} on Redis). */
  static final String LOG_NAME = "msg-events";

  /** How long a conversation's events wait for a missing earlier one. */
  static final Duration REORDER_HOLD = Duration.ofMillis(500);

  /** Frames waiting for the publisher, beyond which new ones are dropped. */
  static final int MAX_QUEUED = 10_000;

  /** Entries read at a time, and how long a read waits for the first. */
  private static final int READ_BATCH = 500;
  private static final Duration READ_WAIT = Duration.ofSeconds(1);
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);
  private static final Duration TRIM_INTERVAL = Duration.ofSeconds(5);
  /**
   * Events kept decoded in memory for streams that resume here ({@link RecentEntries}): seconds of
   * a busy deployment's messages, a few megabytes.
   */
  private static final int RECENT_EVENTS = 4_096;

  private static final List<LiveEvent> STOP = List.of();
  private static final byte[] LOSS_MARK = new byte[0];

  private final EventLog log;
  private final StreamPositions positions;
  private final RecentEntries recent;
  private final ScheduledExecutorService timer;
  private final EventOrder order;
  private final EventRouter router;
  private final Consumer<Message> stored;
  private final CountDownLatch firstConnect = new CountDownLatch(1);
  private final AtomicBoolean publishFailing = new AtomicBoolean();
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private final BlockingQueue<List<LiveEvent>> outgoing = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final Thread publisher;
  private final Thread reader;
  private volatile boolean listening;
  private volatile boolean closed;

  /**
   * Starts reading the log from its end at once; events read go through {@link EventOrder} to {@code
   * router}.
   *
   * @param stored told of each new message the log carries, from any replica, as it is read (on the
   *     reader thread, in the log's order); must be quick and must not throw
   */
  LiveEvents(EventLog log, EventRouter router, StreamPositions positions, Consumer<Message> stored) {
    this.log = requireNonNull(log, "log");
    this.stored = requireNonNull(stored, "stored");
    this.router = requireNonNull(router, "router");
    this.positions = requireNonNull(positions, "positions");
    this.recent = new RecentEntries(RECENT_EVENTS, Clock.systemUTC(), log.window());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-event-order");
      t.setDaemon(true);
      return t;
    });
    this.order = new EventOrder(e -> positions.routing(() -> router.event(e)), e -> positions.done(e.position()),
        timer, REORDER_HOLD);
    this.publisher = new Thread(this::publishLoop, "parley-msg-publisher");
    this.publisher.setDaemon(true);
    this.publisher.start();
    this.reader = new Thread(this::readLoop, "parley-msg-events");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Queues {@code events} (of committed changes) to be appended to the log for every replica, after
   * whatever was queued before, as one entry. Never blocks nor throws.
   */
  void publish(List<LiveEvent> events) {
    if (events.isEmpty() || closed) {
      return;
    }
    if (outgoing.offer(events)) {
      if (dropping.compareAndSet(true, false)) {
        logger.info("message events are queued for publishing again");
      }
    } else {
      lost.set(true);
      if (dropping.compareAndSet(false, true)) {
        logger.warn("{} frames of message events wait to be published; dropping new ones (clients pull them)",
            MAX_QUEUED);
      }
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
        if (lost.get()) {
          log.append(LOSS_MARK);
          lost.set(false);
        }
        log.append(LiveEvent.encodeAll(events));
        if (publishFailing.compareAndSet(true, false)) {
          logger.info("message events are published again");
        }
      } catch (RuntimeException e) {
        lost.set(true);
        if (publishFailing.compareAndSet(false, true)) {
          logger.warn("message events are not published ({}); messages are stored, clients pull them", e.toString());
        } else {
          logger.debug("{} message event(s) not published: {}", events.size(), e.toString());
        }
      }
    }
  }

  private void readLoop() {
    EntryId last = null;
    long lastTrim = System.nanoTime();
    while (!closed) {
      try {
        if (last == null) {
          EventLog.Tail tail = log.tail();
          last = tail.last();
          positions.start(tail.epoch(), last);
          recent.reset(tail.epoch(), last);
          listening = true;
          if (firstConnect.getCount() == 0) {
            logger.info("message events are read again, from {} of log {}", last, tail.epoch());
          }
          firstConnect.countDown();
        }
        List<Entry> entries = log.read(last, READ_BATCH, READ_WAIT);
        for (Entry entry : entries) {
          positions.routing(() -> route(entry));
          last = entry.id();
        }
        if (entries.isEmpty() && System.nanoTime() - lastTrim > TRIM_INTERVAL.toNanos()) {
          // Appends trim as they come; a quiet log is trimmed here, so that it empties.
          lastTrim = System.nanoTime();
          log.trim();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (last != null) {
          last = null;
          interrupted(e);
        }
        try {
          Thread.sleep(RETRY_DELAY.toMillis());
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  /** Hands an entry's events on, in order; under the routing lock. */
  private void route(Entry entry) {
    if (entry.payload().length == 0) {
      logger.debug("a replica could not publish some message events before {}", entry.id());
      recent.add(new RecentEntries.Decoded(entry.id(), List.of(), true));
    } else {
      List<LiveEvent> events;
      try {
        events = LiveEvent.decodeAll(entry.payload());
      } catch (IllegalArgumentException e) {
        logger.warn("ignoring a malformed entry {} of the message event log: {}", entry.id(), e.getMessage());
        events = List.of();
      }
      recent.add(new RecentEntries.Decoded(entry.id(), events, false));
      for (int i = 0; i < events.size(); i++) {
        Event event = events.get(i).event();
        if (event.getKindCase() == Event.KindCase.MESSAGE) {
          stored.accept(event.getMessage());
        }
        LogPosition position = new LogPosition(entry.id(), i);
        positions.reading(position);
        order.accept(new PositionedEvent(position, events.get(i)));
      }
    }
    positions.readThrough(entry.id());
  }

  /** The log could not be read: events may be missed, so every stream starts over. */
  private void interrupted(RuntimeException cause) {
    listening = false;
    order.reset();
    router.forgetWaiting();
    logger.warn("message events interrupted ({}): open streams are told to resynchronize", cause.toString());
    router.interrupted();
  }

  /** The log the events are on. */
  EventLog log() {
    return log;
  }

  /** The entries this replica read lately. */
  RecentEntries recent() {
    return recent;
  }

  /** Whether events appended from now on reach this replica's streams. */
  boolean isListening() {
    return listening;
  }

  /** Waits until the log is read the first time; false if it is not within {@code timeout}. */
  boolean awaitListening(Duration timeout) throws InterruptedException {
    return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Publishes what is queued (waiting up to 2 seconds), then stops reading. */
  @Override
  public void close() {
    // Behind what is queued: the publisher sends that first. A full queue gets an interrupt instead.
    if (!outgoing.offer(STOP)) {
      publisher.interrupt();
    }
    try {
      publisher.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    listening = false;
    publisher.interrupt();
    reader.interrupt();
    timer.shutdownNow();
  }
}
