package io.parley.user;

import java.time.Duration;
import java.util.Optional;

/**
 * Failed password checks per username, in a sliding window, shared by every replica so that
 * throttling holds however logins are balanced. Implementations: {@link MemoryLoginFailureStore}
 * and {@link RedisLoginFailureStore}, held to one contract by the same test suite.
 *
 * <p>An attempt is counted as a failure when it {@linkplain #begin begins} and forgotten with all
 * others by {@link #reset} when it succeeds, so that concurrent attempts cannot check more
 * passwords than the limit allows. Unknown usernames are counted like known ones, so that
 * throttling reveals nothing about which usernames exist.
 *
 * <p>Thread-safe. Usernames are passed lower-case. Time comes from the injected clock. A store that
 * cannot be reached throws a {@link io.parley.error.ParleyException} with reason STORE_UNAVAILABLE.
 */
interface LoginFailureStore extends AutoCloseable {

  /**
   * Begins an attempt for {@code username}. If fewer than the limit of failures lie within the
   * window, records this attempt as one and returns empty: the caller may check the password.
   * Otherwise records nothing and returns how long until the oldest failure leaves the window.
   */
  Optional<Duration> begin(String username);

  /** Forgets every failure of {@code username}, after a successful check. */
  void reset(String username);

  @Override
  void close();
}
