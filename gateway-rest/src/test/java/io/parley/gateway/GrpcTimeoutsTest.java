package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcTimeoutsTest {
  @Test
  void readsEveryUnitOfTheGrpcWireFormat() {
    assertThat(GrpcTimeouts.parse("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(GrpcTimeouts.parse("3M")).isEqualTo(Duration.ofMinutes(3));
    assertThat(GrpcTimeouts.parse("5S")).isEqualTo(Duration.ofSeconds(5));
    assertThat(GrpcTimeouts.parse("200m")).isEqualTo(Duration.ofMillis(200));
    assertThat(GrpcTimeouts.parse("300u")).isEqualTo(Duration.ofNanos(300_000));
    assertThat(GrpcTimeouts.parse("99999999n")).isEqualTo(Duration.ofNanos(99_999_999));
  }

  @Test
  void rejectsAnythingElse() {
    assertThat(GrpcTimeouts.parse("5")).isNull();
    assertThat(GrpcTimeouts.parse("S")).isNull();
    assertThat(GrpcTimeouts.parse("5s")).isNull();
    assertThat(GrpcTimeouts.parse("-5S")).isNull();
    assertThat(GrpcTimeouts.parse("123456789S")).isNull();
    assertThat(GrpcTimeouts.parse("1.5S")).isNull();
    assertThat(GrpcTimeouts.parse(null)).isNull();
  }

  /** Found by the HTTP fuzz: {@code 0n} was a call due already, answered 504 Gateway Timeout. */
  @Test
  void zeroIsNoTimeout() {
    assertThat(GrpcTimeouts.parse("0n")).isNull();
    assertThat(GrpcTimeouts.parse("00000000S")).isNull();
  }

  @Test
  void readsTheLongestValueWithoutOverflowing() {
    assertThat(GrpcTimeouts.parse("99999999H")).isEqualTo(Duration.ofHours(99_999_999));
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(GrpcTimeouts.format(Duration.ofHours(1))).isEqualTo("1H");
    assertThat(GrpcTimeouts.format(Duration.ofMinutes(90))).isEqualTo("90M");
    assertThat(GrpcTimeouts.format(Duration.ofMillis(1500))).isEqualTo("1500m");
    assertThat(GrpcTimeouts.format(Duration.ofNanos(7))).isEqualTo("7n");
  }
}
