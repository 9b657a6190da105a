package io.parley.testing;

import java.net.URI;
import redis.clients.jedis.Jedis;

/**
 * What tests and benchmarks read from a Redis server's {@code INFO}: the commands it has processed
 * and the memory it uses. One plain connection, to a standalone server (a cluster's nodes each
 * keep their own counts).
 */
public final class RedisStats implements AutoCloseable {
  private final Jedis jedis;

  public RedisStats(String url) {
    if (!url.startsWith("redis://")) {
      throw new IllegalArgumentException("counting needs a standalone redis:// server, not " + url.replaceAll("//.*@", "//"));
    }
    this.jedis = new Jedis(URI.create(url), 2000);
  }

  /**
   * Commands processed since start, from {@code INFO commandstats}, leaving out {@code INFO} (how
   * this class asks) and {@code PING} (how connection pools check idle connections).
   */
  public long totalCommands() {
    long total = 0;
    for (String line : jedis.info("commandstats").split("\r?\n")) {
      boolean counted = line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")
          && !line.startsWith("cmdstat_ping:");
      if (counted) {
        total += calls(line);
      }
    }
    return total;
  }

  /**
   * Calls of {@code command} (lower case, e.g. {@code "evalsha"}) the server has processed since
   * start, from {@code INFO commandstats}.
   */
  public long commandCount(String command) {
    String prefix = "cmdstat_" + command.toLowerCase() + ":";
    for (String line : jedis.info("commandstats").split("\r?\n")) {
      if (line.startsWith(prefix)) {
        return calls(line);
      }
    }
    return 0;
  }

  /** Bytes in use, {@code used_memory} of {@code INFO memory}. */
  public long usedMemory() {
    for (String line : jedis.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }

  /** The {@code calls=} count of a {@code cmdstat_} line. */
  private static long calls(String line) {
    int from = line.indexOf("calls=") + "calls=".length();
    return Long.parseLong(line.substring(from, line.indexOf(',', from)));
  }

  @Override
  public void close() {
    jedis.close();
  }
}
