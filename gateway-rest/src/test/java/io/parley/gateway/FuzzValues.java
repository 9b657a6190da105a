package io.parley.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random values for the fuzzers, from one seeded {@link Random} so that a seed replays a run:
 * strings that stress decoders and validators (control, bidi-override and zero-width characters,
 * lone surrogates, huge ones), numbers at the edges, and ids that exist, ids of the wrong kind and
 * ids that almost exist. Not thread-safe.
 */
final class FuzzValues {
  private static final String ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_~!$&'()*+,;=:@/?#[]%\"\\<>{}|^`";
  private static final String[] ODD = {
      "\u0000", "\u0007", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u00a0", "\u200b", "\u200c", "\u200d",
      "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\ufffd", "\uffff", "\ud800", "\udfff",
      "\ud83d\ude00", "\u0301", "e\u0301", "\u4f60\u597d", "\u0645\u0631\u062d\u0628\u0627", "\uff21", "%", "%00", "%zz",
      "%C3%28", "%FF", "..", "/", "\\", "'", "\"", "<script>", "${jndi:x}", "%s%n", "NaN", "-0", "null", "true"};

  private final Random random;
  private final Map<String, List<String>> ids;
  private String[] credentials;

  /**
   * @param ids real ids by kind: {@code user}, {@code group}, {@code conversation}, {@code session},
   *     {@code request}, {@code message}
   */
  FuzzValues(Random random, Map<String, List<String>> ids) {
    this.random = random;
    this.ids = ids;
  }

  Random random() {
    return random;
  }

  /** Lets messages with {@code username} and {@code password} fields carry a real account's, now and then. */
  FuzzValues withCredentials(String username, String password) {
    this.credentials = new String[] {username, password};
    return this;
  }

  /** A real account's username and password, or null: for half the messages that have both fields. */
  String[] credentials() {
    return credentials != null && chance(0.5) ? credentials.clone() : null;
  }

  boolean chance(double probability) {
    return random.nextDouble() < probability;
  }

  /** A number from {@code low} to {@code high}, both included. */
  int between(int low, int high) {
    return low + random.nextInt(high - low + 1);
  }

  @SafeVarargs
  final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** A string for any text field: mostly short, sometimes empty, odd, long or huge. */
  String string() {
    int kind = random.nextInt(100);
    if (kind < 35) {
      return ascii(between(1, 24));
    }
    if (kind < 50) {
      return mixed(between(1, 40));
    }
    if (kind < 60) {
      return "";
    }
    if (kind < 72) {
      return anyId();
    }
    if (kind < 82) {
      return pick(ODD);
    }
    if (kind < 98) {
      return mixed(between(200, 5_000));
    }
    return ascii(between(20_000, 300_000));
  }

  /** Printable ASCII (URL-hostile characters included). */
  String ascii(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ASCII.charAt(random.nextInt(ASCII.length())));
    }
    return text.toString();
  }

  /** Letters mixed with odd characters: controls, bidi overrides, zero-width, surrogates, CJK. */
  String mixed(int length) {
    StringBuilder text = new StringBuilder(length);
    while (text.length() < length) {
      text.append(chance(0.7) ? String.valueOf((char) ('a' + random.nextInt(26))) : pick(ODD));
    }
    return text.toString();
  }

  /** An id for a field named {@code field}: a real one of its kind, or a near miss. */
  String idFor(String field) {
    String kind = kindOf(field);
    List<String> real = kind == null ? List.of() : ids.getOrDefault(kind, List.of());
    if (!real.isEmpty() && chance(0.6)) {
      return pick(real);
    }
    return nearMiss(real.isEmpty() ? anyId() : pick(real));
  }

  /** Whether {@code field} names an id. */
  static boolean isIdField(String field) {
    return kindOf(field) != null;
  }

  private static String kindOf(String field) {
    String name = field.toLowerCase();
    if (name.contains("conversation")) {
      return "conversation";
    }
    if (name.contains("group")) {
      return "group";
    }
    if (name.contains("session")) {
      return "session";
    }
    if (name.contains("request_id") || name.contains("requestid")) {
      return "request";
    }
    if (name.contains("message_id") || name.contains("messageid") || name.equals("client_msg_id")) {
      return "message";
    }
    if (name.contains("user") || name.endsWith("_id") || name.endsWith("ids")) {
      return "user";
    }
    return null;
  }

  private String anyId() {
    List<String> all = new ArrayList<>();
    ids.values().forEach(all::addAll);
    return all.isEmpty() ? "u" + ascii(16) : pick(all);
  }

  private String nearMiss(String id) {
    return switch (random.nextInt(12)) {
      case 0 -> "";
      case 1 -> id.substring(0, Math.min(1, id.length()));
      case 2 -> id.isEmpty() ? "x" : id.substring(0, id.length() - 1) + (char) ('a' + random.nextInt(26));
      case 3 -> id + id;
      case 4 -> id.toUpperCase();
      case 5 -> "p_" + id + "_" + id;
      case 6 -> "g_" + id;
      case 7 -> id + pick(ODD);
      case 8 -> ascii(between(100, 3_000));
      case 9 -> anyId();
      case 10 -> Long.toString(number());
      default -> "u" + ascii(16);
    };
  }

  /** A 64-bit number at or near an edge. */
  long number() {
    return switch (random.nextInt(10)) {
      case 0 -> 0;
      case 1 -> -1;
      case 2 -> Long.MAX_VALUE;
      case 3 -> Long.MIN_VALUE;
      case 4 -> Integer.MAX_VALUE;
      case 5 -> Integer.MIN_VALUE;
      case 6 -> (long) Integer.MAX_VALUE + 1;
      case 7 -> between(1, 5);
      case 8 -> -between(1, 1_000_000);
      default -> random.nextLong();
    };
  }
}
