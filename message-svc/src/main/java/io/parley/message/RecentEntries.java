package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.events.EventLog.EntryId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The newest entries of the event log that this replica read, decoded, so that a stream resuming
 * here replays from memory instead of reading (and decoding) the log again: after a replica dies,
 * its clients all resume at once on the others, from cursors a few seconds old. Holds at most
 * {@code capacity} entries, and serves none older than the log's window (by this replica's clock,
 * where the log goes by Redis's); starts over, empty, whenever the replica starts reading a log
 * afresh.
 * Thread-safe.
 */
final class RecentEntries {
  /** One entry: its id and events ({@code lossMark}: a replica could not publish some events here). */
  record Decoded(EntryId id, List<LiveEvent> events, boolean lossMark) {}

  private final int capacity;
  private final Clock clock;
  private final Duration window;
  private final ArrayDeque<Decoded> entries = new ArrayDeque<>();
  private String epoch = "";
  /** Every entry of the epoch from here on is held (until evicted, which moves this). */
  private EntryId floor = EntryId.ZERO;

  /** @param window as the log's: a position older than this is not served, as the log would not */
  RecentEntries(int capacity, Clock clock, Duration window) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.clock = requireNonNull(clock, "clock");
    this.window = requireNonNull(window, "window");
  }

  /** Starts over on {@code epoch}: every entry after {@code last} will be added. */
  synchronized void reset(String epoch, EntryId last) {
    this.epoch = requireNonNull(epoch, "epoch");
    entries.clear();
    floor = next(last);
  }

  /** Adds the entry read next. */
  synchronized void add(Decoded entry) {
    if (entries.size() == capacity) {
      floor = next(entries.removeFirst().id());
    }
    entries.addLast(entry);
  }

  /**
   * The entries from {@code from} through {@code to}, oldest first, if this holds every entry of
   * {@code epoch} from {@code from} on; empty otherwise (read the log).
   */
  synchronized Optional<List<Decoded>> slice(String epoch, EntryId from, EntryId to) {
    if (!this.epoch.equals(epoch) || from.compareTo(floor) < 0 || from.millis() < clock.millis() - window.toMillis()) {
      return Optional.empty();
    }
    List<Decoded> out = new ArrayList<>();
    for (Decoded entry : entries) {
      if (entry.id().compareTo(to) > 0) {
        break;
      }
      if (entry.id().compareTo(from) >= 0) {
        out.add(entry);
      }
    }
    return Optional.of(out);
  }

  private static EntryId next(EntryId id) {
    return new EntryId(id.millis(), id.sequence() + 1);
  }
}
