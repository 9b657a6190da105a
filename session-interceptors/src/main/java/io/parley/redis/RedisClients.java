package io.parley.redis;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;

/**
 * Creates pooled jedis clients from Parley's store URLs:
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/db]} or {@code rediss://…} (TLS): one server;
 *   <li>{@code redis-cluster://[user:password@]host1:port1,host2:port2,…}: a Redis Cluster, found
 *       from any of the seed nodes.
 * </ul>
 *
 * <p>Query parameters tune the client: {@code connectTimeout} and {@code socketTimeout} in
 * milliseconds (500 and 400 by default) and {@code poolSize} (64 connections per node by default).
 * A stopped server fails a call at once; a hung one (frozen, or cut off by the network) within
 * about twice the socket timeout on the first call (jedis waits once more while discarding the
 * dead connection) and once after: under a second by default. Both kinds are returned as
 * {@link UnifiedJedis}, so stores work unchanged on either.
 *
 * <p>The password may be in the URL, or kept apart from it ({@link #create(String, String)}, e.g.
 * read from {@code PARLEY_STORE_PASSWORD} or a file), so that it never has to be part of a URL
 * that is logged, shown or typed on a command line.
 */
public final class RedisClients {
  private static final int DEFAULT_PORT = 6379;

  private RedisClients() {}

  /** Whether {@code url} names a Redis store (rather than {@code memory}). */
  public static boolean isRedisUrl(String url) {
    return url != null
        && (url.startsWith("redis://") || url.startsWith("rediss://") || url.startsWith("redis-cluster://"));
  }

  /**
   * A client for {@code url}.
   *
   * @throws IllegalArgumentException if the URL is malformed, with a message naming the problem
   */
  public static UnifiedJedis create(String url) {
    return create(url, null);
  }

  /**
   * A client for {@code url} that authenticates with {@code password} (with the URL's user, if it
   * names one), whatever password the URL holds.
   *
   * @param password the password, or null for the URL's own (or none)
   * @throws IllegalArgumentException if the URL is malformed, with a message naming the problem
   */
  public static UnifiedJedis create(String url, String password) {
    requireNonNull(url, "url");
    if (url.startsWith("redis-cluster://")) {
      return createCluster(url, password);
    }
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "not a Redis URL: '" + redact(url) + "'; use redis://host:port or redis-cluster://h1:p1,h2:p2");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed Redis URL '" + redact(url) + "': " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("Redis URL '" + redact(url) + "' has no host");
    }
    Map<String, String> query = query(uri.getRawQuery());
    DefaultJedisClientConfig.Builder config = clientConfig(uri.getRawUserInfo(), password, query);
    if (url.startsWith("rediss://")) {
      config.sslOptions(SslOptions.defaults());
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      try {
        config.database(Integer.parseInt(path.substring(1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Redis URL '" + redact(url) + "': database must be a number");
      }
    }
    HostAndPort node = new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT);
    return RedisClient.builder()
        .hostAndPort(node)
        .clientConfig(config.build())
        .poolConfig(poolConfig(query))
        .build();
  }

  private static UnifiedJedis createCluster(String url, String password) {
    String rest = url.substring("redis-cluster://".length());
    String userInfo = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
    }
    String rawQuery = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      rawQuery = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    for (String node : rest.split(",")) {
      if (node.isBlank()) {
        continue;
      }
      nodes.add(parseHostAndPort(node.trim(), url));
    }
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "' names no node");
    }
    Map<String, String> query = query(rawQuery);
    int socketTimeout = intParam(query, "socketTimeout", 400);
    return RedisClusterClient.builder()
        .nodes(nodes)
        .clientConfig(clientConfig(userInfo, password, query).build())
        .poolConfig(poolConfig(query))
        .maxAttempts(3)
        .maxTotalRetriesDuration(Duration.ofMillis(socketTimeout))
        .build();
  }

  private static HostAndPort parseHostAndPort(String node, String url) {
    String host;
    String port;
    if (node.startsWith("[")) {
      int end = node.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("Redis URL '" + redact(url) + "': unclosed '[' in " + node);
      }
      host = node.substring(1, end);
      port = node.length() > end + 2 && node.charAt(end + 1) == ':' ? node.substring(end + 2) : null;
    } else {
      int colon = node.lastIndexOf(':');
      host = colon < 0 ? node : node.substring(0, colon);
      port = colon < 0 ? null : node.substring(colon + 1);
    }
    try {
      return new HostAndPort(host, port == null ? DEFAULT_PORT : Integer.parseInt(port));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Redis URL '" + redact(url) + "': bad port in '" + node + "'");
    }
  }

  private static DefaultJedisClientConfig.Builder clientConfig(
      String rawUserInfo, String password, Map<String, String> query) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .protocol(RedisProtocol.RESP2)
        .connectionTimeoutMillis(intParam(query, "connectTimeout", 500))
        .socketTimeoutMillis(intParam(query, "socketTimeout", 400))
        .clientName(query.getOrDefault("clientName", "parley"));
    String user = null;
    String urlPassword = null;
    if (rawUserInfo != null && !rawUserInfo.isEmpty()) {
      int colon = rawUserInfo.indexOf(':');
      // redis://secret@host is a password alone (Redis before ACLs); redis://user:secret@host both.
      user = colon < 0 ? null : decode(rawUserInfo.substring(0, colon));
      urlPassword = decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(colon + 1));
      if (password != null && colon < 0) {
        // With the password given apart, the URL's user part is the user.
        user = urlPassword;
        urlPassword = null;
      }
    }
    if (user != null && !user.isEmpty()) {
      config.user(user);
    }
    String effective = password != null ? password : urlPassword;
    if (effective != null) {
      config.password(effective);
    }
    return config;
  }

  private static GenericObjectPoolConfig<Connection> poolConfig(Map<String, String> query) {
    int size = intParam(query, "poolSize", 64);
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(intParam(query, "socketTimeout", 400)));
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
    pool.setJmxEnabled(false);
    return pool;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return params;
  }

  private static int intParam(Map<String, String> query, String name, int defaultValue) {
    String value = query.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed <= 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Redis URL parameter " + name + " must be a positive integer: " + value);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The URL with any password masked, for messages and logs. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
  }
}
