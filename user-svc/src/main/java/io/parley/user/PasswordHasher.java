package io.parley.user;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.parley.data.Ids;

/**
 * Hashes passwords with Argon2id (password4j) into PHC strings, e.g. {@code
 * $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, with a random 16-byte salt and a 32-byte hash.
 *
 * <p>A stored hash is checked with the parameters written in it, so raising the cost in {@link
 * UserSettings} leaves older hashes valid; {@link #needsRehash} tells which ones to upgrade at the
 * next successful login. {@link #verifyDummy} spends the time of a real check against a hash made
 * at start-up, so that a login for an unknown username takes as long as one with a wrong password.
 *
 * <p>Immutable and thread-safe. Nothing here logs or keeps a password.
 */
final class PasswordHasher {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final Argon2Function function;
  private final String dummyHash;

  PasswordHasher(int memoryKib, int iterations, int parallelism) {
    this.function = Argon2Function.getInstance(
        memoryKib, iterations, parallelism, HASH_BYTES, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
    this.dummyHash = hash(Ids.newSessionId());
  }

  static PasswordHasher of(UserSettings settings) {
    return new PasswordHasher(settings.argon2MemoryKib(), settings.argon2Iterations(), settings.argon2Parallelism());
  }

  /** A new PHC string for {@code password}, salted afresh. */
  String hash(String password) {
    return Password.hash(password).addRandomSalt(SALT_BYTES).with(function).getResult();
  }

  /**
   * Whether {@code password} matches the PHC string {@code hash}.
   *
   * @throws IllegalStateException if {@code hash} is not an Argon2 PHC string (a corrupt store)
   */
  boolean verify(String password, String hash) {
    return Password.check(password, hash).with(functionOf(hash));
  }

  /** Checks {@code password} against a hash no password matches, taking as long as {@link #verify}; always false. */
  boolean verifyDummy(String password) {
    verify(password, dummyHash);
    return false;
  }

  /** Whether {@code hash} was made with other parameters than the configured ones. */
  boolean needsRehash(String hash) {
    return !function.equals(functionOf(hash));
  }

  private static Argon2Function functionOf(String hash) {
    try {
      return Argon2Function.getInstanceFromHash(hash);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalStateException("a stored password hash is not an Argon2 PHC string", e);
    }
  }

  @Override
  public String toString() {
    return "PasswordHasher{" + function + "}";
  }
}
