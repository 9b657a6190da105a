package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands on each conversation's live events in seq order, whichever replica published them.
 *
 * <p>Each replica publishes a conversation's events in seq order, but two replicas sending to one
 * conversation publish after their own commits, so the log may carry seq 6 (committed second, by
 * replica B) before seq 5 (replica A). This puts them back in order: a message event whose seq is
 * not the next one after the last handed on is held until the missing ones arrive, or for at most
 * {@code hold}, after which everything held is handed on in seq order (the missing event is lost,
 * or late: a client pulls what it lacks). An event that arrives after its conversation went past
 * its seq is dropped, for the same reason. A change of a message (an edit, a reaction, a recall) waits for the
 * message it changes, and changes of one message keep their order; read receipts are handed on at
 * once. Events in order cost no wait.
 *
 * <p>What it remembers per conversation (the last seq handed on) is forgotten after ten minutes of
 * silence, and for at most 100,000 conversations; a conversation it does not know starts from
 * whatever seq comes first. So if the first two messages of a conversation it does not know are
 * sent through two replicas at once and the second's event comes first, the first's is dropped as
 * late (subscribers lack it and pull it). Holding such a first event instead would delay most
 * messages of conversations that are quiet for minutes at a time, which is most conversations.
 * {@link #reset()} forgets everything, dropping what is held: for when the log could not be read
 * and streams start over.
 *
 * <p>Thread-safe: each conversation's events are handed on under its own lock, on the thread that
 * brought the event or on {@code timer}.
 */
final class EventOrder {
  private static final Logger logger = LoggerFactory.getLogger(EventOrder.class);

  /** What is held for one seq: its message (null until it arrives) and the changes that wait for it. */
  private static final class Held {
    PositionedEvent message;
    final List<PositionedEvent> changes = new ArrayList<>(1);
  }

  /** One conversation's order. Guarded by itself. */
  private static final class Track {
    boolean known;
    long last;
    final TreeMap<Long, Held> held = new TreeMap<>();
    ScheduledFuture<?> flush;
  }

  private final Consumer<PositionedEvent> out;
  private final Consumer<PositionedEvent> dropped;
  private final ScheduledExecutorService timer;
  private final long holdNanos;
  private final Cache<ConversationId, Track> tracks = Caffeine.newBuilder()
      .maximumSize(100_000)
      .expireAfterAccess(Duration.ofMinutes(10))
      .executor(Runnable::run)
      .build();

  /**
   * @param out where events go, in order; called under a conversation's lock, so it must not block
   * @param dropped told of each event dropped (late, or held when {@link #reset()} came)
   * @param timer runs the flushes of what waited {@code hold}
   */
  EventOrder(Consumer<PositionedEvent> out, Consumer<PositionedEvent> dropped, ScheduledExecutorService timer,
      Duration hold) {
    this.out = requireNonNull(out, "out");
    this.dropped = requireNonNull(dropped, "dropped");
    this.timer = requireNonNull(timer, "timer");
    this.holdNanos = hold.toNanos();
  }

  void accept(PositionedEvent event) {
    Event.KindCase kind = event.event().getKindCase();
    long changed = switch (kind) {
      case RECALL -> event.event().getRecall().getSeq();
      case EDIT -> event.event().getEdit().getSeq();
      case REACTION -> event.event().getReaction().getSeq();
      default -> 0;
    };
    if (kind != Event.KindCase.MESSAGE && changed == 0) {
      handOn(event);
      return;
    }
    Track track = tracks.get(event.conversation(), c -> new Track());
    synchronized (track) {
      if (kind == Event.KindCase.MESSAGE) {
        message(track, event.event().getMessage().getSeq(), event);
      } else {
        change(track, changed, event);
      }
    }
  }

  private void message(Track track, long seq, PositionedEvent event) {
    if (!track.known) {
      track.known = true;
      track.last = seq - 1;
    }
    if (seq <= track.last) {
      logger.debug("dropping message event {} of {}: its conversation went past it", seq, event.conversation());
      dropped.accept(event);
    } else if (seq == track.last + 1 && track.held.isEmpty()) {
      track.last = seq;
      handOn(event);
    } else {
      track.held.computeIfAbsent(seq, s -> new Held()).message = event;
      releaseReady(track);
      if (!track.held.isEmpty()) {
        scheduleFlush(track);
      }
    }
  }

  private void change(Track track, long seq, PositionedEvent event) {
    if (!track.known || seq <= track.last) {
      handOn(event);
    } else {
      track.held.computeIfAbsent(seq, s -> new Held()).changes.add(event);
      scheduleFlush(track);
    }
  }

  /** Hands on what held events became next in line. */
  private void releaseReady(Track track) {
    while (!track.held.isEmpty()) {
      Map.Entry<Long, Held> first = track.held.firstEntry();
      if (first.getKey() != track.last + 1 || first.getValue().message == null) {
        break;
      }
      track.held.pollFirstEntry();
      track.last = first.getKey();
      handOn(first.getValue().message);
      first.getValue().changes.forEach(this::handOn);
    }
    if (track.held.isEmpty() && track.flush != null) {
      track.flush.cancel(false);
      track.flush = null;
    }
  }

  private void scheduleFlush(Track track) {
    if (track.flush != null) {
      return;
    }
    try {
      track.flush = timer.schedule(() -> flush(track), holdNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      flush(track);  // shutting down
    }
  }

  /** Gives up waiting: hands on everything held, in seq order. */
  private void flush(Track track) {
    synchronized (track) {
      track.flush = null;
      if (!track.held.isEmpty()) {
        logger.debug("gave up waiting for message events before seq {}", track.held.firstKey());
      }
      while (!track.held.isEmpty()) {
        Map.Entry<Long, Held> first = track.held.pollFirstEntry();
        if (first.getValue().message != null) {
          track.last = Math.max(track.last, first.getKey());
          handOn(first.getValue().message);
        }
        first.getValue().changes.forEach(this::handOn);
      }
    }
  }

  private void handOn(PositionedEvent event) {
    try {
      out.accept(event);
    } catch (RuntimeException e) {
      logger.error("routing a live event failed", e);
      dropped.accept(event);
    }
  }

  /** Forgets every conversation, dropping what is held. */
  void reset() {
    for (Track track : tracks.asMap().values()) {
      synchronized (track) {
        if (track.flush != null) {
          track.flush.cancel(false);
          track.flush = null;
        }
        for (Held held : track.held.values()) {
          if (held.message != null) {
            dropped.accept(held.message);
          }
          held.changes.forEach(dropped);
        }
        track.held.clear();
      }
    }
    tracks.invalidateAll();
  }
}
