package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FriendSettingsTest {
  @Test
  void defaultsWaitTwoSecondsForUserSvc() {
    assertThat(FriendSettings.defaults()).isEqualTo(new FriendSettings(Duration.ofSeconds(2)));
    assertThat(FriendSettings.defaults().withUserLookupTimeout(Duration.ofMillis(500)))
        .isEqualTo(new FriendSettings(Duration.ofMillis(500)));
  }

  @Test
  void settingsThatCannotWorkAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new FriendSettings(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> new FriendSettings(null))
        .isInstanceOf(NullPointerException.class).hasMessage("userLookupTimeout");
  }
}
