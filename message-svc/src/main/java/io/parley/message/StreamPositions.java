package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.events.EventLog.EntryId;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * How far this replica has routed message-svc's event log, for the cursors of its Subscribe
 * streams: the log's epoch, the position up to which it has read, and the positions read but not
 * yet queued on the streams they concern (held back for seq order by {@link EventOrder}, or waiting
 * for a group's member list in {@link EventRouter}).
 *
 * <p>{@link #base()} is the position before which every event read was queued on every stream it
 * concerns: the lower bound of a cursor. Routing an event, from reading it to queueing it, happens
 * under the shared side of a lock ({@link #routing}); a resuming stream registers under the
 * exclusive side ({@link #exclusively}), so that every event is, for that stream, either routed
 * before it existed (and replayed from the log) or after (and delivered live), never both nor
 * neither. Thread-safe.
 */
final class StreamPositions {
  /** What a resuming stream learns as it registers. */
  record Snapshot(String epoch, LogPosition readUpTo, Set<LogPosition> inFlight) {}

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Positions read and not yet queued on every stream they concern. Guarded by {@code this}. */
  private final TreeSet<LogPosition> inFlight = new TreeSet<>();
  private volatile String epoch = "";
  /** Guarded by {@code this} for writes. */
  private volatile LogPosition readUpTo = LogPosition.after(EntryId.ZERO);
  /** What {@link #base()} returns, kept as the other fields change: every written event reads it. */
  private volatile LogPosition base = readUpTo;

  /** Starts over on a log (or the same log after an interruption) from past {@code last}. */
  synchronized void start(String epoch, EntryId last) {
    this.epoch = requireNonNull(epoch, "epoch");
    this.readUpTo = LogPosition.after(last);
    inFlight.clear();
    rebase();
  }

  String epoch() {
    return epoch;
  }

  /** An event was read and is on its way to the streams. */
  synchronized void reading(LogPosition position) {
    inFlight.add(position);
    rebase();
  }

  /** The event at {@code position} was queued on every stream it concerns, or dropped. */
  synchronized void done(LogPosition position) {
    if (inFlight.remove(position)) {
      rebase();
    }
  }

  /** Every event of {@code entry} was read (and is routed or in flight). */
  synchronized void readThrough(EntryId entry) {
    LogPosition past = LogPosition.after(entry);
    if (past.compareTo(readUpTo) > 0) {
      readUpTo = past;
      rebase();
    }
  }

  /** The position before which every event read was queued on the streams it concerns. */
  LogPosition base() {
    return base;
  }

  private void rebase() {
    base = inFlight.isEmpty() || inFlight.first().compareTo(readUpTo) >= 0 ? readUpTo : inFlight.first();
  }

  /** Runs a routing step (reading, ordering, queueing events) under the shared lock. */
  void routing(Runnable step) {
    lock.readLock().lock();
    try {
      step.run();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code registration} while no event is being routed, then says where routing stands: every
   * event before {@code readUpTo} and not in {@code inFlight} was routed before the registration.
   */
  Snapshot exclusively(Runnable registration) {
    lock.writeLock().lock();
    try {
      registration.run();
      synchronized (this) {
        return new Snapshot(epoch, readUpTo, Set.copyOf(inFlight));
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
