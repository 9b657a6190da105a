package io.parley.data;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.util.Base64;

/**
 * AIP-158 paging: page sizes and opaque page tokens.
 *
 * <p>A token wraps a service-chosen cursor (an offset, a score and id, ...) with a fingerprint of
 * the query it belongs to, so a token from one query used with another fails INVALID_PAGE_TOKEN
 * instead of returning a wrong page. Tokens are opaque to clients, not secret: the cursor is never
 * trusted beyond what the caller could ask for anyway.
 */
public final class PageTokens {
  private static final String VERSION = "1";
  private static final int MAX_TOKEN_LENGTH = 512;

  private PageTokens() {}

  /**
   * The effective page size: {@code defaultSize} when unset (0), at most {@code maxSize}.
   *
   * @throws ParleyException INVALID_ARGUMENT naming {@code page_size} if it is negative
   */
  public static int pageSize(int requested, int defaultSize, int maxSize) {
    if (requested < 0) {
      throw ParleyException.invalidField("page_size", "must not be negative");
    }
    return requested == 0 ? defaultSize : Math.min(requested, maxSize);
  }

  /** A token for the page after {@code cursor} of the query identified by {@code query}. */
  public static String encode(String cursor, String query) {
    String raw = VERSION + "|" + Integer.toHexString(query.hashCode()) + "|" + cursor;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(UTF_8));
  }

  /**
   * The cursor in {@code token}, or null for an empty token (the first page).
   *
   * @throws ParleyException INVALID_PAGE_TOKEN if the token is not one of ours or belongs to
   *     another query
   */
  public static String decode(String token, String query) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw invalid();
    }
    String raw;
    try {
      raw = new String(Base64.getUrlDecoder().decode(token), UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    String[] parts = raw.split("\\|", 3);
    if (parts.length != 3 || !VERSION.equals(parts[0]) || !Integer.toHexString(query.hashCode()).equals(parts[1])) {
      throw invalid();
    }
    return parts[2];
  }

  /** The cursor of {@code token} as a non-negative offset, or 0 for the first page. */
  public static int decodeOffset(String token, String query) {
    String cursor = decode(token, query);
    if (cursor == null) {
      return 0;
    }
    try {
      int offset = Integer.parseInt(cursor);
      if (offset < 0) {
        throw invalid();
      }
      return offset;
    } catch (NumberFormatException e) {
      throw invalid();
    }
  }

  /**
   * The INVALID_PAGE_TOKEN error, naming {@code page_token}, for services whose cursor inside a
   * token turns out malformed after {@link #decode} accepted the token.
   */
  public static ParleyException invalidToken() {
    return invalid();
  }

  private static ParleyException invalid() {
    return ParleyException.builder(ErrorReason.INVALID_PAGE_TOKEN)
        .message("page_token is not valid for this request")
        .violation("page_token", "not a token from a previous page of this same request")
        .build();
  }
}
