package io.parley.user;

import io.parley.data.Ids;
import io.parley.error.FieldViolations;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for UserService request fields. Each check records a violation naming the field (in
 * proto snake_case) in the caller's {@link FieldViolations}, so that one INVALID_ARGUMENT answer
 * lists every bad field; descriptions are safe to show to clients. Lengths count Unicode code
 * points, not UTF-16 units.
 */
final class UserFields {
  static final int PASSWORD_MIN = 8;
  static final int PASSWORD_MAX = 128;
  static final int NICKNAME_MAX = 32;
  static final int AVATAR_URL_MAX = 512;
  static final int BIO_MAX = 256;
  static final int DEVICE_NAME_MAX = 64;
  static final int QUERY_MAX = 32;
  static final int BATCH_MAX = 100;

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.]{3,32}");
  private static final Pattern USERNAME_PREFIX = Pattern.compile("[a-z0-9_.]{1,32}");
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
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

  /** The nickname without surrounding white space, or null after recording a violation. */
  static String nickname(FieldViolations violations, String field, String value) {
    String stripped = value.strip();
    if (stripped.isEmpty()) {
      violations.add(field, "must not be empty or blank");
      return null;
    }
    if (length(stripped) > NICKNAME_MAX || hasControl(stripped, false)) {
      violations.add(field, "must be 1-" + NICKNAME_MAX + " characters without control characters");
      return null;
    }
    return stripped;
  }

  /** An avatar URL: empty (no avatar) or an absolute http(s) URL with a host, at most 512 characters. */
  static void avatarUrl(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      return;
    }
    String rule = "must be an http or https URL of at most " + AVATAR_URL_MAX + " characters, or empty";
    if (value.length() > AVATAR_URL_MAX) {
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

  /** A bio: at most 256 characters; line breaks and tabs allowed, other control characters not. */
  static void bio(FieldViolations violations, String field, String value) {
    violations.check(length(value) <= BIO_MAX && !hasControl(value, true), field,
        "must be at most " + BIO_MAX + " characters without control characters other than line breaks");
  }

  static void deviceName(FieldViolations violations, String field, String value) {
    violations.check(length(value) <= DEVICE_NAME_MAX && !hasControl(value, false), field,
        "must be at most " + DEVICE_NAME_MAX + " characters without control characters");
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

  /** A search query, stripped and folded, or null after recording a violation. */
  static String query(FieldViolations violations, String field, String value) {
    String stripped = value.strip();
    if (stripped.isEmpty()) {
      violations.add(field, "is required");
      return null;
    }
    if (length(stripped) > QUERY_MAX || hasControl(stripped, false)) {
      violations.add(field, "must be 1-" + QUERY_MAX + " characters without control characters");
      return null;
    }
    return fold(stripped);
  }

  private static int length(String value) {
    return value.codePointCount(0, value.length());
  }

  private static boolean hasControl(String value, boolean allowLineBreaks) {
    return value.codePoints().anyMatch(c -> Character.isISOControl(c)
        && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t')));
  }
}
