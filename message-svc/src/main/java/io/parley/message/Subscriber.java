package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.parley.message.v1.Event;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open Subscribe stream: a bounded queue of events in front of the gRPC call, written only while
 * the transport is ready ({@link ServerCallStreamObserver#isReady()}), so that a slow client
 * neither stalls the thread that routes events nor grows memory. Writing happens on the thread that
 * offers an event (or on the gRPC thread that reports the stream ready again) when no other drain
 * runs, which spares every event a thread hop; after {@value #DRAIN_BATCH} events in a row a drain
 * continues on the delivery executor, so that one busy stream cannot hold the routing thread. A
 * caller holding a lock offers with {@link #offerFromLock}, which always writes on the executor.
 *
 * <p>{@link #offer} never blocks: writes stop as soon as the transport is not ready. When the
 * queue is full the stream is ended: the queue is dropped, the client is sent the final event
 * ({@code resync_required}) and the error (RESOURCE_EXHAUSTED, SUBSCRIBER_TOO_SLOW), even if the
 * transport is not ready (gRPC holds that one message). {@link #end} ends the stream the same way
 * for any other reason (the session ended, the event channel was lost, shutdown). Once ended or cancelled by the client, the subscriber drops everything and
 * is reported to {@code onClosed}, which must be idempotent.
 *
 * <p><b>Cursors.</b> Each event written carries a {@link StreamCursor}, made as it is written: its
 * base is the lowest of the replica's routing base ({@link StreamPositions#base()}) and the
 * positions still queued here, and its {@code ahead} the positions written at or past that base.
 * A stream that resumes from a cursor starts {@linkplain #startPaused paused}: live events queue
 * while the missed ones are read from the log, then {@link #release} puts those first. It drops
 * live events the cursor says the client has, and its cursors never go below the one it resumed
 * from.
 *
 * <p>Thread-safe: any thread may offer or end; the observer is only ever called by one drain task
 * at a time, which is what gRPC requires.
 */
final class Subscriber {
  /** An event waiting to be written, and its log position (null for events not from the log). */
  record Queued(Event event, LogPosition position) {}

  /** The most positions a cursor lists as written ahead of its base; beyond, the oldest are left out. */
  static final int MAX_AHEAD = 200;

  private static final Logger logger = LoggerFactory.getLogger(Subscriber.class);

  /** Events written in a row before a drain moves on to the delivery executor. */
  private static final int DRAIN_BATCH = 128;

  private final String userId;
  private final String sessionId;
  private final ServerCallStreamObserver<Event> observer;
  private final Executor executor;
  private final int capacity;
  private final Event overflowEvent;
  private final RuntimeException overflowError;
  private final Consumer<Subscriber> onClosed;

  private final StreamPositions positions;
  private final String epoch;
  /** Positions the client had before this stream (its resume cursor's), else null. */
  private final LogPosition floor;
  private final NavigableSet<LogPosition> had;

  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  /** The positions in {@code queue}, with their count. */
  private final TreeMap<LogPosition, Integer> queuedPositions = new TreeMap<>();
  /** Positions written at or past the last cursor's base. */
  private final TreeSet<LogPosition> ahead = new TreeSet<>();
  private boolean paused;
  private Event finalEvent;
  private RuntimeException finalError;
  private boolean terminating;
  private boolean scheduled;
  private boolean finished;

  /**
   * @param resumedFrom the cursor this stream resumes from, in the current epoch; null for a fresh
   *     stream (or one whose cursor was too old)
   */
  Subscriber(String userId, String sessionId, ServerCallStreamObserver<Event> observer, Executor executor,
      int capacity, Event overflowEvent, RuntimeException overflowError, Consumer<Subscriber> onClosed,
      StreamPositions positions, StreamCursor resumedFrom) {
    this.positions = requireNonNull(positions, "positions");
    this.epoch = positions.epoch();
    this.floor = resumedFrom == null ? null : resumedFrom.base();
    this.had = resumedFrom == null ? new TreeSet<>() : resumedFrom.ahead();
    if (resumedFrom != null) {
      ahead.addAll(resumedFrom.ahead());
    }
    this.userId = requireNonNull(userId, "userId");
    this.sessionId = requireNonNull(sessionId, "sessionId");
    this.observer = requireNonNull(observer, "observer");
    this.executor = requireNonNull(executor, "executor");
    this.capacity = capacity;
    this.overflowEvent = requireNonNull(overflowEvent, "overflowEvent");
    this.overflowError = requireNonNull(overflowError, "overflowError");
    this.onClosed = requireNonNull(onClosed, "onClosed");
  }

  String userId() {
    return userId;
  }

  String sessionId() {
    return sessionId;
  }

  /** Whether the stream ended (or was cancelled) and takes no more events. */
  synchronized boolean isFinished() {
    return finished;
  }

  /**
   * Installs the call's handlers and queues the first event. Must run in the Subscribe handler,
   * before it returns (gRPC accepts handlers only then).
   */
  void start(Event first) {
    observer.setOnCancelHandler(this::cancelled);
    observer.setOnReadyHandler(this::ready);
    offer(first, null);
  }

  /**
   * Installs the call's handlers like {@link #start}, but writes nothing until {@link #release}:
   * for a stream that resumes, whose first events are read from the log after it registers.
   */
  void startPaused() {
    synchronized (this) {
      paused = true;
    }
    observer.setOnCancelHandler(this::cancelled);
    observer.setOnReadyHandler(this::ready);
  }

  /** Writes {@code first}, then {@code missed}, then what was queued meanwhile; ends the pause. */
  void release(Event first, List<Queued> missed) {
    boolean drainHere;
    synchronized (this) {
      paused = false;
      if (terminating || finished) {
        return;
      }
      for (int i = missed.size() - 1; i >= 0; i--) {
        Queued one = missed.get(i);
        if (one.position() != null) {
          queuedPositions.merge(one.position(), 1, Integer::sum);
        }
        queue.addFirst(one);
      }
      queue.addFirst(new Queued(first, null));
      drainHere = claimLocked();
    }
    if (drainHere) {
      drain();
    }
  }

  /**
   * Queues an event, or ends the stream as too slow if the queue is full. If no drain is running,
   * drains on this thread (writing to gRPC never blocks: it stops when the stream is not ready).
   *
   * @param position the event's log position; null for one not from the log
   */
  void offer(Event event, LogPosition position) {
    offer(event, position, true);
  }

  /**
   * Queues an event like {@link #offer}, but leaves the writing to the delivery executor: for
   * callers that hold a lock, which must not be held while events are serialized and written, nor
   * while a client on the same thread (in-process, direct executor) reacts to them.
   */
  void offerFromLock(Event event, LogPosition position) {
    offer(event, position, false);
  }

  private void offer(Event event, LogPosition position, boolean mayDrainHere) {
    boolean drainHere;
    synchronized (this) {
      if (terminating || finished) {
        return;
      }
      if (position != null && floor != null && (position.compareTo(floor) < 0 || had.contains(position))) {
        return;  // the client had it before it resumed
      }
      if (queue.size() >= capacity) {
        terminateLocked(overflowEvent, overflowError);
        logger.debug("subscriber {} of user {} fell {} events behind; ending it", sessionId, userId, capacity);
      } else {
        queue.add(new Queued(event, position));
        if (position != null) {
          queuedPositions.merge(position, 1, Integer::sum);
        }
      }
      drainHere = claimLocked();
    }
    if (drainHere) {
      if (mayDrainHere) {
        drain();
      } else {
        drainElsewhere();
      }
    }
  }

  /**
   * Ends the stream: drops what is queued, sends {@code last} (if not null) and closes the call
   * with {@code error}. Does nothing if the stream is already ending.
   */
  void end(Event last, RuntimeException error) {
    boolean drainHere;
    synchronized (this) {
      if (terminating || finished) {
        return;
      }
      terminateLocked(last, error);
      drainHere = claimLocked();
    }
    if (drainHere) {
      drain();
    }
  }

  private void terminateLocked(Event last, RuntimeException error) {
    queue.clear();
    queuedPositions.clear();
    terminating = true;
    finalEvent = last;
    finalError = error;
  }

  private void cancelled() {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      queue.clear();
      queuedPositions.clear();
    }
    onClosed.accept(this);
  }

  private void ready() {
    boolean drainHere;
    synchronized (this) {
      drainHere = claimLocked();
    }
    if (drainHere) {
      drain();
    }
  }

  /**
   * Claims the right to drain if there is something to write and no drain is running: one drain
   * at a time keeps the stream's writes in order and never concurrent.
   */
  private boolean claimLocked() {
    if (scheduled || finished || (!terminating && (queue.isEmpty() || paused))) {
      return false;
    }
    scheduled = true;
    return true;
  }

  private void drain() {
    for (int written = 0; ; written++) {
      Event next = null;
      String cursor = null;
      boolean finish = false;
      boolean handOff = false;
      synchronized (this) {
        if (finished) {
          scheduled = false;
          return;
        }
        if (terminating) {
          finished = true;
          finish = true;
          next = finalEvent;
        } else if (queue.isEmpty() || paused || !observer.isReady()) {
          scheduled = false;
          return;
        } else if (written == DRAIN_BATCH) {
          handOff = true;
        } else {
          Queued queued = queue.poll();
          next = queued.event();
          cursor = cursorLocked(queued.position());
        }
      }
      if (handOff) {
        // Outside the lock: a rejected hand-off may finish the drain on this thread.
        drainElsewhere();
        return;
      }
      try {
        if (finish) {
          if (next != null) {
            observer.onNext(next);
          }
          observer.onError(finalError);
          onClosed.accept(this);
          return;
        }
        observer.onNext(next.toBuilder().setCursor(cursor).build());
      } catch (RuntimeException e) {
        // The call ended under us (cancelled, or closed by the transport).
        logger.debug("subscriber {} of user {} could not be written: {}", sessionId, userId, e.toString());
        synchronized (this) {
          finished = true;
          queue.clear();
        }
        onClosed.accept(this);
        return;
      }
    }
  }

  /** The cursor of an event about to be written (taken off the queue); lock held. */
  private String cursorLocked(LogPosition written) {
    if (written != null) {
      queuedPositions.computeIfPresent(written, (p, n) -> n == 1 ? null : n - 1);
      ahead.add(written);
    }
    LogPosition base = positions.base();
    if (!queuedPositions.isEmpty() && queuedPositions.firstKey().compareTo(base) < 0) {
      base = queuedPositions.firstKey();
    }
    if (floor != null && floor.compareTo(base) > 0) {
      base = floor;
    }
    ahead.headSet(base).clear();
    while (ahead.size() > MAX_AHEAD) {
      ahead.pollFirst();  // resuming from this cursor may write these again
    }
    return StreamCursor.encode(epoch, base, ahead);
  }

  /**
   * Continues a claimed drain on the delivery executor. If that has shut down, a stream that is
   * ending still gets its end written here (one event and the error); other events stay queued
   * until the stream is ended.
   */
  private void drainElsewhere() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      boolean ending;
      synchronized (this) {
        ending = terminating && !finished;
        if (!ending) {
          scheduled = false;
        }
      }
      if (ending) {
        drain();
      }
    }
  }

  @Override
  public String toString() {
    return "Subscriber{user=" + userId + ", session=" + sessionId + "}";
  }
}
