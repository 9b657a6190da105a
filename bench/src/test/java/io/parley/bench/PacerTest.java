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

  @Test
  void theCountAtTheEndIsExactNotOneShortByRounding() {
    // 30 a second for 100 ms is 3 calls; in floating point, 2.9999999999999996 of them.
    assertThat(Pacer.run(() -> { }, 30, Duration.ofMillis(100))).isEqualTo(3);
    assertThat(Pacer.run(() -> { }, 170, Duration.ofMillis(300))).isEqualTo(51);
  }

  private static void busyWait(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
