package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.events.EventLog.EntryId;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import io.parley.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecentEntriesTest {
  private static final Duration WINDOW = Duration.ofSeconds(10);

  private final MutableClock clock = MutableClock.startingNow();

  /** An entry at the clock's time, holding {@code events} events. */
  private RecentEntries.Decoded entry(long sequence, int events) {
    List<LiveEvent> list = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      list.add(new LiveEvent("", "", Event.newBuilder()
          .setMessage(Message.newBuilder().setConversationId("g:g1").setSeq(i + 1)).build()));
    }
    return new RecentEntries.Decoded(new EntryId(clock.millis(), sequence), list, false);
  }

  /** Entries reading epoch "e" from the clock's time now, holding {@code maxEvents} events. */
  private RecentEntries started(int maxEvents) {
    RecentEntries recent = new RecentEntries(maxEvents, clock, WINDOW);
    recent.reset("e", new EntryId(clock.millis(), 0));
    return recent;
  }

  /** The entries from sequence {@code from} through {@code to} at {@code millis}. */
  private static Optional<List<RecentEntries.Decoded>> slice(RecentEntries recent, long millis, long from, long to) {
    return recent.slice("e", new EntryId(millis, from), new EntryId(millis, to));
  }

  private static List<Long> sequences(Optional<List<RecentEntries.Decoded>> slice) {
    return slice.orElseThrow().stream().map(d -> d.id().sequence()).toList();
  }

  @Test
  void holdsEntriesUpToTheirEventsNotTheirNumber() {
    long start = clock.millis();
    RecentEntries recent = started(100);
    // Ten batches of 30 events: the newest four hold 120 events, the newest three only 90.
    for (int i = 1; i <= 10; i++) {
      recent.add(entry(i, 30));
    }

    assertThat(recent.size()).isEqualTo(4);
    assertThat(sequences(slice(recent, start, 7, 10))).containsExactly(7L, 8L, 9L, 10L);
    // What was dropped is read from the log, never served partly.
    assertThat(slice(recent, start, 6, 10)).isEmpty();
  }

  @Test
  void aLossMarkCountsAsOneEvent() {
    RecentEntries recent = started(3);
    for (int i = 1; i <= 5; i++) {
      recent.add(new RecentEntries.Decoded(new EntryId(clock.millis(), i), List.of(), true));
    }

    assertThat(recent.size()).isEqualTo(3);
  }

  @Test
  void anEntryLargerThanTheBoundIsStillHeld() {
    long start = clock.millis();
    RecentEntries recent = started(10);
    recent.add(entry(1, 5));
    recent.add(entry(2, 50));

    assertThat(sequences(slice(recent, start, 2, 2))).containsExactly(2L);
    assertThat(slice(recent, start, 1, 2)).isEmpty();
  }

  @Test
  void entriesOlderThanTheWindowAreDroppedWhenTheNextOneComes() {
    RecentEntries recent = started(10_000);
    recent.add(entry(1, 1));
    recent.add(entry(2, 1));
    clock.advance(WINDOW.plusMillis(1));
    recent.add(entry(3, 1));

    assertThat(recent.size()).isEqualTo(1);
    assertThat(sequences(slice(recent, clock.millis(), 3, 3))).containsExactly(3L);
  }
}
