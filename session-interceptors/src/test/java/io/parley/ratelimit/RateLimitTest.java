package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest {
  @Test
  void specsReadAsWritten() {
    assertThat(RateLimit.parse("a", "20/1m")).isEqualTo(new RateLimit("a", 20, Duration.ofMinutes(1), 20));
    assertThat(RateLimit.parse("a", "20/1m,burst=5")).isEqualTo(new RateLimit("a", 20, Duration.ofMinutes(1), 5));
    assertThat(RateLimit.parse("a", " 1/250MS ")).isEqualTo(new RateLimit("a", 1, Duration.ofMillis(250), 1));
    assertThat(RateLimit.parse("a", "3/2h").period()).isEqualTo(Duration.ofHours(2));
    assertThat(RateLimit.parse("a", "3/1d").period()).isEqualTo(Duration.ofDays(1));
    assertThat(RateLimit.parse("a", "off").isUnlimited()).isTrue();
  }

  @Test
  void specRoundTrips() {
    for (String spec : new String[] {"20/1m", "20/1m,burst=5", "1/250ms", "3/2h", "30/1d,burst=3", "7/90s", "off"}) {
      assertThat(RateLimit.parse("a", spec).spec()).isEqualTo(spec);
    }
    assertThat(RateLimit.of("user.login", 30, Duration.ofMinutes(1))).hasToString("user.login 30/1m");
  }

  @Test
  void nonsenseIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> RateLimit.parse("user.login", "fast")).hasMessageStartingWith("user.login: 'fast' is not");
    assertThatThrownBy(() -> RateLimit.parse("a", "20/1w")).hasMessageContaining("units ms, s, m, h, d");
    assertThatThrownBy(() -> RateLimit.parse("a", "1/2d")).hasMessageContaining("period must be 1 ms to 1 day");
    assertThatThrownBy(() -> RateLimit.parse("a", "1/0s")).hasMessageContaining("period");
    assertThatThrownBy(() -> RateLimit.parse("a", "1/1h,burst=0")).hasMessageContaining("burst must be");
    assertThatThrownBy(() -> RateLimit.parse("a", "1/1h,burst=25")).hasMessageContaining("more than a day");
    assertThatThrownBy(() -> RateLimit.of("Has Space", 1, Duration.ofSeconds(1))).hasMessageContaining("name");
    assertThatThrownBy(() -> RateLimit.of("a", -1, Duration.ofSeconds(1))).hasMessageContaining("permits");
  }

  @Test
  void theIntervalIsThePeriodSharedOutInWholeMicroseconds() {
    assertThat(RateLimit.parse("a", "20/1m").intervalMicros()).isEqualTo(3_000_000);
    assertThat(RateLimit.parse("a", "20/1m,burst=5").capacityMicros()).isEqualTo(15_000_000);
    assertThat(RateLimit.parse("a", "3/1ms").intervalMicros()).isEqualTo(333);
    assertThat(RateLimit.parse("a", "1000000/1ms").intervalMicros()).isEqualTo(1);
  }
}
