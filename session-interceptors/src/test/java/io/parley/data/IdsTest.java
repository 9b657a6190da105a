package io.parley.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void idsArePrefixedUnderscoreFreeAndValid() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.newId("u");
      assertThat(id).hasSize(17).startsWith("u").doesNotContain("_");
      assertThat(Ids.isValid(id, "u")).isTrue();
      assertThat(seen.add(id)).isTrue();
    }
    assertThat(Ids.isValid("u_not_an_id_here", "u")).isFalse();
    assertThat(Ids.isValid(Ids.newId("g"), "u")).isFalse();
  }

  @Test
  void prefixesAreOneToFourLowercaseLetters() {
    assertThat(Ids.newId("abcd")).hasSize(20).startsWith("abcd");
    for (String bad : new String[] {"U_", "U", "", "abcde", "a1", "é", "a b"}) {
      assertThatThrownBy(() -> Ids.newId(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1-4 lowercase letters");
    }
    assertThatThrownBy(() -> Ids.newId(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sessionIdsCarry96BitsAndNoDot() {
    assertThat(Ids.newSessionId()).hasSize(16).matches("[A-Za-z0-9_-]+");
  }
}
