package io.parley.message;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Caffeine tickers driven by an injected {@link Clock}, so that tests expire entries by moving it. */
final class Tickers {
  private Tickers() {}

  static Ticker of(Clock clock) {
    return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }
}
