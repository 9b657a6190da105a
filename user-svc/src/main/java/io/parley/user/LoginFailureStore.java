package io.parley.user;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Failed password checks in a sliding window, shared by every replica so that throttling holds
 * however logins are balanced, counted so that nobody can lock another user out:
 *
 * <ul>
 *   <li>per username <em>and client address</em>: guessing one user's password from one address is
 *       throttled, while the owner, from any other address, logs in as usual;
 *   <li>per client address, whatever the usernames: one address cannot spray a common password
 *       over many usernames.
 * </ul>
 *
 * <p>An attempt is counted as a failure of both when it {@linkplain #begin begins}, so that
 * concurrent attempts cannot check more passwords than the limits allow; when it {@linkplain
 * #succeeded succeeds}, it is taken back from the address's count and every failure of the
 * username from that address is forgotten. Unknown usernames are counted like known ones, so that
 * throttling reveals nothing about which usernames exist. Implementations: {@link
 * MemoryLoginFailureStore} and {@link RedisLoginFailureStore}, held to one contract by the same
 * test suite.
 *
 * <p>Thread-safe. Usernames are passed lower-case, addresses as {@link
 * io.parley.server.ClientAddresses#keyOf} keys, attempt ids as random strings unique to the
 * attempt. Time comes from the injected clock. A store that cannot be reached throws a {@link
 * io.parley.error.ParleyException} with reason STORE_UNAVAILABLE.
 */
interface LoginFailureStore extends AutoCloseable {

  /** Which count refused an attempt. */
  enum Limit {
    /** Too many failures for this username from this address. */
    USERNAME_FROM_ADDRESS("user.login-failures"),
    /** Too many failures from this address, whatever the usernames. */
    ADDRESS("user.login-failures-per-address");

    private final String metadata;

    Limit(String metadata) {
      this.metadata = metadata;
    }

    /** How clients see it, in {@code ErrorInfo.metadata["limit"]}. */
    String metadata() {
      return metadata;
    }
  }

  /** An attempt that may not go ahead, and how long until the oldest failure that stops it leaves the window. */
  record Refusal(Limit limit, Duration retryAfter) {
    public Refusal {
      requireNonNull(limit, "limit");
      requireNonNull(retryAfter, "retryAfter");
    }
  }

  /**
   * Begins attempt {@code attemptId} for {@code username} from {@code address}. If both counts are
   * below their limits, records the attempt as a failure of both and returns empty: the caller may
   * check the password. Otherwise records nothing and says which limit stops it (the username's
   * from this address first) and for how long.
   */
  Optional<Refusal> begin(String username, String address, String attemptId);

  /**
   * Records that attempt {@code attemptId} succeeded: forgets every failure of {@code username}
   * from {@code address}, and this attempt from the address's count.
   */
  void succeeded(String username, String address, String attemptId);

  @Override
  void close();
}
