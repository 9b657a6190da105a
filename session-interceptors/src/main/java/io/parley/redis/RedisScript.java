package io.parley.redis;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * A Lua script run with {@code EVALSHA}, falling back to {@code EVAL} (which also caches it) the
 * first time a server has not seen it. On a Redis Cluster every key of one call must share a hash
 * slot. Immutable and thread-safe.
 */
public final class RedisScript {
  private final String name;
  private final byte[] source;
  private final byte[] sha;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source.getBytes(StandardCharsets.UTF_8);
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.source))
          .getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JRE", e);
    }
  }

  /** The script in the resource {@code name}, next to {@code owner}'s class file. */
  public static RedisScript fromResource(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no script resource " + name + " next to " + owner.getName());
      }
      return new RedisScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + name, e);
    }
  }

  /**
   * One script made of several resources next to {@code owner}'s class file, in order: shared Lua
   * functions first, then the script that calls them.
   */
  public static RedisScript fromResources(Class<?> owner, String... names) {
    StringBuilder source = new StringBuilder();
    for (String name : names) {
      source.append(fromResource(owner, name).source()).append('\n');
    }
    return new RedisScript(String.join("+", names), source.toString());
  }

  private String source() {
    return new String(source, StandardCharsets.UTF_8);
  }

  public static RedisScript of(String name, String source) {
    return new RedisScript(requireNonNull(name, "name"), requireNonNull(source, "source"));
  }

  /** Runs the script; the reply is as jedis returns it (byte[], Long, List, or null). */
  public Object run(UnifiedJedis jedis, List<byte[]> keys, List<byte[]> args) {
    try {
      return jedis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }

  /**
   * Queues the script on {@code pipeline} ({@code EVALSHA}); after {@code sync()}, read its reply
   * with {@link #reply}.
   */
  public Response<Object> queue(AbstractPipeline pipeline, List<byte[]> keys, List<byte[]> args) {
    return pipeline.evalsha(sha, keys, args);
  }

  /**
   * The reply of a call {@linkplain #queue queued} with these keys and arguments. Where nothing ran,
   * runs it now by itself: when that server did not know the script ({@code NOSCRIPT}; running it
   * loads it), and when its slot is moving to another cluster node ({@code MOVED}, {@code ASK}:
   * pipelines do not follow a move, a call by itself does).
   *
   * @throws redis.clients.jedis.exceptions.JedisConnectionException if the pipeline got no reply
   *     (see {@link RedisCalls#pipelinedReply})
   */
  public Object reply(Response<Object> queued, UnifiedJedis jedis, List<byte[]> keys, List<byte[]> args) {
    try {
      return RedisCalls.pipelinedReply(queued);
    } catch (JedisNoScriptException | JedisRedirectionException e) {
      return run(jedis, keys, args);
    }
  }

  @Override
  public String toString() {
    return "RedisScript{" + name + "}";
  }
}
