package io.parley.message;

import io.parley.auth.TokenKeys;
import io.parley.server.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Platforms for tests: every one shares one HMAC secret, so tokens verify on all of them. */
final class TestPlatforms {
  private static final TokenKeys KEYS =
      TokenKeys.hmac("message-svc-tests-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8));

  private TestPlatforms() {}

  /** A platform on {@code store} ("memory" or a Redis URL) with {@code clock}. */
  static Platform create(String store, Clock clock) {
    return Platform.builder(KEYS).store(store).clock(clock).build();
  }
}
