package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FriendSettingsTest {
  @Test
  void defaultsWaitTwoSecondsForUserSvcAndTryEightTimes() {
    assertThat(FriendSettings.defaults()).isEqualTo(new FriendSettings(Duration.ofSeconds(2), 8));
    assertThat(FriendSettings.defaults().withWriteAttempts(3).withUserLookupTimeout(Duration.ofMillis(500)))
        .isEqualTo(new FriendSettings(Duration.ofMillis(500), 3));
  }

  @Test
  void settingsThatCannotWorkAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new FriendSettings(Duration.ZERO, 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> new FriendSettings(Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeAttempts");
    assertThatThrownBy(() -> new FriendSettings(null, 1))
        .isInstanceOf(NullPointerException.class).hasMessage("userLookupTimeout");
  }
}
