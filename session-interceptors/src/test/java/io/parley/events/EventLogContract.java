package io.parley.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.events.EventLog.Entry;
import io.parley.events.EventLog.EntryId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link EventLog} does; subclasses make the log under test. */
abstract class EventLogContract {

  /** A fresh, empty log keeping entries for {@code window}. */
  abstract EventLog newLog(Duration window);

  private static List<String> texts(List<Entry> entries) {
    return entries.stream().map(e -> new String(e.payload(), UTF_8)).toList();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void appendedEntriesAreReadInOrderAfterAPosition() throws Exception {
    try (EventLog log = newLog(Duration.ofMinutes(1))) {
      EventLog.Tail start = log.tail();
      EntryId a = log.append(bytes("a"));
      EntryId b = log.append(bytes("b"));
      EntryId c = log.append(bytes("c"));

      assertThat(a).isLessThan(b);
      assertThat(b).isLessThan(c);
      assertThat(a).isGreaterThan(start.last());
      assertThat(log.tail()).isEqualTo(new EventLog.Tail(start.epoch(), c));
      assertThat(texts(log.read(start.last(), 10, Duration.ofMillis(100)))).containsExactly("a", "b", "c");
      assertThat(texts(log.read(a, 10, Duration.ofMillis(100)))).containsExactly("b", "c");
      assertThat(texts(log.read(a, 1, Duration.ofMillis(100)))).containsExactly("b");
      assertThat(log.read(c, 10, Duration.ofMillis(50))).as("nothing after the newest").isEmpty();
    }
  }

  @Test
  void aWaitingReadReturnsWhatIsAppendedMeanwhile() throws Exception {
    try (EventLog log = newLog(Duration.ofMinutes(1))) {
      EntryId last = log.tail().last();
      CompletableFuture<List<Entry>> read = CompletableFuture.supplyAsync(() -> {
        try {
          return log.read(last, 10, Duration.ofSeconds(5));
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      EntryId appended = log.append(bytes("late"));

      List<Entry> entries = read.get(5, TimeUnit.SECONDS);
      assertThat(texts(entries)).containsExactly("late");
      assertThat(entries.get(0).id()).isEqualTo(appended);
    }
  }

  @Test
  void payloadsAreKeptByteForByte() throws Exception {
    try (EventLog log = newLog(Duration.ofMinutes(1))) {
      byte[] all = new byte[256];
      for (int i = 0; i < all.length; i++) {
        all[i] = (byte) i;
      }
      EntryId last = log.tail().last();
      log.append(all);
      assertThat(log.read(last, 1, Duration.ofMillis(100)).get(0).payload()).isEqualTo(all);
    }
  }

  @Test
  void aRangeIsInclusiveAndBoundedInTheSameEpoch() {
    try (EventLog log = newLog(Duration.ofMinutes(1))) {
      String epoch = log.tail().epoch();
      EntryId a = log.append(bytes("a"));
      EntryId b = log.append(bytes("b"));
      EntryId c = log.append(bytes("c"));
      log.append(bytes("d"));

      assertThat(log.range(epoch, a, c, 10)).hasValueSatisfying(r -> assertThat(texts(r)).containsExactly("a", "b", "c"));
      assertThat(log.range(epoch, b, c, 10)).hasValueSatisfying(r -> assertThat(texts(r)).containsExactly("b", "c"));
      assertThat(log.range(epoch, a, c, 2)).hasValueSatisfying(r -> assertThat(texts(r)).containsExactly("a", "b"));
      EntryId afterC = new EntryId(c.millis(), c.sequence() + 1);
      assertThat(log.range(epoch, afterC, c, 10)).hasValueSatisfying(r -> assertThat(r).isEmpty());
      assertThat(log.range("another-epoch", a, c, 10)).as("a position of another log").isEmpty();
      assertThat(log.tail().epoch()).as("the epoch stays").isEqualTo(epoch);
    }
  }

  @Test
  void aPositionOlderThanTheWindowIsNoLongerCovered() {
    try (EventLog log = newLog(Duration.ofMillis(300))) {
      String epoch = log.tail().epoch();
      EntryId old = log.append(bytes("old"));
      assertThat(log.range(epoch, old, old, 10)).isPresent();

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> log.range(epoch, old, log.append(bytes("new")), 10).isEmpty());
    }
  }

  @Test
  void aTrimmedQuietLogReadsNothingOlderThanItsWindow() throws Exception {
    try (EventLog log = newLog(Duration.ofMillis(200))) {
      EntryId before = log.tail().last();
      log.append(bytes("old"));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            log.trim();
            return log.read(before, 10, Duration.ofMillis(1)).isEmpty();
          });
    }
  }
}
