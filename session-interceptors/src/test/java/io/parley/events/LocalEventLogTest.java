package io.parley.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalEventLogTest extends EventLogContract {
  @Override
  EventLog newLog(Duration window) {
    return new LocalEventLog(Clock.systemUTC(), window, 10_000);
  }

  @Test
  void keepsAtMostItsEntryLimitAndSaysSoToAnOlderPosition() {
    try (LocalEventLog log = new LocalEventLog(Clock.systemUTC(), Duration.ofMinutes(1), 3)) {
      String epoch = log.tail().epoch();
      EventLog.EntryId first = log.append(new byte[] {1});
      EventLog.EntryId second = log.append(new byte[] {2});
      log.append(new byte[] {3});
      EventLog.EntryId fourth = log.append(new byte[] {4});

      assertThat(log.range(epoch, first, fourth, 10)).as("the first was dropped").isEmpty();
      assertThat(log.range(epoch, second, fourth, 10)).hasValueSatisfying(r -> assertThat(r).hasSize(3));
    }
  }

  @Test
  void everyInstanceIsItsOwnEpoch() {
    try (LocalEventLog a = new LocalEventLog(Clock.systemUTC(), Duration.ofMinutes(1), 10);
        LocalEventLog b = new LocalEventLog(Clock.systemUTC(), Duration.ofMinutes(1), 10)) {
      assertThat(a.tail().epoch()).isNotEqualTo(b.tail().epoch());
    }
  }
}
