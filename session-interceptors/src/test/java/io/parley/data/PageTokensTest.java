package io.parley.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import org.junit.jupiter.api.Test;

class PageTokensTest {
  @Test
  void tokenRoundTripsForTheSameQueryOnly() {
    String token = PageTokens.encode("42", "friends:u1");

    assertThat(PageTokens.decode(token, "friends:u1")).isEqualTo("42");
    assertThat(PageTokens.decodeOffset(token, "friends:u1")).isEqualTo(42);
    assertThat(PageTokens.decode("", "friends:u1")).isNull();
    assertThatThrownBy(() -> PageTokens.decode(token, "friends:u2"))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PAGE_TOKEN));
    assertThatThrownBy(() -> PageTokens.decode("!!not-base64!!", "q")).isInstanceOf(ParleyException.class);
    assertThatThrownBy(() -> PageTokens.decodeOffset(PageTokens.encode("-3", "q"), "q")).isInstanceOf(ParleyException.class);
  }

  @Test
  void pageSizeDefaultsAndCaps() {
    assertThat(PageTokens.pageSize(0, 20, 100)).isEqualTo(20);
    assertThat(PageTokens.pageSize(500, 20, 100)).isEqualTo(100);
    assertThat(PageTokens.pageSize(7, 20, 100)).isEqualTo(7);
    assertThatThrownBy(() -> PageTokens.pageSize(-1, 20, 100))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.violations()).extracting("field").containsExactly("page_size"));
  }
}
