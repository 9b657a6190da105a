package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Deployment#warmUp}: how long it goes on, judged by the services' JIT compilers. */
class WarmUpTest {
  private static final Duration JIT_WAIT = Duration.ofMinutes(2);

  /**
   * Services on a fake clock, which moves only while the load runs: their compilers take {@code
   * busyShare} of a core until {@code busyUntil}, then nothing.
   */
  private static final class FakeServices {
    final long busyUntilNanos;
    final double busyShare;
    final List<Duration> slices = new ArrayList<>();
    long nanos;
    double compiledMillis;

    FakeServices(Duration busyUntil, double busyShare) {
      this.busyUntilNanos = busyUntil.toNanos();
      this.busyShare = busyShare;
    }

    void load(Duration slice) {
      slices.add(slice);
      long end = nanos + slice.toNanos();
      long busyEnd = Math.min(end, busyUntilNanos);
      if (busyEnd > nanos) {
        compiledMillis += (busyEnd - nanos) / 1e6 * busyShare;
      }
      nanos = end;
    }

    Deployment.WarmUp warmUp(Duration asked) {
      return Deployment.warmUp(asked, JIT_WAIT, this::load, () -> (long) compiledMillis, () -> nanos);
    }
  }

  @Test
  void compilersQuietByTheEndOfTheAskedTimeEndItThere() {
    FakeServices services = new FakeServices(Duration.ofSeconds(10), 0.4);

    Deployment.WarmUp warmUp = services.warmUp(Duration.ofSeconds(30));

    assertThat(warmUp.took()).isEqualTo(Duration.ofSeconds(30));
    assertThat(warmUp.compilerShare()).isZero();
    // The asked time, its last slice watched.
    assertThat(services.slices).containsExactly(Duration.ofSeconds(25), Deployment.JIT_CHECK);
  }

  @Test
  void busyCompilersKeepItGoingUntilASliceFindsThemQuiet() {
    // Busy until 52 s: the slice of 50-55 s still sees 0.16 of a core; the one of 55-60 s, none.
    FakeServices services = new FakeServices(Duration.ofSeconds(52), 0.4);

    Deployment.WarmUp warmUp = services.warmUp(Duration.ofSeconds(30));

    assertThat(warmUp.took()).isEqualTo(Duration.ofSeconds(60));
    assertThat(warmUp.compilerShare()).isLessThanOrEqualTo(Deployment.QUIET_COMPILER);
    assertThat(services.slices).hasSize(8);
  }

  @Test
  void compilersThatNeverQuietAreWaitedForAtMostTheLimit() {
    FakeServices services = new FakeServices(Duration.ofDays(1), 0.4);

    Deployment.WarmUp warmUp = services.warmUp(Duration.ofSeconds(30));

    assertThat(warmUp.took()).isEqualTo(Duration.ofSeconds(30).plus(JIT_WAIT));
    assertThat(warmUp.compilerShare()).isGreaterThan(Deployment.QUIET_COMPILER);
    assertThat(warmUp.toString()).contains("150 s", "40.0% of a core");
  }

  @Test
  void aShortWarmUpIsOneWatchedSliceAtLeast() {
    FakeServices services = new FakeServices(Duration.ZERO, 0);

    assertThat(services.warmUp(Duration.ofSeconds(3)).took()).isEqualTo(Deployment.JIT_CHECK);
    assertThat(services.slices).containsExactly(Deployment.JIT_CHECK);
  }

  @Test
  void servicesThatCannotSayHowLongTheyCompiledWarmUpForTheAskedTime() {
    FakeServices services = new FakeServices(Duration.ofDays(1), 0.4);

    Deployment.WarmUp warmUp =
        Deployment.warmUp(Duration.ofSeconds(30), JIT_WAIT, services::load, () -> -1, () -> services.nanos);

    assertThat(warmUp.took()).isEqualTo(Duration.ofSeconds(30));
    assertThat(warmUp.compilerShare()).isNaN();
    assertThat(services.slices).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void noJitWaitIsTheAskedTimeWhateverTheCompilersDo() {
    FakeServices services = new FakeServices(Duration.ofDays(1), 0.4);

    Deployment.WarmUp warmUp = Deployment.warmUp(Duration.ofMillis(200), Duration.ZERO, services::load,
        () -> (long) services.compiledMillis, () -> services.nanos);

    assertThat(warmUp.took()).isEqualTo(Duration.ofMillis(200));
    assertThat(services.slices).containsExactly(Duration.ofMillis(200));
  }
}
