package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.ratelimit.RateLimit;
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
    assertThat(defaults.maxLoginFailuresPerAddress()).isEqualTo(50);
    assertThat(defaults.loginFailureWindow()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void defaultsHashOnHalfTheCoresAndLimitCallers() {
    UserSettings defaults = UserSettings.defaults();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    assertThat(defaults.hashingThreads()).isEqualTo(threads);
    assertThat(defaults.hashingQueue()).isEqualTo(8 * threads);
    assertThat(defaults.registerLimit()).hasToString("user.register 20/1h,burst=10");
    assertThat(defaults.loginLimit()).hasToString("user.login 60/1m,burst=20");
    assertThat(defaults.searchLimit()).hasToString("user.search 60/1m,burst=20");
  }

  @Test
  void forTestsMakesHashingCheapAndLiftsTheLimitsPerAddress() {
    assertThat(UserSettings.forTests()).isEqualTo(UserSettings.defaults().withArgon2(64, 1, 1)
        .withRegisterLimit(RateLimit.unlimited("user.register"))
        .withLoginLimit(RateLimit.unlimited("user.login")));
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
    assertThatThrownBy(() -> defaults.withMaxLoginFailuresPerAddress(4)).hasMessageContaining("maxLoginFailuresPerAddress");
    assertThatThrownBy(() -> defaults.withHashing(0, 10)).hasMessageContaining("hashingThreads");
    assertThatThrownBy(() -> defaults.withHashing(2, 0)).hasMessageContaining("hashingQueue");
    assertThatThrownBy(() -> defaults.withLoginLimit(RateLimit.parse("user.register", "1/1s")))
        .hasMessageContaining("loginLimit must be named user.login");
  }
}
