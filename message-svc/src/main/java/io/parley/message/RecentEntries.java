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
 * its clients all resume at once on the others, from cursors a few seconds old. Serves none older
 * than the log's window (by this replica's clock, where the log goes by Redis's), and holds none
 * either: an entry is dropped once it is older than the window, or once the entries after it hold
 * {@code maxEvents} events. A resume from further back reads the log. Starts over, empty, whenever
 * the replica starts reading a log afresh.
 *
 * <p>The bound is in events, not entries, because an entry holds a whole send batch: under load a
 * batch is dozens of messages, and 20,000 entries of them were close to a minute of every
 * message, hundreds of megabytes that each young collection copied (the messaging benchmark: pauses
 * of 40-70 ms every two seconds). Thread-safe.
 */
final class RecentEntries {
  /** One entry: its id and events ({@code lossMark}: a replica could not publish some events here). */
  record Decoded(EntryId id, List<LiveEvent> events, boolean lossMark) {}

  private final int maxEvents;
  private final Clock clock;
  private final Duration window;
  private final ArrayDeque<Decoded> entries = new ArrayDeque<>();
  /** The events of {@link #entries}, an empty entry (a loss mark) counted as one. */
  private long held;
  private String epoch = "";
  /** Every entry of the epoch from here on is held (until evicted, which moves this). */
  private EntryId floor = EntryId.ZERO;

  /**
   * @param maxEvents the events to keep: the oldest entry is dropped once the entries after it hold
   *     this many (so the newest entry is kept whole, however large)
   * @param window as the log's: a position older than this is neither held nor served, as the log
   *     would not
   */
  RecentEntries(int maxEvents, Clock clock, Duration window) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
    }
    this.maxEvents = maxEvents;
    this.clock = requireNonNull(clock, "clock");
    this.window = requireNonNull(window, "window");
  }

  /** Starts over on {@code epoch}: every entry after {@code last} will be added. */
  synchronized void reset(String epoch, EntryId last) {
    this.epoch = requireNonNull(epoch, "epoch");
    entries.clear();
    held = 0;
    floor = next(last);
  }

  /** Adds the entry read next, and drops the oldest entries that are past the bounds. */
  synchronized void add(Decoded entry) {
    entries.addLast(entry);
    held += weight(entry);
    long oldest = clock.millis() - window.toMillis();
    while (entries.size() > 1 && (held - weight(entries.peekFirst()) >= maxEvents
        || entries.peekFirst().id().millis() < oldest)) {
      Decoded dropped = entries.removeFirst();
      held -= weight(dropped);
      floor = next(dropped.id());
    }
  }

  /** Entries held, for tests. */
  synchronized int size() {
    return entries.size();
  }

  private static int weight(Decoded entry) {
    return Math.max(1, entry.events().size());
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
