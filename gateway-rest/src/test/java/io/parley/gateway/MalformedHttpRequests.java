package io.parley.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests a hostile client sends, from one seeded {@link FuzzValues}: real routes with mangled
 * path variables, query parameters and JSON bodies (wrong types, huge numbers, deep nesting,
 * invalid UTF-8, enormous strings, malformed JSON); unknown paths; odd, huge and duplicated
 * headers (Content-Type, Authorization, Grpc-Timeout, Accept, X-Request-Id ...); and raw malformed
 * HTTP (bad request lines, bad chunking, lying Content-Length, oversized lines and headers,
 * pipelining, binary garbage). Not thread-safe.
 */
final class MalformedHttpRequests {
  /**
   * One thing to send and how to read what comes back.
   *
   * @param kind what sort of case it is, for the report
   * @param bytes what goes on the wire
   * @param heads for each request in {@code bytes} that gets an answer, whether it is a HEAD
   * @param reusable whether the connection can carry the next case (the bytes are exactly framed)
   * @param readLater whether the answer may come only when the gateway's request read timeout
   *     ends (the request may never be complete), so that it is read after the other cases
   * @param shortDeadline whether a request asked for a deadline so short that 504 is its honest answer
   */
  record Case(String kind, byte[] bytes, List<Boolean> heads, boolean reusable, boolean readLater,
      boolean shortDeadline) {
    /** The case as text for a report: non-printable bytes escaped, long ones cut. */
    String describe() {
      StringBuilder text = new StringBuilder(kind).append(": ");
      int shown = Math.min(bytes.length, 600);
      for (int i = 0; i < shown; i++) {
        int b = bytes[i] & 0xff;
        if (b == '\r') {
          text.append("\\r");
        } else if (b == '\n') {
          text.append("\\n");
        } else if (b < 0x20 || b >= 0x7f) {
          text.append(String.format("\\x%02x", b));
        } else {
          text.append((char) b);
        }
      }
      if (shown < bytes.length) {
        text.append("… (").append(bytes.length).append(" bytes)");
      }
      return text.toString();
    }
  }

  /**
   * How deep fuzzed Structs (message content) nest at most: SendMessage content nested 33 JSON
   * levels or more is past what protobuf reads (#13.1, {@link RealServicesFindingsTest}).
   */
  static final int MAX_STRUCT_DEPTH = 30;

  private static final Pattern VARIABLE = Pattern.compile("\\{([^}=]+)(=[^}]*)?}");
  private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
      "CONNECT", "PROPFIND", "get", "FOO", "G-E-T"};
  private static final String[] BUILT_INS = {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/", "/",
      "/docs/index.html", "/docs/swagger-ui.css", "/docs/../openapi.json", "/docs/%2e%2e/openapi.json", "/healthz/",
      "/HEALTHZ", "/healthz?x=1", "/docs/nothing.js", "/docs/%00",
      "/app/app.js", "/app/../openapi.json", "/app/%00"};

  private final FuzzValues values;
  private final List<Route> routes;
  private final Supplier<List<String>> authorizations;

  /**
   * @param routes the gateway's routes, for requests that reach real methods
   * @param authorizations Authorization values of signed-in users (asked each time: sessions
   *     may be renewed)
   */
  MalformedHttpRequests(FuzzValues values, List<Route> routes, Supplier<List<String>> authorizations) {
    this.values = values;
    this.routes = routes;
    this.authorizations = authorizations;
  }

  Case next() {
    int kind = values.random().nextInt(100);
    if (kind < 46) {
      return routeCase();
    }
    if (kind < 52) {
      return single("unknown path", request(values.pick(METHODS), unknownPath(), headers(null), optionalBody()));
    }
    if (kind < 57) {
      return single("built-in", request(values.pick(METHODS), values.pick(BUILT_INS), headers(null), optionalBody()));
    }
    if (kind < 65) {
      return badRequestLine();
    }
    if (kind < 73) {
      return badHeaders();
    }
    if (kind < 80) {
      return chunked();
    }
    if (kind < 86) {
      return lyingContentLength();
    }
    if (kind < 95) {
      return pipelined();
    }
    if (kind < 98) {
      return oversized();
    }
    return garbage();
  }

  // ---- requests that reach routes --------------------------------------------------------------------

  private Case routeCase() {
    Route route = values.pick(routes);
    String method = values.chance(0.9) ? route.httpMethod().name() : values.pick(METHODS);
    String path = path(route) + query(route);
    List<String[]> headers = headers(route);
    byte[] body = body(route);
    boolean shortDeadline = hasShortDeadline(headers);
    Request request = request(method, path, headers, body);
    return new Case("route " + route, request.bytes, List.of(method.equals("HEAD")), request.reusable, false,
        shortDeadline);
  }

  private String path(Route route) {
    Matcher matcher = VARIABLE.matcher(route.template().text());
    StringBuilder path = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(path, Matcher.quoteReplacement(pathValue(matcher.group(1))));
    }
    matcher.appendTail(path);
    String text = path.toString();
    return switch (values.random().nextInt(20)) {
      case 0 -> text + "/";
      case 1 -> text.replace("/v1/", "//v1//");
      case 2 -> text + "/extra";
      case 3 -> text.replace("/v1/", "/v1/./");
      case 4 -> text.toUpperCase();
      case 5 -> text + "%2F..%2F";
      case 6 -> text + ":bogusVerb";
      default -> text;
    };
  }

  private String pathValue(String field) {
    String value = FuzzValues.isIdField(field) || values.chance(0.5) ? values.idFor(field) : values.string();
    return switch (values.random().nextInt(10)) {
      case 0 -> value;
      case 1 -> rawBytes(value);
      default -> encode(value);
    };
  }

  private String query(Route route) {
    if (!values.chance(0.4)) {
      return "";
    }
    StringBuilder query = new StringBuilder("?");
    int count = values.between(1, values.chance(0.05) ? 300 : 4);
    Descriptor input = route.method().getInputType();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        query.append('&');
      }
      String name;
      if (values.chance(0.7) && input.getFields().size() > 0) {
        FieldDescriptor field = values.pick(input.getFields());
        name = values.chance(0.5) ? field.getJsonName() : field.getName();
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && values.chance(0.5)) {
          name = name + "." + (field.getMessageType().getFields().isEmpty() ? "x"
              : values.pick(field.getMessageType().getFields()).getName());
        }
      } else {
        name = values.pick("access_token", "pageSize", "page_token", "x", values.ascii(values.between(1, 10)), "");
      }
      String value = values.chance(0.3) ? Long.toString(values.number()) : values.string();
      query.append(values.chance(0.9) ? encode(name) : name);
      if (values.chance(0.9)) {
        query.append('=').append(values.chance(0.9) ? encode(value) : rawBytes(value));
      }
    }
    return query.toString();
  }

  private byte[] body(Route route) {
    if (route.body().isEmpty() && values.chance(0.8)) {
      return null;
    }
    Descriptor type = route.body().equals("*") || route.body().isEmpty()
        ? route.method().getInputType()
        : route.bodyField().getJavaType() == FieldDescriptor.JavaType.MESSAGE ? route.bodyField().getMessageType() : null;
    JsonElement json = type == null ? jsonValue(route.bodyField(), 0) : message(type, 0);
    return mangle(json.toString());
  }

  // ---- JSON ------------------------------------------------------------------------------------------

  private JsonObject message(Descriptor type, int depth) {
    JsonObject object = new JsonObject();
    if (depth > 6) {
      return object;
    }
    switch (type.getFullName()) {
      case "google.protobuf.Struct" -> {
        return struct(values.chance(0.1) ? values.between(10, MAX_STRUCT_DEPTH) : values.between(0, 4));
      }
      case "google.protobuf.Empty" -> {
        return object;
      }
      default -> {
      }
    }
    for (FieldDescriptor field : type.getFields()) {
      if (values.chance(0.6)) {
        String name = values.chance(0.8) ? field.getJsonName() : values.chance(0.8) ? field.getName() : field.getName() + "x";
        object.add(name, values.chance(0.9) ? jsonValue(field, depth + 1) : anyJson(2));
      }
    }
    if (values.chance(0.05)) {
      object.addProperty(values.ascii(values.between(1, 12)), values.string());
    }
    String[] account = type.findFieldByName("username") != null && type.findFieldByName("password") != null
        ? values.credentials() : null;
    if (account != null) {
      object.addProperty("username", account[0]);
      object.addProperty("password", account[1]);
    }
    return object;
  }

  private JsonElement jsonValue(FieldDescriptor field, int depth) {
    if (field.isMapField()) {
      JsonObject map = new JsonObject();
      FieldDescriptor value = field.getMessageType().findFieldByName("value");
      for (int i = values.between(0, 3); i > 0; i--) {
        map.add(values.string(), singleValue(value, depth, false));
      }
      return map;
    }
    if (field.isRepeated()) {
      JsonArray array = new JsonArray();
      boolean many = values.chance(0.03);
      int count = many ? values.between(100, 2_000) : values.between(0, 4);
      for (int i = 0; i < count; i++) {
        array.add(singleValue(field, depth, many));
      }
      return array;
    }
    return singleValue(field, depth, false);
  }

  /** One value for {@code field}; {@code small} keeps strings short (one of many in a list). */
  private JsonElement singleValue(FieldDescriptor field, int depth, boolean small) {
    return switch (field.getJavaType()) {
      case STRING -> new JsonPrimitive(FuzzValues.isIdField(field.getName()) && values.chance(0.7)
          ? values.idFor(field.getName()) : small ? values.ascii(values.between(0, 30)) : values.string());
      case INT -> number(32, true);
      case LONG -> number(64, true);
      case FLOAT, DOUBLE -> values.chance(0.3) ? new JsonPrimitive(values.pick("NaN", "Infinity", "-Infinity", "1e999"))
          : new JsonPrimitive(values.chance(0.5) ? values.random().nextGaussian() * 1e10 : values.pick(1e308, -0.0, 4.9e-324));
      case BOOLEAN -> values.chance(0.8) ? new JsonPrimitive(values.chance(0.5)) : new JsonPrimitive(values.pick("true", "yes", "1"));
      case BYTE_STRING -> new JsonPrimitive(values.chance(0.7)
          ? Base64.getEncoder().encodeToString(values.string().getBytes(StandardCharsets.UTF_8))
          : values.pick("!!!", "a", "====", values.ascii(7)));
      case ENUM -> enumValue(field);
      case MESSAGE -> wellKnownOrMessage(field.getMessageType(), depth);
    };
  }

  private JsonElement number(int bits, boolean signed) {
    return switch (values.random().nextInt(9)) {
      case 0 -> new JsonPrimitive(values.number());
      case 1 -> new JsonPrimitive(Long.toString(values.number()));
      case 2 -> new JsonPrimitive(BigInteger.TWO.pow(bits + values.between(0, 200)));
      case 3 -> new JsonPrimitive(new BigInteger("1" + "0".repeat(values.between(20, 400))).negate());
      case 4 -> new JsonPrimitive(1.5);
      case 5 -> new JsonPrimitive(values.pick("0x10", "1e3", "1E400", " 1", "", "--1", "١٢"));
      case 6 -> new JsonPrimitive(1e3);
      default -> new JsonPrimitive(values.between(-5, 100));
    };
  }

  private JsonElement enumValue(FieldDescriptor field) {
    List<EnumValueDescriptor> known = field.getEnumType().getValues();
    return switch (values.random().nextInt(6)) {
      case 0 -> new JsonPrimitive(values.number());
      case 1 -> new JsonPrimitive(values.pick(known).getName().toLowerCase());
      case 2 -> new JsonPrimitive(values.string());
      case 3 -> new JsonPrimitive(values.pick(known).getNumber());
      default -> new JsonPrimitive(values.pick(known).getName());
    };
  }

  private JsonElement wellKnownOrMessage(Descriptor type, int depth) {
    return switch (type.getFullName()) {
      case "google.protobuf.Timestamp" -> new JsonPrimitive(values.pick("2024-01-02T03:04:05Z", "0001-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "yesterday",
          "1970-01-01T00:00:00+25:00", values.string()));
      case "google.protobuf.Duration" -> new JsonPrimitive(values.pick("1.5s", "-1s", "315576000001s", "1e9s", "s",
          "0.0000000001s", values.string()));
      case "google.protobuf.FieldMask" -> new JsonPrimitive(values.pick("name,notice", "", ",,,", "a.b.c", values.string()));
      case "google.protobuf.Value" -> anyJson(values.between(0, 6));
      case "google.protobuf.ListValue" -> anyJson(1).isJsonArray() ? anyJson(1) : new JsonArray();
      case "google.protobuf.Any" -> {
        JsonObject any = new JsonObject();
        any.addProperty("@type", values.pick("type.googleapis.com/google.protobuf.Empty", "nonsense", values.string()));
        yield any;
      }
      case "google.protobuf.StringValue", "google.protobuf.BytesValue" -> new JsonPrimitive(values.string());
      case "google.protobuf.Int32Value", "google.protobuf.Int64Value", "google.protobuf.UInt32Value",
          "google.protobuf.UInt64Value", "google.protobuf.DoubleValue", "google.protobuf.FloatValue" -> number(64, true);
      case "google.protobuf.BoolValue" -> new JsonPrimitive(values.chance(0.5));
      default -> message(type, depth);
    };
  }

  /** A JSON object nested {@code depth} levels, for google.protobuf.Struct fields (custom message content). */
  private JsonObject struct(int depth) {
    JsonObject root = new JsonObject();
    JsonObject current = root;
    for (int i = 0; i < depth; i++) {
      JsonObject next = new JsonObject();
      if (values.chance(0.5)) {
        current.add(values.ascii(values.between(1, 5)), anyJson(1));
      }
      current.add("k", next);
      current = next;
    }
    current.addProperty("v", values.string());
    return root;
  }

  private JsonElement anyJson(int depth) {
    int kind = values.random().nextInt(depth > 0 ? 8 : 6);
    return switch (kind) {
      case 0 -> JsonNull.INSTANCE;
      case 1 -> new JsonPrimitive(values.chance(0.5));
      case 2 -> number(64, true);
      case 3, 4 -> new JsonPrimitive(values.string());
      case 5 -> new JsonPrimitive(values.random().nextDouble());
      case 6 -> {
        JsonArray array = new JsonArray();
        for (int i = values.between(0, 3); i > 0; i--) {
          array.add(anyJson(depth - 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (int i = values.between(0, 3); i > 0; i--) {
          object.add(values.ascii(values.between(1, 6)), anyJson(depth - 1));
        }
        yield object;
      }
    };
  }

  /** The JSON as bytes, often well formed, sometimes broken in one of the ways clients break it. */
  private byte[] mangle(String json) {
    if (values.chance(0.7)) {
      return utf8(json);
    }
    return switch (values.random().nextInt(16)) {
      case 0 -> utf8(json.substring(0, values.between(0, json.length())));
      case 1 -> utf8(json.replace('"', '\''));
      case 2 -> utf8(json + values.pick(",", "}", "]", " x", "\u0000", "{}", "// comment"));
      case 3 -> concat(utf8(json.substring(0, json.length() / 2)), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE},
          utf8(json.substring(json.length() / 2)));
      case 4 -> utf8("[".repeat(values.between(50, 100_000)) + "]".repeat(values.chance(0.5) ? 0 : 1));
      case 5 -> utf8("{\"a\":".repeat(values.between(50, 20_000)) + "1" + "}".repeat(values.between(0, 50)));
      case 6 -> utf8(values.pick("", "null", "[]", "\"text\"", "42", "true", "{", "}", "{}{}", "\ufeff{}", "{\"\":1}",
          "{\"a\":1,\"a\":2}", "{/*c*/}", "{a:1}", "{\"a\":NaN}", "{\"a\":01}", "{\"a\":1e99999}"));
      case 7 -> utf8("{\"" + values.ascii(values.between(1, 8)) + "\":\"" + "x".repeat(values.between(100_000, 900_000)) + "\"}");
      case 8 -> utf8("1" + "0".repeat(values.between(400, 50_000)));
      case 9 -> utf8(json.replace(":", ": " + "9".repeat(values.between(30, 600)) + ","));
      case 10 -> new byte[] {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0};
      case 11 -> utf8(json.replace("\"", "\"\\u" + values.pick("d800", "DFFF", "00", "zzzz", "0000")));
      case 12 -> utf8(json.repeat(values.between(2, 20)));
      case 13 -> utf8("{\"x\":" + "{\"x\":".repeat(values.between(100, 5_000)) + "{}" + "}".repeat(values.between(0, 5_100)));
      case 14 -> concat(utf8(json), new byte[] {(byte) 0x80});
      default -> utf8(values.mixed(values.between(1, 200)));
    };
  }

  private byte[] optionalBody() {
    return values.chance(0.3) ? mangle(anyJson(3).toString()) : null;
  }

  // ---- headers ---------------------------------------------------------------------------------------

  /** Headers for a request to {@code route} (null for no route), as name-value pairs; Host first. */
  private List<String[]> headers(Route route) {
    List<String[]> headers = new ArrayList<>();
    if (values.chance(0.95)) {
      headers.add(new String[] {"Host", values.chance(0.95) ? "x" : values.ascii(values.between(0, 40))});
    }
    if (values.chance(route == null ? 0.3 : 0.75)) {
      headers.add(new String[] {"Authorization", authorization()});
    }
    if (values.chance(0.3)) {
      headers.add(new String[] {"Authorization", authorization()});
    }
    if (values.chance(0.15)) {
      headers.add(new String[] {"Grpc-Timeout", grpcTimeout()});
    }
    if (values.chance(0.2)) {
      headers.add(new String[] {"Accept", values.pick("application/json", "text/event-stream", "application/x-ndjson",
          "*/*", "text/html", "text/event-stream;q=abc", "application/x-ndjson;q=0, text/event-stream;q=0.5",
          ";;;,,,", values.ascii(values.between(1, 3_000)))});
    }
    if (values.chance(0.2)) {
      headers.add(new String[] {"X-Request-Id", values.pick(values.ascii(values.between(0, 300)), "", "a b",
          values.mixed(10), "x".repeat(129), "x".repeat(128))});
    }
    if (values.chance(0.15)) {
      headers.add(new String[] {"Accept-Language", values.pick("zh-CN", "en", "*", "zh-CN;q=abc", "xx-YY", "",
          "en;q=0.5, zh;q=1.5", ",".repeat(500), "en,".repeat(values.between(100, 5_300)),
          values.ascii(values.between(1, 500)))});
    }
    if (values.chance(0.1)) {
      headers.add(new String[] {"X-Forwarded-For", values.pick("203.0.113.7", "unknown", "1.2.3.4, 5.6.7.8", "::1",
          values.ascii(values.between(1, 400)))});
    }
    if (values.chance(0.1)) {
      headers.add(new String[] {"Accept-Encoding", values.pick("gzip", "deflate", "br", "gzip;q=0", "*", "identity;q=0",
          values.ascii(30))});
    }
    if (values.chance(0.08)) {
      headers.add(new String[] {"Origin", values.pick("https://evil.example.com", "null", values.ascii(20))});
    }
    if (values.chance(0.05)) {
      headers.add(new String[] {"Connection", values.pick("close", "keep-alive", "upgrade", "Upgrade, HTTP2-Settings",
          values.ascii(10))});
      if (values.chance(0.5)) {
        headers.add(new String[] {"Upgrade", values.pick("websocket", "h2c", "HTTP/2.0")});
      }
    }
    if (values.chance(0.04)) {
      headers.add(new String[] {"Expect", values.pick("100-continue", "100-Continue", "200-ok", values.ascii(5))});
    }
    if (values.chance(0.05)) {
      headers.add(new String[] {"Last-Event-ID", values.string()});
    }
    if (values.chance(0.05)) {
      headers.add(new String[] {"Cookie", "session=" + values.ascii(values.between(1, 100))});
    }
    return headers;
  }

  private String authorization() {
    List<String> valid = authorizations.get();
    String token = valid.isEmpty() ? "Bearer x" : values.pick(valid);
    return switch (values.random().nextInt(16)) {
      case 0 -> "";
      case 1 -> "Bearer";
      case 2 -> "Bearer " + values.ascii(values.between(1, 100));
      case 3 -> "Basic dXNlcjpwYXNzd29yZA==";
      case 4 -> "bearer " + token.substring(7);
      case 5 -> token.substring(0, token.length() - 3) + "abc";
      case 6 -> "Bearer " + "a".repeat(values.between(4_000, 16_200));
      case 7 -> "Bearer  " + token.substring(7);
      case 8 -> "Bearer a.b.c";
      case 9 -> "Bearer " + Base64.getUrlEncoder().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
          + ".e30.";
      case 10 -> token + " extra";
      default -> token;
    };
  }

  private String grpcTimeout() {
    return switch (values.random().nextInt(10)) {
      case 0 -> values.pick("1n", "1u", "1m", "5m");
      case 1 -> values.pick("99999999H", "2562048H", "99999999M", "99999999S", "2H");
      case 2 -> values.pick("123456789S", "-1S", "1.5S", "S", "5", "5s", "0S", "0n", " 5S", "5S ", "+5S", "٥S");
      case 3 -> values.ascii(values.between(0, 20));
      default -> values.pick("5S", "1H", "30S", "100m", "1M");
    };
  }

  /** Whether the request asks for a deadline so short (under 2 s) that it may pass on a busy machine. */
  private static boolean hasShortDeadline(List<String[]> headers) {
    for (String[] header : headers) {
      if (header[0].equals("Grpc-Timeout")) {
        java.time.Duration timeout = GrpcTimeouts.parse(header[1]);
        return timeout != null && timeout.compareTo(java.time.Duration.ofSeconds(2)) < 0;
      }
    }
    return false;
  }

  // ---- raw HTTP --------------------------------------------------------------------------------------

  /** A well-framed request (Content-Length set to the body's length). */
  private record Request(byte[] bytes, boolean reusable) {}

  private Request request(String method, String target, List<String[]> headers, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, method + " " + target + " HTTP/1.1\r\n");
    boolean typed = false;
    boolean close = false;
    boolean framed = true;
    for (String[] header : headers) {
      write(out, header[0] + ": " + header[1] + "\r\n");
      framed &= header[1].indexOf('\r') < 0 && header[1].indexOf('\n') < 0 && header[1].indexOf('\u0000') < 0;
      typed |= header[0].equalsIgnoreCase("content-type");
      close |= header[0].equalsIgnoreCase("connection") || header[0].equalsIgnoreCase("upgrade")
          || header[0].equalsIgnoreCase("expect");
    }
    if (body != null) {
      if (!typed && values.chance(0.95)) {
        write(out, "Content-Type: " + contentType() + "\r\n");
      }
      write(out, "Content-Length: " + body.length + "\r\n");
    } else if (values.chance(0.1)) {
      write(out, "Content-Type: " + contentType() + "\r\n");
    }
    write(out, "\r\n");
    if (body != null) {
      out.writeBytes(body);
    }
    return new Request(out.toByteArray(), framed && !close && !method.equals("CONNECT"));
  }

  private String contentType() {
    return values.chance(0.75) ? "application/json" : values.pick("application/json; charset=utf-8",
        "application/json; charset=latin1", "text/plain", "application/merge-patch+json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json, text/plain", "", "*/*", "application/JSON",
        "application/json\r\nContent-Type: text/plain", values.ascii(values.between(1, 1_000)));
  }

  private Case single(String kind, Request request) {
    return new Case(kind, request.bytes, List.of(new String(request.bytes, 0, 5, StandardCharsets.ISO_8859_1)
        .startsWith("HEAD ")), request.reusable, false, false);
  }

  private Case badRequestLine() {
    String line = values.pick(
        "GET /healthz",
        "GET /healthz HTTP/1.1 extra",
        "GET  /healthz  HTTP/1.1",
        "G@T /healthz HTTP/1.1",
        "GET /healthz HTTP/2.0",
        "GET /healthz HTTP/1.2",
        "GET /healthz HTTP/0.9",
        "GET /healthz HTTP/1",
        "GET /healthz http/1.1",
        "GET\t/healthz\tHTTP/1.1",
        "GET http://evil.example.com/v1/users/me HTTP/1.1",
        "OPTIONS * HTTP/1.1",
        "CONNECT parley:443 HTTP/1.1",
        "GET /v1/users/me#fragment HTTP/1.1",
        "GET ? HTTP/1.1",
        "GET /v1/users/%00 HTTP/1.1",
        "GET /v1/users/\u00ff\u00fe HTTP/1.1",
        "GET /v1/users/" + values.mixed(8) + " HTTP/1.1",
        "GET /healthz\u0000 HTTP/1.1",
        " GET /healthz HTTP/1.1",
        "/healthz HTTP/1.1",
        "GET",
        "HTTP/1.1 200 OK",
        values.ascii(values.between(1, 200)),
        "PRI * HTTP/2.0\r\n\r\nSM");
    String ending = values.pick("\r\n", "\n", "\r\n", "\r\n");
    String rest = values.chance(0.5) ? "Host: x" + ending + ending : ending;
    byte[] bytes = (values.chance(0.1) ? "\r\n\r\n" : "").concat(line).concat(ending).concat(rest)
        .getBytes(StandardCharsets.UTF_8);
    return new Case("bad request line", bytes, List.of(false), false, false, false);
  }

  private Case badHeaders() {
    StringBuilder head = new StringBuilder("GET /v1/users/me HTTP/1.1\r\nHost: x\r\n");
    switch (values.random().nextInt(14)) {
      case 0 -> head.append("No-Colon-Here\r\n");
      case 1 -> head.append(": empty name\r\n");
      case 2 -> head.append("Bad Name: x\r\n");
      case 3 -> head.append("X-Folded: a\r\n  continued\r\n");
      case 4 -> head.append("X-Nul: a\u0000b\r\n");
      case 5 -> head.append("X-Cr: a\rb\r\n");
      case 6 -> head.append("X-Many: y\r\n".repeat(values.between(100, 3_000)));
      case 7 -> head.append("X-Long: ").append("y".repeat(values.between(15_000, 40_000))).append("\r\n");
      case 8 -> head.append("Content-Length: 0\r\nContent-Length: 5\r\n");
      case 9 -> head.append("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n");
      case 10 -> head.append("Transfer-Encoding: gzip\r\n");
      case 11 -> head.append("X-Utf8: ").append(values.mixed(20)).append("\r\n");
      case 12 -> head.append("Authorization: Bearer \u00ff\u00fe\r\n");
      default -> head.append("Content-Type: application/json\r\nContent-Type: text/plain\r\n");
    }
    head.append("\r\n");
    return new Case("bad headers", head.toString().getBytes(StandardCharsets.UTF_8), List.of(false), false, false, false);
  }

  private Case chunked() {
    Route route = values.pick(routes);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, "POST " + path(route) + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    if (values.chance(0.7)) {
      write(out, "Authorization: " + authorization() + "\r\n");
    }
    write(out, values.pick("Transfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: CHUNKED\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"));
    write(out, "\r\n");
    byte[] body = mangle(message(route.method().getInputType(), 0).toString());
    int at = 0;
    while (at < body.length) {
      int size = Math.min(body.length - at, values.between(1, 4_096));
      int kind = values.random().nextInt(30);
      if (kind == 0) {
        write(out, "zz\r\n");
      } else if (kind == 1) {
        write(out, "-1\r\n");
      } else if (kind == 2) {
        write(out, Integer.toHexString(size) + ";ext=" + values.ascii(5) + "\r\n");
      } else if (kind == 3) {
        write(out, Integer.toHexString(size + 10) + "\r\n");
      } else if (kind == 4) {
        write(out, "FFFFFFFFFFFFFFFF\r\n");
      } else {
        write(out, Integer.toHexString(size) + "\r\n");
      }
      out.write(body, at, size);
      write(out, values.chance(0.97) ? "\r\n" : "");
      at += size;
    }
    if (values.chance(0.9)) {
      write(out, values.pick("0\r\n\r\n", "0\r\n\r\n", "0\r\nX-Trailer: y\r\n\r\n", "0\r\n"));
    }
    // Chunks that lie about their size, lack a line end or never end leave the gateway waiting for
    // more, and which do is hard to foresee: every chunked case is read after the others.
    return new Case("chunked", out.toByteArray(), List.of(false), false, true, false);
  }

  private Case lyingContentLength() {
    Route route = values.pick(routes);
    byte[] body = mangle(message(route.method().getInputType(), 0).toString());
    int lie = values.random().nextInt(8);
    String declared = switch (lie) {
      case 0 -> Integer.toString(Math.max(0, body.length - values.between(1, 10)));
      case 1 -> Integer.toString(body.length + values.between(1, 10));
      case 2 -> "-1";
      case 3 -> "abc";
      case 4 -> "99999999999999999999";
      case 5 -> body.length + ", " + body.length;
      case 6 -> body.length + ", " + (body.length + 1);
      default -> " " + body.length + " ";
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, route.httpMethod().name() + " " + path(route) + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: " + authorization() + "\r\nContent-Length: " + declared + "\r\n\r\n");
    out.writeBytes(body);
    return new Case("lying Content-Length", out.toByteArray(), List.of(false), false, lie == 1, false);
  }

  private Case pipelined() {
    int count = values.chance(0.1) ? values.between(17, 40) : values.between(2, 8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Boolean> heads = new ArrayList<>();
    boolean shortDeadline = false;
    for (int i = 0; i < count; i++) {
      Request request;
      if (values.chance(0.5)) {
        Route route = values.pick(routes);
        if (route.isStreaming()) {
          route = routes.get(0);
        }
        String method = values.chance(0.9) ? route.httpMethod().name() : values.pick("GET", "POST", "DELETE", "HEAD");
        List<String[]> headers = headers(route);
        headers.removeIf(header -> header[0].equals("Accept") || header[0].equals("Expect"));
        shortDeadline |= hasShortDeadline(headers);
        request = request(method, path(route) + query(route), headers, body(route));
        heads.add(method.equals("HEAD"));
      } else {
        String method = values.pick("GET", "GET", "HEAD", "POST");
        request = request(method, values.pick(BUILT_INS), List.<String[]>of(new String[] {"Host", "x"}), null);
        heads.add(method.equals("HEAD"));
      }
      out.writeBytes(request.bytes);
    }
    return new Case("pipelined x" + count, out.toByteArray(), heads, false, false, shortDeadline);
  }

  private Case oversized() {
    return switch (values.random().nextInt(4)) {
      case 0 -> single("long request line", request("GET", "/v1/users/" + "a".repeat(values.between(8_000, 20_000)),
          headers(null), null));
      case 1 -> {
        List<String[]> headers = headers(null);
        headers.add(new String[] {"X-Filler", "y".repeat(values.between(16_000, 40_000))});
        yield single("huge headers", request("GET", "/v1/users/me", headers, null));
      }
      case 2 -> single("body over the limit", request("POST", "/v1/messages", headers(null),
          utf8("{\"clientMsgId\":\"" + "x".repeat(values.between(1_050_000, 1_500_000)) + "\"}")));
      default -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + values.between(1_100_000, 1_000_000_000) + "\r\n\r\n{\"a\":");
        yield new Case("declared body over the limit", out.toByteArray(), List.of(false), false, false, false);
      }
    };
  }

  private Case garbage() {
    byte[] bytes = new byte[values.between(1, 2_000)];
    values.random().nextBytes(bytes);
    if (values.chance(0.3)) {
      // A TLS ClientHello's first bytes: a client speaking HTTPS to the plain-text port.
      byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
      System.arraycopy(hello, 0, bytes, 0, Math.min(hello.length, bytes.length));
    }
    boolean lineEnds = false;
    for (byte b : bytes) {
      lineEnds |= b == '\n';
    }
    return new Case("binary garbage", bytes, List.of(false), false, !lineEnds, false);
  }

  // ---- bits ------------------------------------------------------------------------------------------

  private String unknownPath() {
    StringBuilder path = new StringBuilder(values.chance(0.5) ? "/v1" : "");
    for (int i = values.between(1, 6); i > 0; i--) {
      path.append('/').append(values.chance(0.8) ? encode(values.string()) : values.ascii(values.between(0, 10)).replace(' ', '_'));
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  /** Percent-encoded UTF-8, as a client should send it. */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Text put on the wire as it is, spaces and all but line breaks: what a careless client sends. */
  private static String rawBytes(String text) {
    return text.replace("\r", "").replace("\n", "").replace(" ", "%20");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}
