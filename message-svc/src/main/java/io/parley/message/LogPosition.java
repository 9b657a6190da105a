package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.events.EventLog.EntryId;

/**
 * Where one live event is in message-svc's event log: the entry (one published frame) and the
 * event's index in it. Ordered as the log is. {@link #after(EntryId)} is the position just past an
 * entry's last event, whatever their count.
 */
record LogPosition(EntryId entry, int index) implements Comparable<LogPosition> {
  LogPosition {
    requireNonNull(entry, "entry");
    if (index < 0) {
      throw new IllegalArgumentException("negative index: " + index);
    }
  }

  /** The position past every event of {@code entry}, before the next entry's first. */
  static LogPosition after(EntryId entry) {
    return new LogPosition(entry, Integer.MAX_VALUE);
  }

  /**
   * Parses what {@link #toString()} writes.
   *
   * @throws IllegalArgumentException if {@code text} is not a position
   */
  static LogPosition parse(String text) {
    int dot = text.lastIndexOf('.');
    if (dot <= 0) {
      throw new IllegalArgumentException("not a log position: " + text);
    }
    try {
      return new LogPosition(EntryId.parse(text.substring(0, dot)), Integer.parseInt(text, dot + 1, text.length(), 10));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a log position: " + text, e);
    }
  }

  @Override
  public int compareTo(LogPosition other) {
    int byEntry = entry.compareTo(other.entry);
    return byEntry != 0 ? byEntry : Integer.compare(index, other.index);
  }

  @Override
  public String toString() {
    return entry + "." + index;
  }
}
