package io.parley.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.error.FieldViolation;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserTextTest {
  private static final UserText NAME = UserText.name(8, 16);
  private static final UserText LABEL = UserText.label(8, 16);
  private static final UserText TEXT = UserText.text(20, 40);
  private static final UserText BODY = UserText.body(40, 160);

  /** The stored text, or the violation's description prefixed with "refused: ". */
  private static String check(UserText rule, String value) {
    FieldViolations violations = new FieldViolations();
    String stored = rule.check(violations, "f", value);
    if (stored != null) {
      assertThat(violations.isEmpty()).isTrue();
      return stored;
    }
    ParleyException e = org.assertj.core.api.Assertions.catchThrowableOfType(ParleyException.class,
        violations::throwIfAny);
    List<FieldViolation> list = e.violations();
    assertThat(list).extracting(FieldViolation::field).containsExactly("f");
    return "refused: " + list.get(0).description();
  }

  @Test
  void textIsStoredNfcNormalized() {
    // "e" + COMBINING ACUTE ACCENT, and "Å" as A + COMBINING RING ABOVE: one character each once composed.
    assertThat(check(NAME, "Rene\u0301")).isEqualTo("Ren\u00e9");
    assertThat(check(LABEL, "A\u030angstr\u00f6m")).isEqualTo("\u00c5ngstr\u00f6m");
    assertThat(check(TEXT, "cafe\u0301\nbar")).isEqualTo("caf\u00e9\nbar");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "evil\u202Etxt.exe", // RIGHT-TO-LEFT OVERRIDE
      "a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", // embeddings, pop
      "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b", // isolates
      "a\u200Eb", "a\u200Fb", "a\u061Cb", // marks
      "ad\u200Bmin", "a\u200Cb", "a\u200Db", "a\u2060b", "a\uFEFFb", // zero-width, word joiner, BOM
      "a\u00ADb", // soft hyphen
      "bell\u0007", "a\u0000b", "a\u007Fb", "a\u0085b", "a\u009Bb", // C0, DEL, C1
      "two\nlines", "tab\tbed", "a\u2028b", "a\u2029b", // breaks on one line
      "\u3164", "a\u3164b", "a\u115Fb", "a\uFFA0b", "a\u034Fb", // fillers that draw nothing
      "a\uFFFEb", "a\uFDD0b", "a\uDB40\uDC01b" // non-characters, a tag character
  })
  void invisibleAndDeceptiveCharactersAreRefusedInNames(String value) {
    assertThat(check(NAME, value)).startsWith("refused: must not contain control, bidirectional-control or "
        + "invisible characters (found U+");
    assertThat(check(LABEL, value)).startsWith("refused: ");
  }

  @Test
  void theRefusedCharacterIsNamedByItsCodePoint() {
    assertThat(check(NAME, "evil\u202Etxt")).endsWith("(found U+202E)");
    assertThat(check(NAME, "x\uDB40\uDC01")).endsWith("(found U+E0001)");
  }

  @Test
  void aTextMayHoldLineBreaksAndTabsButNothingElseInvisible() {
    assertThat(check(TEXT, "one\r\ntwo\tend")).isEqualTo("one\r\ntwo\tend");
    assertThat(check(TEXT, "a\u202Eb")).endsWith("(found U+202E)");
    assertThat(check(TEXT, "a\u0007b")).endsWith("(found U+0007)");
  }

  @Test
  void emojiCjkAndRightToLeftScriptsAreWelcome() {
    assertThat(check(NAME, "\ud83d\ude00\u5f20\u4f1f")).isEqualTo("\ud83d\ude00\u5f20\u4f1f");
    assertThat(check(NAME, "\u05e9\u05dc\u05d5\u05dd")).isEqualTo("\u05e9\u05dc\u05d5\u05dd");
    // A variation selector asks for the emoji form of a heart: visible, allowed.
    assertThat(check(NAME, "\u2764\uFE0F")).isEqualTo("\u2764\uFE0F");
  }

  @Test
  void namesAndLabelsAreStrippedOfAnySpaceAndANameMustKeepOne() {
    assertThat(check(NAME, " \u00a0Bob\u3000 ")).isEqualTo("Bob");
    assertThat(check(LABEL, "  ")).isEmpty();
    assertThat(check(LABEL, "")).isEmpty();
    assertThat(check(NAME, "\u00a0\u2007\u202f")).isEqualTo("refused: must not be empty or blank");
    assertThat(check(NAME, "")).isEqualTo("refused: must not be empty or blank");
    assertThat(check(TEXT, "  kept  ")).isEqualTo("  kept  ");
  }

  @Test
  void lengthIsLimitedInCharactersAndInBytes() {
    String tooLong = "refused: must be at most 8 characters and 16 bytes of UTF-8";
    assertThat(check(NAME, "abcdefgh")).isEqualTo("abcdefgh");
    assertThat(check(NAME, "abcdefghi")).isEqualTo(tooLong);
    // Five 3-byte characters are 15 bytes; six are 18.
    assertThat(check(NAME, "\u5f20".repeat(5))).isEqualTo("\u5f20".repeat(5));
    assertThat(check(NAME, "\u5f20".repeat(6))).isEqualTo(tooLong);
    // Four emoji are 4 characters (8 UTF-16 units) and 16 bytes.
    assertThat(check(NAME, "\ud83d\ude00".repeat(4))).isEqualTo("\ud83d\ude00".repeat(4));
    assertThat(check(NAME, "\ud83d\ude00".repeat(5))).isEqualTo(tooLong);
    // Counted once composed: 8 characters typed as 16 code points.
    assertThat(check(NAME, "e\u0301".repeat(8))).isEqualTo("\u00e9".repeat(8));
    assertThat(check(NAME, "x".repeat(100_000))).isEqualTo(tooLong);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", // family: man ZWJ woman ZWJ girl
      "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08", // rainbow flag: white flag, VS16, ZWJ, rainbow
      "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F", // Scotland: tags
      "1\uFE0F\u20E3", // keycap one
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", // Persian "I want", with a ZWNJ
      "\u0915\u094D\u200D\u0937", // Devanagari half form, with a ZWJ
      "price: \u200F100\u200E$", // directional marks in mixed text
      "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u200B\u0e04\u0e23\u0e31\u0e1a", // Thai, a zero-width space between words
      "  line one\r\n\tline two  " // kept as written
  })
  void aBodyKeepsWhatEmojiAndScriptsNeed(String value) {
    assertThat(check(BODY, value)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "evil\u202Etxt.exe", "a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", // overrides, embeddings, pop
      "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b", // isolates
      "a\u206Ab", "a\u206Fb", // deprecated shaping and digit controls
      "a\uFFF9hidden\uFFFAb\uFFFB", // interlinear annotation
      "a\uDB40\uDC01b", // LANGUAGE TAG
      "bell\u0007", "a\u0000b", "esc\u001B[2J", "a\u007Fb", "a\u0085b", "a\u009Bb", // C0, DEL, C1
      "a\u2028b", "a\u2029b", "a\uFFFEb" // separators, a non-character
  })
  void aBodyRefusesWhatChangesHowTextIsDrawn(String value) {
    assertThat(check(BODY, value)).startsWith("refused: must not contain control or bidirectional-control "
        + "characters (found U+");
  }

  @Test
  void aBodyIsNormalizedAndLimitedLikeTheOthers() {
    assertThat(check(BODY, "cafe\u0301")).isEqualTo("caf\u00e9");
    assertThat(check(BODY, "")).isEmpty();
    assertThat(check(BODY, "x".repeat(41))).isEqualTo("refused: must be at most 40 characters and 160 bytes of UTF-8");
  }

  @Test
  void rulesThatCannotHoldACharacterAreRefused() {
    assertThatThrownBy(() -> UserText.name(0, 10)).hasMessageContaining("maxChars");
    assertThatThrownBy(() -> UserText.label(10, 9)).hasMessageContaining("maxBytes");
  }
}
