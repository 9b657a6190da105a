package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(64, 1, 1);

  @Test
  void hashesAreSaltedArgon2idPhcStringsThatVerifyOnlyTheirPassword() {
    String first = hasher.hash("correct horse");
    String second = hasher.hash("correct horse");

    assertThat(first).matches("\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(second).isNotEqualTo(first);
    assertThat(hasher.verify("correct horse", first)).isTrue();
    assertThat(hasher.verify("correct horse", second)).isTrue();
    assertThat(hasher.verify("Correct horse", first)).isFalse();
  }

  @Test
  void aHashMadeWithOtherParametersStillVerifiesAndAsksForARehash() {
    String old = new PasswordHasher(32, 2, 1).hash("correct horse");

    assertThat(hasher.verify("correct horse", old)).isTrue();
    assertThat(hasher.needsRehash(old)).isTrue();
    assertThat(hasher.needsRehash(hasher.hash("correct horse"))).isFalse();
  }

  @Test
  void theDummyCheckNeverMatches() {
    assertThat(hasher.verifyDummy("anything")).isFalse();
    assertThat(hasher.verifyDummy("")).isFalse();
  }

  @Test
  void aCorruptStoredHashIsAnInternalError() {
    assertThatThrownBy(() -> hasher.verify("correct horse", "not a phc string"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("correct horse");
  }
}
