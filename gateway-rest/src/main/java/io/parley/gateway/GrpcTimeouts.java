package io.parley.gateway;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Reads the {@code Grpc-Timeout} header in the gRPC wire format: 1 to 8 digits and a unit, {@code
 * H} hours, {@code M} minutes, {@code S} seconds, {@code m} milliseconds, {@code u} microseconds,
 * {@code n} nanoseconds; e.g. {@code 5S}, {@code 200m}.
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
}
