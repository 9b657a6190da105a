package io.parley.gateway;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Reads the {@code Grpc-Timeout} header in the gRPC wire format: a positive number of 1 to 8 digits and a unit, {@code
 * H} hours, {@code M} minutes, {@code S} seconds, {@code m} milliseconds, {@code u} microseconds,
 * {@code n} nanoseconds; e.g. {@code 5S}, {@code 200m}. The format reaches 99,999,999 hours, which
 * no deadline can hold in nanoseconds: callers bound what they accept.
 */
final class GrpcTimeouts {
  private static final int MAX_DIGITS = 8;

  private GrpcTimeouts() {}

  /** The timeout, or null if {@code value} is not in the format. */
  static Duration parse(String value) {
    if (value == null) {
      return null;
    }
    String text = value.strip();
    if (text.length() < 2 || text.length() > MAX_DIGITS + 1) {
      return null;
    }
    long amount = 0;
    for (int i = 0; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      amount = amount * 10 + (c - '0');
    }
    if (amount == 0) {
      // The format asks for a positive integer: a call due already is no call.
      return null;
    }
    ChronoUnit unit = switch (text.charAt(text.length() - 1)) {
      case 'H' -> ChronoUnit.HOURS;
      case 'M' -> ChronoUnit.MINUTES;
      case 'S' -> ChronoUnit.SECONDS;
      case 'm' -> ChronoUnit.MILLIS;
      case 'u' -> ChronoUnit.MICROS;
      case 'n' -> ChronoUnit.NANOS;
      default -> null;
    };
    return unit == null ? null : Duration.of(amount, unit);
  }

  /** {@code timeout} in the same format, in the largest unit that states it exactly; e.g. {@code 1H}, {@code 1500m}. */
  static String format(Duration timeout) {
    long nanos = timeout.toNanos();
    long[] unitNanos = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
    char[] units = {'H', 'M', 'S', 'm', 'u', 'n'};
    for (int i = 0; i < units.length; i++) {
      if (nanos % unitNanos[i] == 0) {
        return nanos / unitNanos[i] + String.valueOf(units[i]);
      }
    }
    throw new AssertionError(timeout);
  }
}
