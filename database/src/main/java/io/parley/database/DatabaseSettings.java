package io.parley.database;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a service's store of record is and how to reach it: a PostgreSQL URL in the libpq form,
 * a password kept apart from it, and the size of the connection pool.
 *
 * <p>The URL is {@code postgresql://[user[:password]@]host[:port][,host2[:port2]…][/database][?param=value&…]}
 * ({@code postgres://} works too). Several hosts name a primary and its standbys; pgjdbc tries
 * them in turn, and {@code ?targetServerType=primary} makes it connect to whichever is the
 * primary, so that after a failover new connections find the new one. Every query parameter is
 * passed to pgjdbc as a connection property ({@code sslmode}, {@code sslrootcert},
 * {@code targetServerType}, …).
 *
 * <p>Immutable. {@link #toString()} never shows the password.
 *
 * @param jdbcUrl the pgjdbc URL, without user or password
 * @param user the role to connect as, or null for pgjdbc's default (the OS user)
 * @param password the password, or null (trust, peer, or a {@code .pgpass} file)
 * @param properties further pgjdbc connection properties from the URL's query
 * @param maxPoolSize connections per pool, 1-1000
 * @param connectTimeout how long a call waits for a connection before failing UNAVAILABLE
 * @param openTelemetry where the spans of the statements go; {@link OpenTelemetry#noop()} for none
 */
public record DatabaseSettings(
    String jdbcUrl, String user, String password, Map<String, String> properties, int maxPoolSize,
    Duration connectTimeout, OpenTelemetry openTelemetry) {

  private static final Pattern URL = Pattern.compile(
      "(?:postgresql|postgres)://(?:(?<userinfo>[^@/]*)@)?(?<hosts>[^/?@]+)(?:/(?<db>[^?]*))?(?:\\?(?<query>.*))?");
  private static final Pattern HOST = Pattern.compile("(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?");

  public DatabaseSettings {
    requireNonNull(jdbcUrl, "jdbcUrl");
    properties = Map.copyOf(properties);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(openTelemetry, "openTelemetry");
    if (maxPoolSize < 1 || maxPoolSize > 1000) {
      throw new IllegalArgumentException("maxPoolSize must be 1-1000: " + maxPoolSize);
    }
    if (connectTimeout.toMillis() < 250) {
      // HikariCP's floor for connectionTimeout.
      throw new IllegalArgumentException("connectTimeout must be at least 250 ms: " + connectTimeout);
    }
  }

  /** Settings whose statements are not traced. */
  public DatabaseSettings(String jdbcUrl, String user, String password, Map<String, String> properties,
      int maxPoolSize, Duration connectTimeout) {
    this(jdbcUrl, user, password, properties, maxPoolSize, connectTimeout, OpenTelemetry.noop());
  }

  /** Whether {@code url} is a PostgreSQL URL that {@link #parse} takes. */
  public static boolean isDatabaseUrl(String url) {
    return url != null && (url.startsWith("postgresql://") || url.startsWith("postgres://"));
  }

  /**
   * Reads a URL; the pool holds 10 connections and waits at most 3 seconds for one.
   *
   * @throws IllegalArgumentException if it is malformed, with a message that never shows a password
   */
  public static DatabaseSettings parse(String url) {
    requireNonNull(url, "url");
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a PostgreSQL URL: '" + redact(url)
          + "'; use postgresql://[user@]host[:port][,host2:port2]/database[?sslmode=require&…]");
    }
    StringBuilder hosts = new StringBuilder();
    for (String host : m.group("hosts").split(",")) {
      if (!HOST.matcher(host).matches()) {
        throw new IllegalArgumentException("bad host '" + host + "' in PostgreSQL URL '" + redact(url) + "'");
      }
      hosts.append(hosts.length() == 0 ? "" : ",").append(host);
    }
    String user = null;
    String password = null;
    String userinfo = m.group("userinfo");
    if (userinfo != null && !userinfo.isEmpty()) {
      int colon = userinfo.indexOf(':');
      user = decode(colon < 0 ? userinfo : userinfo.substring(0, colon));
      password = colon < 0 ? null : decode(userinfo.substring(colon + 1));
    }
    String db = m.group("db") == null ? "" : decode(m.group("db"));
    Map<String, String> properties = new LinkedHashMap<>();
    String query = m.group("query");
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("bad parameter '" + pair + "' in PostgreSQL URL '" + redact(url) + "'");
        }
        String key = decode(pair.substring(0, eq));
        if (key.equalsIgnoreCase("password") || key.equalsIgnoreCase("user")) {
          throw new IllegalArgumentException("put the user in the URL's user part, and the password in "
              + "PARLEY_DATABASE_PASSWORD or a password file, not in a query parameter");
        }
        properties.put(key, decode(pair.substring(eq + 1)));
      }
    }
    String jdbcUrl = "jdbc:postgresql://" + hosts + "/" + db.replace("/", "%2F").replace("?", "%3F");
    return new DatabaseSettings(jdbcUrl, user, password, properties, 10, Duration.ofSeconds(3));
  }

  /** A copy with {@code password} (from the environment or a file), replacing any in the URL. */
  public DatabaseSettings withPassword(String password) {
    return new DatabaseSettings(jdbcUrl, user, requireNonNull(password, "password"), properties, maxPoolSize,
        connectTimeout, openTelemetry);
  }

  public DatabaseSettings withMaxPoolSize(int maxPoolSize) {
    return new DatabaseSettings(jdbcUrl, user, password, properties, maxPoolSize, connectTimeout, openTelemetry);
  }

  public DatabaseSettings withConnectTimeout(Duration connectTimeout) {
    return new DatabaseSettings(jdbcUrl, user, password, properties, maxPoolSize, connectTimeout, openTelemetry);
  }

  /**
   * A copy whose statements are traced with {@code openTelemetry}: a client span per statement
   * (the library instrumentation of JDBC), child of the span current when it runs.
   */
  public DatabaseSettings withOpenTelemetry(OpenTelemetry openTelemetry) {
    return new DatabaseSettings(jdbcUrl, user, password, properties, maxPoolSize, connectTimeout, openTelemetry);
  }

  /** {@code url} with any password replaced by {@code ***}, for messages and logs. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://[^:@/]*):[^@/]*@", "$1:***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "DatabaseSettings{" + jdbcUrl + (user == null ? "" : ", user=" + user)
        + (password == null ? "" : ", password=***") + (properties.isEmpty() ? "" : ", " + properties)
        + ", maxPoolSize=" + maxPoolSize + ", connectTimeout=" + connectTimeout + "}";
  }
}
