package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UserSettingsTest {
  @Test
  void defaultsFollowTheOwaspArgon2idRecommendationAndTheDocumentedThrottle() {
    UserSettings defaults = UserSettings.defaults();

    assertThat(defaults.argon2MemoryKib()).isEqualTo(19 * 1024);
    assertThat(defaults.argon2Iterations()).isEqualTo(2);
    assertThat(defaults.argon2Parallelism()).isEqualTo(1);
    assertThat(defaults.maxLoginFailures()).isEqualTo(5);
    assertThat(defaults.loginFailureWindow()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void forTestsOnlyMakesHashingCheap() {
    assertThat(UserSettings.forTests()).isEqualTo(UserSettings.defaults().withArgon2(64, 1, 1));
  }

  @Test
  void nonsenseIsRejectedNamingTheValue() {
    UserSettings defaults = UserSettings.defaults();

    assertThatThrownBy(() -> defaults.withArgon2(15, 1, 2)).hasMessageContaining("argon2MemoryKib");
    assertThatThrownBy(() -> defaults.withArgon2(64, 0, 1)).hasMessageContaining("argon2Iterations");
    assertThatThrownBy(() -> defaults.withArgon2(64, 1, 17)).hasMessageContaining("argon2Parallelism");
    assertThatThrownBy(() -> defaults.withLoginThrottle(0, Duration.ofMinutes(1))).hasMessageContaining("maxLoginFailures");
    assertThatThrownBy(() -> defaults.withLoginThrottle(5, Duration.ofMillis(10))).hasMessageContaining("loginFailureWindow");
    assertThatThrownBy(() -> defaults.withSearchScanLimit(0)).hasMessageContaining("searchScanLimit");
  }
}
