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
}
