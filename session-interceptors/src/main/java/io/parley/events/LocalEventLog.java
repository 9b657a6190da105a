package io.parley.events;

import static java.util.Objects.requireNonNull;

import io.parley.data.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link EventLog} in this process's memory, for one process (the memory store). Entries older
 * than the window are dropped as new ones come, and at most {@code maxEntries} are kept; its epoch
 * is new with every instance. Ids are made as Redis makes stream ids: the clock's milliseconds and
 * a sequence within the millisecond, never going back. Thread-safe.
 */
public final class LocalEventLog implements EventLog {
  private final Clock clock;
  private final Duration window;
  private final int maxEntries;
  private final String epoch = Ids.newId("ep");
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  /** By id. Guarded by {@code lock}. */
  private final TreeMap<EntryId, Entry> entries = new TreeMap<>();
  /** Entries older than this were dropped. Guarded by {@code lock}. */
  private EntryId floor = EntryId.ZERO;
  private EntryId last = EntryId.ZERO;
  private boolean closed;

  public LocalEventLog(Clock clock, Duration window, int maxEntries) {
    this.clock = requireNonNull(clock, "clock");
    this.window = requireNonNull(window, "window");
    if (window.isNegative() || window.isZero() || maxEntries < 1) {
      throw new IllegalArgumentException("the window and the entry limit must be positive");
    }
    this.maxEntries = maxEntries;
  }

  @Override
  public EntryId append(byte[] payload) {
    requireNonNull(payload, "payload");
    lock.lock();
    try {
      long now = clock.millis();
      EntryId id = now > last.millis() ? new EntryId(now, 0) : new EntryId(last.millis(), last.sequence() + 1);
      entries.put(id, new Entry(id, payload.clone()));
      last = id;
      dropOld(now);
      appended.signalAll();
      return id;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void trim() {
    lock.lock();
    try {
      dropOld(clock.millis());
    } finally {
      lock.unlock();
    }
  }

  /** Drops entries beyond the limit or older than the window. Lock held. */
  private void dropOld(long now) {
    long oldest = now - window.toMillis();
    while (!entries.isEmpty() && (entries.size() > maxEntries || entries.firstKey().millis() < oldest)) {
      EntryId dropped = entries.pollFirstEntry().getKey();
      floor = new EntryId(dropped.millis(), dropped.sequence() + 1);
    }
  }

  @Override
  public Tail tail() {
    lock.lock();
    try {
      return new Tail(epoch, last);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Entry> read(EntryId after, int max, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    lock.lock();
    try {
      while (!closed && last.compareTo(after) <= 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        appended.awaitNanos(left);
      }
      return limit(entries.tailMap(after, false).values(), max);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<List<Entry>> range(String epoch, EntryId from, EntryId to, int max) {
    lock.lock();
    try {
      if (!this.epoch.equals(epoch) || from.compareTo(floor) < 0
          || from.millis() < clock.millis() - window.toMillis()) {
        return Optional.empty();
      }
      return Optional.of(from.compareTo(to) > 0 ? List.of() : limit(entries.subMap(from, true, to, true).values(), max));
    } finally {
      lock.unlock();
    }
  }

  /** The first {@code max} of {@code entries}. Lock held. */
  private static List<Entry> limit(Collection<Entry> entries, int max) {
    List<Entry> out = new ArrayList<>(Math.min(max, entries.size()));
    for (Entry entry : entries) {
      if (out.size() == max) {
        break;
      }
      out.add(entry);
    }
    return out;
  }

  @Override
  public Duration window() {
    return window;
  }

  /** Wakes waiting readers, which then read nothing more. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
