package io.parley.events;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XReadParams;

/**
 * An {@link EventLog} on a Redis stream, shared by every replica on one Redis (standalone or
 * Cluster: the stream and its epoch share a hash slot).
 *
 * <ul>
 *   <li>{@link #append} is one {@code XADD} that trims, in the same call, entries older than the
 *       window by Redis's own clock ({@code MINID ~}, which trims whole nodes, so a few older
 *       entries may stay a little longer; never a younger one);
 *   <li>the epoch is a random name kept next to the stream, set by the first append or tail: a
 *       Redis that comes back empty gets a new one. A Redis that comes back from a snapshot older
 *       than its last entries keeps its epoch, and the entries after the snapshot are lost without
 *       a trace: run it without persistence, or with an append-only file;
 *   <li>{@link #trim} trims exactly, for a log gone quiet, and deletes the stream once it is empty
 *       (its epoch stays);
 *   <li>{@link #read} is {@code XREAD BLOCK}, which holds one pooled connection while it waits;
 *   <li>{@link #range} checks the epoch and the window and reads, in one script.
 * </ul>
 *
 * <p>Failures are {@link io.parley.error.ParleyException} STORE_UNAVAILABLE ({@link RedisCalls}).
 * Thread-safe.
 */
public final class RedisEventLog implements EventLog {
  private static final RedisScript APPEND = RedisScript.of("event-log-append", """
      if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[3]) end
      local t = redis.call('TIME')
      local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[2])
      if oldest < 0 then oldest = 0 end
      return redis.call('XADD', KEYS[1], 'MINID', '~', string.format('%d', oldest), '*', 'e', ARGV[1])
      """);

  private static final RedisScript TAIL = RedisScript.of("event-log-tail", """
      local epoch = redis.call('GET', KEYS[2])
      if not epoch then
        redis.call('SET', KEYS[2], ARGV[1])
        epoch = ARGV[1]
      end
      local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
      if #last == 0 then return {epoch, '0-0'} end
      return {epoch, last[1][1]}
      """);

  private static final RedisScript RANGE = RedisScript.of("event-log-range", """
      if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
      local t = redis.call('TIME')
      local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[4])
      local from = tonumber(string.match(ARGV[2], '^(%d+)-'))
      if from < oldest then return false end
      return redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[3], 'COUNT', ARGV[5])
      """);

  private static final RedisScript TRIM = RedisScript.of("event-log-trim", """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local t = redis.call('TIME')
      local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
      if oldest < 0 then oldest = 0 end
      local trimmed = redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', oldest))
      if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
      return trimmed
      """);

  private static final byte[] FIELD = {'e'};

  private final RedisCalls redis;
  private final byte[] stream;
  private final byte[] epochKey;
  private final Duration window;
  private final byte[] windowMillis;

  /**
   * @param name the log's name; its keys are {@code parley:{name}} and {@code parley:{name}:epoch}
   */
  public RedisEventLog(UnifiedJedis jedis, String name, Duration window) {
    this.redis = new RedisCalls(requireNonNull(jedis, "jedis"), ErrorReason.STORE_UNAVAILABLE, "event log");
    requireNonNull(name, "name");
    this.stream = ("parley:{" + name + "}").getBytes(US_ASCII);
    this.epochKey = ("parley:{" + name + "}:epoch").getBytes(US_ASCII);
    this.window = requireNonNull(window, "window");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the window must be positive");
    }
    this.windowMillis = Long.toString(window.toMillis()).getBytes(US_ASCII);
  }

  @Override
  public EntryId append(byte[] payload) {
    requireNonNull(payload, "payload");
    Object id = redis.write(() -> APPEND.run(redis.jedis(), List.of(stream, epochKey),
        List.of(payload, windowMillis, Ids.newId("ep").getBytes(US_ASCII))));
    return EntryId.parse(text(id));
  }

  /** Trims exactly (no {@code ~}), and deletes the stream once it is empty: an idle log holds nothing. */
  @Override
  public void trim() {
    redis.write(() -> TRIM.run(redis.jedis(), List.of(stream), List.of(windowMillis)));
  }

  @Override
  public Tail tail() {
    List<?> reply = (List<?>) redis.write(() -> TAIL.run(redis.jedis(), List.of(stream, epochKey),
        List.of(Ids.newId("ep").getBytes(US_ASCII))));
    return new Tail(text(reply.get(0)), EntryId.parse(text(reply.get(1))));
  }

  @Override
  public List<Entry> read(EntryId after, int max, Duration wait) {
    byte[] from = after.toString().getBytes(US_ASCII);
    List<Object> reply = redis.read(() -> redis.jedis().xread(
        XReadParams.xReadParams().count(max).block((int) Math.max(1, wait.toMillis())), Map.entry(stream, from)));
    if (reply == null || reply.isEmpty()) {
      return List.of();
    }
    // [[stream, [entry, ...]]]
    return entries((List<?>) ((List<?>) reply.get(0)).get(1));
  }

  @Override
  public Optional<List<Entry>> range(String epoch, EntryId from, EntryId to, int max) {
    Object reply = redis.read(() -> RANGE.run(redis.jedis(), List.of(stream, epochKey), List.of(
        epoch.getBytes(US_ASCII), from.toString().getBytes(US_ASCII), to.toString().getBytes(US_ASCII), windowMillis,
        Integer.toString(max).getBytes(US_ASCII))));
    return reply == null ? Optional.empty() : Optional.of(entries((List<?>) reply));
  }

  /** Entries as Redis replies them: {@code [[id, [field, value, ...]], ...]}. */
  private static List<Entry> entries(List<?> reply) {
    List<Entry> out = new ArrayList<>(reply.size());
    for (Object item : reply) {
      List<?> entry = (List<?>) item;
      List<?> fields = (List<?>) entry.get(1);
      byte[] payload = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if (java.util.Arrays.equals((byte[]) fields.get(i), FIELD)) {
          payload = (byte[]) fields.get(i + 1);
        }
      }
      if (payload == null) {
        throw new IllegalStateException("an event log entry without its payload: " + text(entry.get(0)));
      }
      out.add(new Entry(EntryId.parse(text(entry.get(0))), payload));
    }
    return out;
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes ? new String(bytes, US_ASCII) : String.valueOf(reply);
  }

  @Override
  public Duration window() {
    return window;
  }

  /** Nothing of its own to close: the Redis client is the caller's. */
  @Override
  public void close() {}
}
