package io.parley.data;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * New identifiers. Entity ids are a one-letter kind prefix and 16 characters of lowercase
 * Crockford base32 (80 random bits), e.g. {@code u3kq9x0m2c7v1pf8a}: URL-safe, free of {@code _}
 * (so conversation ids like {@code p_<uid>_<uid>} split unambiguously) and unguessable. Session
 * ids carry 96 random bits. Thread-safe.
 */
public final class Ids {
  private static final char[] BASE32 = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int RANDOM_CHARS = 16;

  private Ids() {}

  /** A new id with {@code prefix}, which must be lowercase letters. */
  public static String newId(String prefix) {
    if (!isPrefix(prefix)) {
      throw new IllegalArgumentException("prefix must be 1-4 lowercase letters: " + prefix);
    }
    byte[] bytes = new byte[10];
    RANDOM.nextBytes(bytes);
    StringBuilder id = new StringBuilder(prefix.length() + RANDOM_CHARS).append(prefix);
    long bits = 0;
    int available = 0;
    for (byte b : bytes) {
      bits = (bits << 8) | (b & 0xff);
      available += 8;
      while (available >= 5) {
        available -= 5;
        id.append(BASE32[(int) (bits >>> available) & 31]);
      }
    }
    return id.toString();
  }

  /** Whether {@code prefix} is 1-4 lowercase ASCII letters (checked by hand: ids are made per message). */
  private static boolean isPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.length() > 4) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c < 'a' || c > 'z') {
        return false;
      }
    }
    return true;
  }

  /**
   * A new session id: 96 random bits, base64url (16 characters). Unguessable, and short because
   * every replica keeps it in memory and Redis stores it per session.
   */
  public static String newSessionId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether {@code id} looks like an id made by {@link #newId(String)} with {@code prefix}. */
  public static boolean isValid(String id, String prefix) {
    if (id == null || id.length() != prefix.length() + RANDOM_CHARS || !id.startsWith(prefix)) {
      return false;
    }
    for (int i = prefix.length(); i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) || c == 'i' || c == 'l' || c == 'o' || c == 'u') {
        return false;
      }
    }
    return true;
  }
}
