package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code google.api.http} path template, parsed once, matched against request paths.
 *
 * <pre>
 * Template = "/" Segments [ Verb ] ;
 * Segments = Segment { "/" Segment } ;
 * Segment  = "*" | "**" | LITERAL | Variable ;
 * Variable = "{" FieldPath [ "=" Segments ] "}" ;
 * FieldPath = IDENT { "." IDENT } ;
 * Verb     = ":" LITERAL ;
 * </pre>
 *
 * <p>{@code *} matches one non-empty segment, {@code **} zero or more (and only last), {@code
 * {var}} is {@code {var=*}}. A variable over one segment is fully percent-decoded; over several,
 * everything but {@code %2F} is decoded, as the spec says. Immutable and thread-safe.
 */
final class PathTemplate {
  /** The kind of one template segment. */
  enum Kind {
    LITERAL,
    SINGLE,
    MULTI
  }

  /** One segment: a literal, {@code *} or {@code **}. */
  record Segment(Kind kind, String literal) {}

  /**
   * A variable bound to segments {@code [start, end)}; {@code end} is -1 when it ends with
   * {@code **} and so runs to the end of the path.
   */
  record Variable(String fieldPath, int start, int end, String pattern) {
    boolean isMultiSegment() {
      return end == -1 || end - start > 1;
    }
  }

  /**
   * Most specific first: segment by segment from the left, a literal beats {@code *}, which beats
   * {@code **}; a template that goes on beats one that ends; then one with a verb beats one without.
   */
  static final Comparator<PathTemplate> MOST_SPECIFIC_FIRST = PathTemplate::compareSpecificity;

  private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  private static final Pattern LITERAL = Pattern.compile("[^/{}*=:]+");
  private static final Pattern VERB = Pattern.compile("[^/{}*=:]+");

  private final String text;
  private final List<Segment> segments;
  private final List<Variable> variables;
  private final String verb;

  private PathTemplate(String text, List<Segment> segments, List<Variable> variables, String verb) {
    this.text = text;
    this.segments = List.copyOf(segments);
    this.variables = List.copyOf(variables);
    this.verb = verb;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException naming the template and what is wrong with it
   */
  static PathTemplate parse(String text) {
    requireNonNull(text, "text");
    if (!text.startsWith("/") || text.length() < 2) {
      throw invalid(text, "it must start with / and name at least one segment");
    }
    int verbAt = verbColon(text);
    String path = verbAt < 0 ? text.substring(1) : text.substring(1, verbAt);
    String verb = verbAt < 0 ? null : text.substring(verbAt + 1);
    if (verb != null && !VERB.matcher(verb).matches()) {
      throw invalid(text, "bad verb '" + verb + "'");
    }
    List<Segment> segments = new ArrayList<>();
    List<Variable> variables = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String token : splitOutsideBraces(text, path)) {
      if (token.startsWith("{")) {
        if (!token.endsWith("}")) {
          throw invalid(text, "a variable must be a whole segment: '" + token + "'");
        }
        String body = token.substring(1, token.length() - 1);
        int eq = body.indexOf('=');
        String fieldPath = eq < 0 ? body : body.substring(0, eq);
        String pattern = eq < 0 ? "*" : body.substring(eq + 1);
        if (!FIELD_PATH.matcher(fieldPath).matches()) {
          throw invalid(text, "bad field path '" + fieldPath + "'");
        }
        if (!names.add(fieldPath)) {
          throw invalid(text, "'" + fieldPath + "' is bound twice");
        }
        int start = segments.size();
        for (String sub : pattern.split("/", -1)) {
          if (sub.startsWith("{")) {
            throw invalid(text, "variables cannot nest: '" + token + "'");
          }
          segments.add(segment(text, sub));
        }
        boolean multi = segments.get(segments.size() - 1).kind() == Kind.MULTI;
        variables.add(new Variable(fieldPath, start, multi ? -1 : segments.size(), pattern));
      } else {
        segments.add(segment(text, token));
      }
    }
    for (int i = 0; i < segments.size() - 1; i++) {
      if (segments.get(i).kind() == Kind.MULTI) {
        throw invalid(text, "** may only be the last segment");
      }
    }
    return new PathTemplate(text, segments, variables, verb);
  }

  String text() {
    return text;
  }

  List<Segment> segments() {
    return segments;
  }

  List<Variable> variables() {
    return variables;
  }

  /** The custom verb without its colon, or null. */
  String verb() {
    return verb;
  }

  /**
   * Binds this template to a request path, given as its segments both raw and percent-decoded,
   * the verb already removed.
   *
   * @return the variables' values by field path, or null if the path does not match
   */
  Map<String, String> match(List<String> raw, List<String> decoded) {
    boolean endsWithMulti = !segments.isEmpty() && segments.get(segments.size() - 1).kind() == Kind.MULTI;
    int fixed = endsWithMulti ? segments.size() - 1 : segments.size();
    if (endsWithMulti ? raw.size() < fixed : raw.size() != fixed) {
      return null;
    }
    for (int i = 0; i < fixed; i++) {
      Segment segment = segments.get(i);
      if (segment.kind() == Kind.LITERAL ? !segment.literal().equals(decoded.get(i)) : raw.get(i).isEmpty()) {
        return null;
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Variable variable : variables) {
      int end = variable.end() == -1 ? raw.size() : variable.end();
      if (variable.isMultiSegment()) {
        values.put(variable.fieldPath(), decode(String.join("/", raw.subList(variable.start(), end)), true));
      } else {
        values.put(variable.fieldPath(), decoded.get(variable.start()));
      }
    }
    return values;
  }

  /**
   * Percent-decodes {@code s} as UTF-8; with {@code keepSlash}, {@code %2F} stays encoded.
   *
   * @return the decoded text, or null if an escape is malformed
   */
  static String decode(String s, boolean keepSlash) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        int next = s.indexOf('%', i);
        int end = next < 0 ? s.length() : next;
        byte[] bytes = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        i = end - 1;
        continue;
      }
      if (i + 2 >= s.length()) {
        return null;
      }
      int hi = Character.digit(s.charAt(i + 1), 16);
      int lo = Character.digit(s.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      int b = (hi << 4) | lo;
      if (keepSlash && b == '/') {
        out.write('%');
        out.write(Character.toUpperCase(s.charAt(i + 1)));
        out.write(Character.toUpperCase(s.charAt(i + 2)));
      } else {
        out.write(b);
      }
      i += 2;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The template with variables replaced by what they match, e.g. {@code /v1/groups/*} for both
   * {@code /v1/groups/{group_id}} and {@code /v1/groups/{group.group_id}}: two templates with the
   * same shape match the same paths.
   */
  String shape() {
    StringBuilder out = new StringBuilder();
    for (Segment segment : segments) {
      out.append('/').append(switch (segment.kind()) {
        case LITERAL -> segment.literal();
        case SINGLE -> "*";
        case MULTI -> "**";
      });
    }
    return verb == null ? out.toString() : out + ":" + verb;
  }

  @Override
  public String toString() {
    return text;
  }

  private static int compareSpecificity(PathTemplate a, PathTemplate b) {
    int n = Math.min(a.segments.size(), b.segments.size());
    for (int i = 0; i < n; i++) {
      int byKind = Integer.compare(rank(b.segments.get(i).kind()), rank(a.segments.get(i).kind()));
      if (byKind != 0) {
        return byKind;
      }
    }
    // Lexicographic, with the end of a template ranking below any segment: a total order.
    if (a.segments.size() != b.segments.size()) {
      return Integer.compare(b.segments.size(), a.segments.size());
    }
    if ((a.verb == null) != (b.verb == null)) {
      return a.verb != null ? -1 : 1;
    }
    return 0;
  }

  private static int rank(Kind kind) {
    return switch (kind) {
      case LITERAL -> 3;
      case SINGLE -> 2;
      case MULTI -> 1;
    };
  }

  private static Segment segment(String template, String token) {
    if (token.equals("*")) {
      return new Segment(Kind.SINGLE, null);
    }
    if (token.equals("**")) {
      return new Segment(Kind.MULTI, null);
    }
    if (!LITERAL.matcher(token).matches()) {
      throw invalid(template, "bad segment '" + token + "'");
    }
    return new Segment(Kind.LITERAL, token);
  }

  /** The position of the verb's colon: the last colon outside braces after the last slash; -1 if none. */
  private static int verbColon(String text) {
    int depth = 0;
    int colon = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (depth == 0 && c == '/') {
        colon = -1;
      } else if (depth == 0 && c == ':') {
        colon = i;
      }
    }
    return colon;
  }

  private static List<String> splitOutsideBraces(String template, String path) {
    List<String> tokens = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth < 0) {
          throw invalid(template, "unbalanced braces");
        }
      }
      if (c == '/' && depth == 0) {
        tokens.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (depth != 0) {
      throw invalid(template, "unbalanced braces");
    }
    tokens.add(current.toString());
    return tokens;
  }

  private static IllegalArgumentException invalid(String template, String why) {
    return new IllegalArgumentException("invalid path template '" + template + "': " + why);
  }
}
