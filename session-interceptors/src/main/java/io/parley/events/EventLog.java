package io.parley.events;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An append-only log of events shared by every replica, kept for a window of time: what a replica
 * appends, every replica reads in the same order, and a reader that was away can read again what
 * it missed, as long as it is within the window. {@link LocalEventLog} serves one process; {@link
 * RedisEventLog} every replica on one Redis, as a stream.
 *
 * <p>Entries are ordered by their {@link EntryId}. A log has an <em>epoch</em>, a name for one
 * unbroken history: if the log is lost (a Redis that restarts empty, another process), the epoch
 * changes, and positions of the old epoch mean nothing in the new one. Thread-safe.
 */
public interface EventLog extends AutoCloseable {

  /** Where an entry is in its log; ordered. {@code (0, 0)} is before every entry. */
  record EntryId(long millis, long sequence) implements Comparable<EntryId> {
    public static final EntryId ZERO = new EntryId(0, 0);

    public EntryId {
      if (millis < 0 || sequence < 0) {
        throw new IllegalArgumentException("negative entry id: " + millis + "-" + sequence);
      }
    }

    /**
     * Parses the form {@link #toString()} writes, {@code millis-sequence}.
     *
     * @throws IllegalArgumentException if {@code text} is not in that form
     */
    public static EntryId parse(String text) {
      int dash = text.indexOf('-');
      if (dash <= 0 || dash == text.length() - 1 || text.length() > 41) {
        throw new IllegalArgumentException("not an entry id: " + text);
      }
      try {
        return new EntryId(Long.parseLong(text, 0, dash, 10), Long.parseLong(text, dash + 1, text.length(), 10));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an entry id: " + text, e);
      }
    }

    @Override
    public int compareTo(EntryId other) {
      int byMillis = Long.compare(millis, other.millis);
      return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }

    @Override
    public String toString() {
      return millis + "-" + sequence;
    }
  }

  /** One entry: its id and what was appended. */
  record Entry(EntryId id, byte[] payload) {}

  /** The log's epoch and its newest entry (or {@link EntryId#ZERO}): where a new reader starts. */
  record Tail(String epoch, EntryId last) {}

  /**
   * Appends {@code payload}; returns its id.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be reached
   */
  EntryId append(byte[] payload);

  /**
   * The epoch and the newest entry now.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be reached
   */
  Tail tail();

  /**
   * The entries after {@code after}, oldest first, at most {@code max}; if there are none, waits up
   * to {@code wait} for some. Entries trimmed off the window are not there: check with {@link
   * #range} whether a position is still covered before relying on what follows it.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be reached
   * @throws InterruptedException if interrupted while waiting
   */
  List<Entry> read(EntryId after, int max, Duration wait) throws InterruptedException;

  /**
   * The entries from {@code from} (inclusive) to {@code to} (inclusive), oldest first, at most
   * {@code max}, if the log of {@code epoch} still holds every entry since {@code from}: empty if
   * the epoch changed or {@code from} is older than the window.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be reached
   */
  Optional<List<Entry>> range(String epoch, EntryId from, EntryId to, int max);

  /**
   * Drops the entries older than the window now, which appends otherwise do as they come: for a
   * log that went quiet, so that what it holds returns to nothing.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be reached
   */
  void trim();

  /** How long entries are kept. */
  Duration window();

  @Override
  void close();
}
