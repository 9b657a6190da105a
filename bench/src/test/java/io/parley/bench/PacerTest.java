package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacerTest {
  @Test
  void aRunMakesExactlyTheCallsItsRateAndDurationCallFor() {
    AtomicLong calls = new AtomicLong();
    // Each call takes longer than a tick, so the pacer is always behind and must catch up at the end.
    long made = Pacer.run(() -> {
      calls.incrementAndGet();
      busyWait(Duration.ofMillis(2));
    }, 1_000, Duration.ofMillis(300));

    assertThat(made).isEqualTo(300);
    assertThat(calls).hasValue(300);
  }

  private static void busyWait(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
