package io.parley.data;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.parley.error.FieldViolations;
import java.text.Normalizer;

/**
 * The rule for one kind of text that a user writes and others read: nicknames, group names,
 * remarks, device names, bios, the messages of requests. One rule for every service, so that a
 * name refused by one is refused by all.
 *
 * <p>{@link #check} accepts a value, or records why not in the caller's {@link FieldViolations},
 * and returns the text to store:
 *
 * <ul>
 *   <li><b>normalized</b> to Unicode NFC, so that the same name typed on two keyboards is stored,
 *       compared and searched as the same text;
 *   <li>with <b>no invisible or deceptive characters</b>: control characters (C0, DEL, C1; a
 *       {@linkplain #text multi-line text} may hold line feeds, carriage returns and tabs), format
 *       characters (Unicode category Cf: the bidirectional embeddings, overrides and isolates
 *       U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, the zero-width
 *       space, non-joiner and joiner U+200B-U+200D, the word joiner U+2060, the byte order mark
 *       U+FEFF, the soft hyphen, invisible operators and tag characters), line and paragraph
 *       separators, surrogates, non-characters, and the fillers that draw nothing (U+034F,
 *       U+115F, U+1160, U+17B4, U+17B5, U+3164, U+FFA0, U+FFF0-U+FFF8);
 *   <li><b>within two limits</b>, both counted on the normalized text: characters (Unicode code
 *       points, so an emoji counts once) and bytes of UTF-8, the unit in which stores, records
 *       and messages are bounded. Whoever sets a field's limits chooses its bytes so that no
 *       combination of fields can push a stored record past its store's limit.
 * </ul>
 *
 * <p>A {@linkplain #name name} is also stripped of surrounding white space (any Unicode space,
 * the no-break spaces included) and must keep at least one character; a {@linkplain #label
 * label} is stripped and may be empty; a {@linkplain #text text} is kept as written and may be
 * empty.
 *
 * <p>A {@linkplain #body body} (a chat message, a group's notice or announcement) is the one kind
 * that keeps invisible characters: it is read as running text, where the zero-width joiner and
 * non-joiner, variation selectors, tag characters and directional marks are what emoji sequences
 * (a family, a rainbow flag, the flag of Scotland) and scripts such as Persian need. It refuses
 * only what changes how the text or what surrounds it is drawn: control characters (but line
 * feeds, carriage returns and tabs), the bidirectional embeddings, overrides and isolates
 * U+202A-U+202E and U+2066-U+2069 (which can reorder a sender's name or a file name next to the
 * text, and leak into the rest of a screen when left open), the deprecated shaping controls
 * U+206A-U+206F, the interlinear annotation characters U+FFF9-U+FFFB (which hide text), the
 * language tag U+E0001, line and paragraph separators, surrogates and non-characters.
 *
 * <pre>{@code
 * static final UserText NICKNAME = UserText.name(32, 128);
 *
 * FieldViolations violations = new FieldViolations();
 * String nickname = NICKNAME.check(violations, "nickname", request.getNickname());
 * violations.throwIfAny();
 * // store nickname, never request.getNickname()
 * }</pre>
 *
 * <p>Descriptions are safe for clients and name a refused character by its code point. Immutable
 * and thread-safe.
 */
public final class UserText {
  private enum Kind {
    NAME,
    LABEL,
    TEXT,
    BODY
  }

  private final Kind kind;
  private final int maxChars;
  private final int maxBytes;

  private UserText(Kind kind, int maxChars, int maxBytes) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive: " + maxChars);
    }
    if (maxBytes < maxChars) {
      throw new IllegalArgumentException("maxBytes must be at least maxChars (" + maxChars + "): " + maxBytes);
    }
    this.kind = kind;
    this.maxChars = maxChars;
    this.maxBytes = maxBytes;
  }

  /** A required name on one line: a nickname, a group name. Stripped; blank is refused. */
  public static UserText name(int maxChars, int maxBytes) {
    return new UserText(Kind.NAME, maxChars, maxBytes);
  }

  /** An optional label on one line: a remark, a device name. Stripped; empty is allowed. */
  public static UserText label(int maxChars, int maxBytes) {
    return new UserText(Kind.LABEL, maxChars, maxBytes);
  }

  /** An optional text that may span lines: a bio, a request's message. Kept as written; empty is allowed. */
  public static UserText text(int maxChars, int maxBytes) {
    return new UserText(Kind.TEXT, maxChars, maxBytes);
  }

  /**
   * A free text others read as the body of a message or a post: a chat message, an announcement.
   * Kept as written; may span lines, be empty, and hold the invisible characters that emoji and
   * scripts need (see the class documentation).
   */
  public static UserText body(int maxChars, int maxBytes) {
    return new UserText(Kind.BODY, maxChars, maxBytes);
  }

  public int maxChars() {
    return maxChars;
  }

  /** The most UTF-8 bytes a stored value of this rule takes. */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * The text to store for {@code value}, or null after recording in {@code violations} why
   * {@code field} is refused.
   *
   * @param field the field's name in the request, in proto names, e.g. {@code "nickname"}
   */
  public String check(FieldViolations violations, String field, String value) {
    // Far longer than anything this rule stores, even once stripped: refused without normalizing it.
    if (value.length() > 4 * maxBytes) {
      violations.add(field, tooLong());
      return null;
    }
    String text = Normalizer.normalize(value, Normalizer.Form.NFC);
    if (kind == Kind.NAME || kind == Kind.LABEL) {
      text = strip(text);
    }
    if (kind == Kind.NAME && text.isEmpty()) {
      violations.add(field, "must not be empty or blank");
      return null;
    }
    int refused = kind == Kind.BODY ? firstRefusedInBody(text) : firstRefused(text, kind == Kind.TEXT);
    if (refused >= 0) {
      violations.add(field, String.format(kind == Kind.BODY
          ? "must not contain control or bidirectional-control characters (found U+%04X)"
          : "must not contain control, bidirectional-control or invisible characters (found U+%04X)", refused));
      return null;
    }
    if (text.codePointCount(0, text.length()) > maxChars || text.getBytes(UTF_8).length > maxBytes) {
      violations.add(field, tooLong());
      return null;
    }
    return text;
  }

  private String tooLong() {
    return "must be at most " + maxChars + " characters and " + maxBytes + " bytes of UTF-8";
  }

  /** The first code point of {@code text} that user text may not hold, or -1 if there is none. */
  static int firstRefused(String text, boolean multiLine) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isRefused(c, multiLine)) {
        return c;
      }
      i += Character.charCount(c);
    }
    return -1;
  }

  /** Whether user text may not hold {@code c}; a multi-line text may hold {@code \n}, {@code \r} and {@code \t}. */
  static boolean isRefused(int c, boolean multiLine) {
    switch (Character.getType(c)) {
      case Character.CONTROL:
        return !(multiLine && (c == '\n' || c == '\r' || c == '\t'));
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return true;
      default:
        break;
    }
    if ((c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef)) {
      return true; // non-characters
    }
    return c == 0x034f || c == 0x115f || c == 0x1160 || c == 0x17b4 || c == 0x17b5 || c == 0x3164 || c == 0xffa0
        || (c >= 0xfff0 && c <= 0xfff8);
  }

  /** The first code point of {@code text} that a {@linkplain #body body} may not hold, or -1 if there is none. */
  static int firstRefusedInBody(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isRefusedInBody(c)) {
        return c;
      }
      i += Character.charCount(c);
    }
    return -1;
  }

  /** Whether a {@linkplain #body body} may not hold {@code c}. */
  static boolean isRefusedInBody(int c) {
    switch (Character.getType(c)) {
      case Character.CONTROL:
        return !(c == '\n' || c == '\r' || c == '\t');
      case Character.SURROGATE:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return true;
      default:
        break;
    }
    if ((c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef)) {
      return true; // non-characters
    }
    return (c >= 0x202a && c <= 0x202e) // embeddings, pop, overrides
        || (c >= 0x2066 && c <= 0x206f) // isolates, then the deprecated shaping and digit controls
        || (c >= 0xfff9 && c <= 0xfffb) // interlinear annotation: hides text
        || c == 0xe0001; // LANGUAGE TAG (deprecated); the tags that spell flags are U+E0020-U+E007F
  }

  /** {@code text} without leading and trailing white space of any kind, no-break spaces included. */
  private static String strip(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isSpace(text.codePointAt(start))) {
      start += Character.charCount(text.codePointAt(start));
    }
    while (end > start && isSpace(text.codePointBefore(end))) {
      end -= Character.charCount(text.codePointBefore(end));
    }
    return text.substring(start, end);
  }

  private static boolean isSpace(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  @Override
  public String toString() {
    return "UserText{" + kind + ", " + maxChars + " characters, " + maxBytes + " bytes}";
  }
}
