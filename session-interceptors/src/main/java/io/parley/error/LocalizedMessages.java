package io.parley.error;

import io.parley.common.v1.ErrorReason;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * User-facing texts for every {@link ErrorReason}, in English and Simplified Chinese, from the
 * {@code io/parley/error/ErrorMessages*.properties} bundles. Placeholders {@code {key}} are filled
 * from the error's metadata. Thread-safe.
 */
public final class LocalizedMessages {
  /** The locales Parley has texts for, the first being the fallback. */
  public static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE);

  private static final String BUNDLE = "io.parley.error.ErrorMessages";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
  private static final int MAX_HEADER_LENGTH = 256;

  private LocalizedMessages() {}

  /**
   * The supported locale that best matches an {@code accept-language} value (RFC 4647 filtering,
   * so {@code zh} selects {@code zh-CN}); English when the value is absent, malformed or matches
   * nothing.
   */
  public static Locale select(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.isBlank() || acceptLanguage.length() > MAX_HEADER_LENGTH) {
      return Locale.ENGLISH;
    }
    try {
      List<Locale> matches = Locale.filter(Locale.LanguageRange.parse(acceptLanguage), SUPPORTED);
      return matches.isEmpty() ? Locale.ENGLISH : matches.get(0);
    } catch (IllegalArgumentException e) {
      return Locale.ENGLISH;
    }
  }

  /** The text for {@code reason} in {@code locale}, placeholders filled from {@code metadata}. */
  public static String message(ErrorReason reason, Locale locale, Map<String, String> metadata) {
    return fill(template(reason, locale), metadata);
  }

  /** {@code template} with each {@code {key}} replaced by its metadata value; unknown keys stay. */
  static String fill(String template, Map<String, String> metadata) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = metadata.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The raw template, or null if the bundle for {@code locale} has none for the reason. */
  static String templateOrNull(ErrorReason reason, Locale locale) {
    try {
      ResourceBundle bundle =
          ResourceBundle.getBundle(BUNDLE, locale, ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
      return bundle.containsKey(reason.name()) ? bundle.getString(reason.name()) : null;
    } catch (MissingResourceException e) {
      return null;
    }
  }

  private static String template(ErrorReason reason, Locale locale) {
    String template = templateOrNull(reason, locale);
    if (template == null) {
      template = templateOrNull(reason, Locale.ROOT);
    }
    return template != null ? template : reason.name();
  }
}
