package io.parley.friend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ListCursorTest {
  @Test
  void cursorsSortNewestFirstThenByKeyDescending() {
    ListCursor older = new ListCursor(1_000, "uzzz");
    ListCursor newerA = new ListCursor(2_000, "uaaa");
    ListCursor newerB = new ListCursor(2_000, "ubbb");

    assertThat(new TreeSet<>(List.of(older, newerA, newerB))).containsExactly(newerB, newerA, older);
  }

  @Test
  void anEncodedCursorParsesBackAndGarbageDoesNot() {
    ListCursor cursor = new ListCursor(1_740_816_000_000L, "fr0123456789abcdef");

    assertThat(ListCursor.parseOrNull(cursor.encode())).isEqualTo(cursor);
    for (String garbage : List.of("", ":", "12", "12:", ":u1", "-1:u1", "x:u1", "12:U1", "12:u1:u2",
        "99999999999999999999:u1")) {
      assertThat(ListCursor.parseOrNull(garbage)).as(garbage).isNull();
    }
  }
}
