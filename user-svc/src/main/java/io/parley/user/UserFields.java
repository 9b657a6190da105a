package io.parley.user;

import io.parley.data.Ids;
import io.parley.data.UserText;
import io.parley.error.FieldViolations;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for UserService request fields. Each check records a violation naming the field (in
 * proto snake_case) in the caller's {@link FieldViolations}, so that one INVALID_ARGUMENT answer
 * lists every bad field; descriptions are safe to show to clients. Text that others read
 * (nickname, bio, device name) follows the platform's {@link UserText} rule: NFC, no control,
 * bidirectional-control or invisible characters, limited in characters and in UTF-8 bytes; the
 * checks return the text to store.
 *
 * <p>The byte limits are chosen so that no combination of fields can break a store. A session
 * record holds the username (at most 32 bytes), nickname (128), avatar URL (512) and device name
 * (256), and some 150 bytes of ids, times and attribute names: about 1,100 bytes at most, well
 * within the 1,920 bytes of the Redis session store. An account row holds at most some 2 KB of
 * text, and a nickname index entry less than 300 bytes (folding may lengthen a nickname by half),
 * far below PostgreSQL's index entry limit (about 2,700 bytes).
 */
final class UserFields {
  static final int PASSWORD_MIN = 8;
  static final int PASSWORD_MAX = 128;
  static final UserText NICKNAME = UserText.name(32, 128);
  static final int AVATAR_URL_MAX_BYTES = 512;
  static final UserText BIO = UserText.text(256, 1024);
  static final UserText DEVICE_NAME = UserText.label(64, 256);
  static final UserText QUERY = UserText.name(32, 128);
  static final int BATCH_MAX = 100;

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.]{3,32}");
  private static final Pattern USERNAME_PREFIX = Pattern.compile("[a-z0-9_.]{1,32}");
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Printable ASCII: a URL sent as it travels on the wire, anything else percent-encoded. */
  private static final Pattern URL_CHARACTERS = Pattern.compile("[\\x21-\\x7e]+");
  private static final String USERNAME_RULE = "must be 3-32 characters of a-z, 0-9, '_' and '.'";

  private UserFields() {}

  /** Case folding for usernames, nicknames and search queries: {@link Locale#ROOT} lower case. */
  static String fold(String value) {
    return value.toLowerCase(Locale.ROOT);
  }

  /** The username, lower-cased, or null after recording a violation. */
  static String username(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return null;
    }
    String folded = fold(value);
    return violations.check(USERNAME.matcher(folded).matches(), field, USERNAME_RULE) ? folded : null;
  }

  /** Whether a folded search query could be the start of a username. */
  static boolean isUsernamePrefix(String foldedQuery) {
    return USERNAME_PREFIX.matcher(foldedQuery).matches();
  }

  /** A password to set: 8-128 characters. */
  static void newPassword(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    int length = length(value);
    violations.check(length >= PASSWORD_MIN && length <= PASSWORD_MAX, field,
        "must be " + PASSWORD_MIN + "-" + PASSWORD_MAX + " characters");
  }

  /** A password to check: present and no longer than any password can be. */
  static void password(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    violations.check(length(value) <= PASSWORD_MAX, field, "must be at most " + PASSWORD_MAX + " characters");
  }

  /** The nickname to store (stripped, NFC), or null after recording a violation. */
  static String nickname(FieldViolations violations, String field, String value) {
    return NICKNAME.check(violations, field, value);
  }

  /**
   * An avatar URL: empty (no avatar) or an absolute http(s) URL with a host, at most 512 bytes of
   * printable ASCII (anything else percent-encoded, as browsers' URL APIs give it).
   */
  static void avatarUrl(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      return;
    }
    String rule = "must be an http or https URL of at most " + AVATAR_URL_MAX_BYTES
        + " ASCII characters (others percent-encoded), or empty";
    if (value.length() > AVATAR_URL_MAX_BYTES || !URL_CHARACTERS.matcher(value).matches()) {
      violations.add(field, rule);
      return;
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : fold(uri.getScheme());
      violations.check((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null, field, rule);
    } catch (URISyntaxException e) {
      violations.add(field, rule);
    }
  }

  /** The bio to store (NFC; line breaks and tabs allowed), or null after recording a violation. */
  static String bio(FieldViolations violations, String field, String value) {
    return BIO.check(violations, field, value);
  }

  /** The device name to store (stripped, NFC, possibly empty), or null after recording a violation. */
  static String deviceName(FieldViolations violations, String field, String value) {
    return DEVICE_NAME.check(violations, field, value);
  }

  /** A user id as {@link Ids#newId} makes them. */
  static void userId(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    violations.check(Ids.isValid(value, "u"), field, "is not a user id");
  }

  static void sessionId(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    violations.check(SESSION_ID.matcher(value).matches(), field, "is not a session id");
  }

  /** A search query, stripped, NFC and folded, or null after recording a violation. */
  static String query(FieldViolations violations, String field, String value) {
    String query = QUERY.check(violations, field, value);
    return query == null ? null : fold(query);
  }

  private static int length(String value) {
    return value.codePointCount(0, value.length());
  }
}
