package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FriendSettingsTest {
  private static final RateLimit DEFAULT_LIMIT = RateLimit.parse("friend.request", "20/1h,burst=10");

  @Test
  void defaultsWaitTwoSecondsForUserSvcAndLetAUserSendTwentyRequestsAnHour() {
    assertThat(FriendSettings.defaults()).isEqualTo(new FriendSettings(Duration.ofSeconds(2), DEFAULT_LIMIT));
    assertThat(FriendSettings.defaults().withUserLookupTimeout(Duration.ofMillis(500)))
        .isEqualTo(new FriendSettings(Duration.ofMillis(500), DEFAULT_LIMIT));
    assertThat(FriendSettings.defaults().withFriendRequestLimit(RateLimit.unlimited("friend.request"))
        .friendRequestLimit().isUnlimited()).isTrue();
  }

  @Test
  void settingsThatCannotWorkAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new FriendSettings(Duration.ZERO, DEFAULT_LIMIT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> new FriendSettings(null, DEFAULT_LIMIT))
        .isInstanceOf(NullPointerException.class).hasMessage("userLookupTimeout");
    assertThatThrownBy(() -> new FriendSettings(Duration.ofSeconds(1), RateLimit.parse("user.login", "1/1s")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("friendRequestLimit must be named");
  }
}
