package io.parley.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventEpochsTest {
  private final EventEpochs epochs = new EventEpochs(2, userId -> userId.startsWith("a") ? 0 : 1, false);

  @Test
  void aShardIsHeardOnlyOnceConfirmedAndEveryShardMustBeForAllToBe() {
    assertThat(EventEpochs.isHeard(epochs.epoch(0))).isFalse();
    assertThat(epochs.heard(0)).isTrue();
    assertThat(epochs.heard(0)).isFalse();
    assertThat(epochs.allHeard()).isFalse();
    epochs.heard(1);
    assertThat(epochs.allHeard()).isTrue();
    assertThat(epochs.shard("alice")).isZero();
    assertThat(epochs.shard("bob")).isOne();
  }

  @Test
  void anEntryReadBeforeALossIsServedAgainOnlyIfNothingWasMissed() {
    epochs.heard(0);
    long read = epochs.epoch(0);

    epochs.missed(0);
    assertThat(epochs.mayServe(0, read)).as("kept, for now").isTrue();
    assertThat(epochs.epoch(0)).isNotEqualTo(read);
    epochs.resumed(0, true);
    assertThat(epochs.epoch(0)).isEqualTo(read);

    epochs.missed(0);
    epochs.resumed(0, false);
    assertThat(epochs.epoch(0)).isNotEqualTo(read);
    assertThat(epochs.mayServe(0, read)).isFalse();
  }

  @Test
  void aReadStartedWhileTheShardWasNotHeardIsNeverServed() {
    epochs.heard(0);
    epochs.missed(0);
    long readWhileLost = epochs.epoch(0);

    epochs.resumed(0, true);
    assertThat(epochs.epoch(0)).isNotEqualTo(readWhileLost);
    epochs.missed(0);
    assertThat(epochs.mayServe(0, readWhileLost)).isFalse();
  }

  @Test
  void invalidatingAHeardShardLeavesItHeardUnderANewEpoch() {
    epochs.heard(0);
    long read = epochs.epoch(0);

    epochs.invalidate(0);

    assertThat(EventEpochs.isHeard(epochs.epoch(0))).isTrue();
    assertThat(epochs.epoch(0)).isNotEqualTo(read);
    assertThat(epochs.mayServe(0, read)).isFalse();
  }

  @Test
  void theFirstConfirmationNeverRestoresAnything() {
    epochs.resumed(0, true);
    assertThat(EventEpochs.isHeard(epochs.epoch(0))).isTrue();
    assertThat(epochs.epoch(0)).isPositive();
  }
}
