package io.parley.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import io.parley.session.v1.SessionRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * A {@link SessionStore} on Redis through jedis, standalone or Cluster alike.
 *
 * <p>Layout: one hash per user, {@code <prefix>{<userId>}}, so that a user's whole state sits in
 * one hash slot and every multi-step change (login with kick, revoke all) is one atomic Lua
 * script, on a Cluster too. In it, field {@code <sid>} holds a small text meta line that the
 * scripts read (state, terminal, last access, expiry), and fields {@code <sid>.0}, {@code
 * <sid>.1}, ... the record (see {@link SessionRecordCodec}) in chunks of at most {@value
 * #CHUNK_BYTES} bytes. Keeping every value under Redis's default {@code hash-max-listpack-value}
 * (64) keeps the hash in its compact listpack encoding, which costs less than half the memory of
 * the hashtable encoding a single larger value would force. The hash's own TTL covers its
 * longest-living field, so Redis drops a user's hash once nothing in it matters; expiry of a
 * single session is decided by comparing the clock with its meta, never by keyspace
 * notifications.
 *
 * <p>A lookup is one {@code HMGET}. Every kick, revocation and attribute change is published from
 * inside its script as {@code "<userId> <sid> <K|R|U> <counter>"}, so that {@link
 * SessionListener}s registered here hear those of every replica: on a standalone Redis with {@code
 * PUBLISH} on {@code <prefix>events}; on a Cluster with {@code SPUBLISH} (Redis 7) on one sharded
 * channel per hash slot, {@code <prefix>events{<tag>}} in the slot of the user's hash, so that an
 * event never crosses the cluster bus and the loss of one master's connection concerns only the
 * sessions in that master's slots. The counter is that of the slot, {@code <prefix>changes{<tag>}}
 * (see {@link RedisSessionEvents}): it tells a replica whose channel dropped which slots' events it
 * missed. Whether events are heard, slot by slot, is kept as {@link EventEpochs} for {@link
 * CachingSessionStore}.
 *
 * <p>Activity is written by {@link #touchAll} in one pipeline, one script call per session.
 *
 * <p>Thread-safe. A Redis that cannot be reached fails every method with SESSION_STORE_UNAVAILABLE.
 */
public final class RedisSessionStore implements SessionStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisSessionStore.class);

  private static final RedisScript CREATE =
      RedisScript.fromResources(RedisSessionStore.class, "announce.lua", "create.lua");
  private static final RedisScript TOUCH = RedisScript.fromResource(RedisSessionStore.class, "touch.lua");
  private static final RedisScript UPDATE_ATTRIBUTES =
      RedisScript.fromResources(RedisSessionStore.class, "announce.lua", "update_attributes.lua");
  private static final RedisScript REVOKE =
      RedisScript.fromResources(RedisSessionStore.class, "announce.lua", "revoke.lua");

  private static final Pattern META = Pattern.compile("^([AKR])\\|(\\d+)\\|(\\d+)\\|(\\d+)$");

  /** Session ids may not hold '.', which separates record chunks, nor spaces, which separate event fields. */
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern USER_ID = Pattern.compile("[^\\s{}]{1,128}");

  /** Largest chunk of a stored record; below Redis's default hash-max-listpack-value of 64. */
  static final int CHUNK_BYTES = 60;

  /** Most chunks a record may take: records are at most {@code 60 * 32 = 1920} bytes. */
  static final int MAX_CHUNKS = 32;

  private static final byte[] MAX_CHUNKS_ARG = bytes(Integer.toString(MAX_CHUNKS));

  /** Compare-and-set attempts of an attribute change before giving up with ABORTED. */
  private static final int MAX_UPDATE_ATTEMPTS = 12;

  private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
  private static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
  private static final AttributeKey<Long> DB_BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final Clock clock;
  private final SessionPolicy policy;
  private final SessionRecordCodec codec;
  private final String prefix;
  private final RedisSessionEvents events;
  private final boolean ownsClient;
  private final Tracer tracer;
  private final Object pipelineLock = new Object();
  private ExecutorService pipelineExecutor;

  private RedisSessionStore(Builder builder) {
    this.jedis = builder.jedis;
    this.redis = new RedisCalls(jedis, ErrorReason.SESSION_STORE_UNAVAILABLE, "session store");
    this.clock = builder.clock;
    this.policy = builder.policy;
    this.codec = builder.codec;
    this.prefix = builder.prefix;
    this.ownsClient = builder.ownsClient;
    this.tracer = builder.openTelemetry.getTracer("io.parley.session");
    this.events = new RedisSessionEvents(jedis, redis, this::pipeline, prefix, this::key);
  }

  /** Starts a store on {@code jedis}; the store does not close a client it did not create. */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(jedis, false);
  }

  /** Starts a store on a new client for {@code url} (see {@link io.parley.redis.RedisClients}), closed with the store. */
  public static Builder builder(String url) {
    return new Builder(io.parley.redis.RedisClients.create(url), true);
  }

  /** Waits until the events of every session are heard; for tests and start-up checks. */
  public boolean awaitEvents(java.time.Duration timeout) throws InterruptedException {
    return events.await(timeout);
  }

  /** Whether the events of each user's sessions are heard, and since when. */
  EventEpochs eventEpochs() {
    return events.epochs();
  }

  @Override
  public List<String> create(SessionRecord record, TerminalPolicy terminalPolicy) {
    requireNonNull(record, "record");
    requireNonNull(terminalPolicy, "terminalPolicy");
    if (!SESSION_ID.matcher(record.getSessionId()).matches()) {
      throw new IllegalArgumentException("session ids are 1-64 of [A-Za-z0-9_-]: '" + record.getSessionId() + "'");
    }
    if (!USER_ID.matcher(record.getUserId()).matches()) {
      throw new IllegalArgumentException("user ids are 1-128 characters without spaces or braces");
    }
    String userId = record.getUserId();
    long now = clock.millis();
    long expires = StoredSession.expiresAt(record, Instant.ofEpochMilli(now)).toEpochMilli();
    if (expires <= now) {
      throw new IllegalArgumentException("session " + record.getSessionId() + " would expire at once");
    }
    List<byte[]> args = new ArrayList<>(List.of(
        bytes(record.getSessionId()),
        bytes(Integer.toString(record.getTerminal())),
        bytes(Long.toString(now)),
        bytes(Long.toString(expires)),
        bytes(switch (terminalPolicy) {
          case PER_TERMINAL -> "T";
          case SINGLE -> "S";
          case UNLIMITED -> "U";
        }),
        bytes(Long.toString(policy.endedRetention().toMillis())),
        bytes(Integer.toString(policy.maxSessionsPerUser())),
        events.channel(userId),
        bytes(userId),
        MAX_CHUNKS_ARG,
        events.publishCommand()));
    args.addAll(chunks(codec.encode(record)));
    Object reply = redis.write(() -> CREATE.run(jedis, List.of(key(userId), events.counterKey(userId)), args));
    return strings(reply);
  }

  /** Traced: a client span {@code HMGET}, as every read of sessions from Redis. */
  @Override
  public Optional<StoredSession> find(String userId, String sessionId) {
    Raw raw = traced(1, () -> readRaw(userId, sessionId));
    return raw == null ? Optional.empty() : Optional.of(toStoredSession(userId, sessionId, raw.record, raw.meta));
  }

  /** Runs a read of {@code sessions} sessions in a client span, which records its failure. */
  private <T> T traced(int sessions, Supplier<T> read) {
    Span span = tracer.spanBuilder("HMGET").setSpanKind(SpanKind.CLIENT)
        .setAttribute(DB_SYSTEM, "redis")
        .setAttribute(DB_OPERATION, "HMGET")
        .startSpan();
    if (sessions > 1) {
      span.setAttribute(DB_BATCH_SIZE, (long) sessions);
    }
    try (Scope ignored = span.makeCurrent()) {
      return read.get();
    } catch (RuntimeException e) {
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * Pipelined: one round trip (per cluster node) for every session asked. Not retried (the caller
   * reads in the background, and a failed read only lets entries expire); while Redis Cluster
   * moves slots, which pipelines do not follow, the sessions are read one by one instead, which
   * follows the move and renews the client's slot map.
   */
  @Override
  public List<Optional<StoredSession>> findAll(List<SessionKey> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    List<List<byte[]>> replies;
    try {
      replies = traced(keys.size(), () -> redis.write(() -> {
        try (AbstractPipeline pipeline = pipeline()) {
          List<Response<List<byte[]>>> responses = new ArrayList<>(keys.size());
          for (SessionKey key : keys) {
            responses.add(pipeline.hmget(key(key.userId()), fields(key.sessionId())));
          }
          pipeline.sync();
          List<List<byte[]>> values = new ArrayList<>(responses.size());
          for (Response<List<byte[]>> response : responses) {
            values.add(reply(response));
          }
          return values;
        }
      }));
    } catch (SlotsMoving e) {
      logger.debug("cluster slots are moving ({}): reading {} session(s) one by one", e.getMessage(), keys.size());
      return SessionStore.super.findAll(keys);
    }
    List<Optional<StoredSession>> found = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      SessionKey key = keys.get(i);
      Raw raw = raw(replies.get(i));
      found.add(raw == null ? Optional.empty()
          : Optional.of(toStoredSession(key.userId(), key.sessionId(), raw.record, raw.meta)));
    }
    return found;
  }

  /** The reply of a pipelined command ({@link RedisCalls#pipelinedReply}); MOVED or ASK: the slot is moving. */
  private static <T> T reply(Response<T> response) {
    try {
      return RedisCalls.pipelinedReply(response);
    } catch (JedisRedirectionException e) {
      throw new SlotsMoving(e);
    }
  }

  /** A pipelined reply redirected to another cluster node. */
  private static final class SlotsMoving extends RuntimeException {
    SlotsMoving(JedisRedirectionException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /** A session's meta line and record bytes (null if it has none), as stored; null if unknown. */
  private Raw readRaw(String userId, String sessionId) {
    return raw(redis.read(() -> jedis.hmget(key(userId), fields(sessionId))));
  }

  /** The hash fields of a session: its meta line, then its record's chunks. */
  private static byte[][] fields(String sessionId) {
    byte[][] fields = new byte[MAX_CHUNKS + 1][];
    fields[0] = bytes(sessionId);
    for (int i = 0; i < MAX_CHUNKS; i++) {
      fields[i + 1] = bytes(sessionId + "." + i);
    }
    return fields;
  }

  private static Raw raw(List<byte[]> values) {
    byte[] meta = values.get(0);
    return meta == null ? null : new Raw(new String(meta, UTF_8), join(values.subList(1, values.size())));
  }

  /** The threads a cluster pipeline reads its nodes' replies on, made at first use. */
  private ExecutorService pipelineExecutor() {
    synchronized (pipelineLock) {
      if (pipelineExecutor == null) {
        pipelineExecutor = Executors.newFixedThreadPool(2, r -> {
          Thread thread = new Thread(r, "parley-session-pipeline");
          thread.setDaemon(true);
          return thread;
        });
      }
      return pipelineExecutor;
    }
  }

  private record Raw(String meta, byte[] record) {}

  @Override
  public Optional<StoredSession> touch(StoredSession session) {
    long now = clock.millis();
    List<byte[]> args = touchArgs(session, now, 1);
    Object reply = redis.write(() -> TOUCH.run(jedis, List.of(key(session.userId())), args));
    return touched(session, reply, now);
  }

  /**
   * One pipeline (one round trip per cluster node): a script call per session, which writes only if
   * the session's recorded activity is at least the policy's touch interval older than {@code at}.
   * Not retried; a script whose slot moved meanwhile runs again by itself.
   */
  @Override
  public List<Optional<StoredSession>> touchAll(List<StoredSession> sessions, Instant at) {
    if (sessions.isEmpty()) {
      return List.of();
    }
    long atMillis = at.toEpochMilli();
    long step = Math.max(1, policy.touchInterval().toMillis());
    List<List<byte[]>> keys = new ArrayList<>(sessions.size());
    List<List<byte[]>> args = new ArrayList<>(sessions.size());
    for (StoredSession session : sessions) {
      keys.add(List.of(key(session.userId())));
      args.add(touchArgs(session, atMillis, step));
    }
    List<Object> replies = redis.write(() -> {
      try (AbstractPipeline pipeline = pipeline()) {
        List<Response<Object>> responses = new ArrayList<>(sessions.size());
        for (int i = 0; i < sessions.size(); i++) {
          responses.add(TOUCH.queue(pipeline, keys.get(i), args.get(i)));
        }
        pipeline.sync();
        List<Object> values = new ArrayList<>(responses.size());
        for (int i = 0; i < responses.size(); i++) {
          values.add(TOUCH.reply(responses.get(i), jedis, keys.get(i), args.get(i)));
        }
        return values;
      }
    });
    List<Optional<StoredSession>> touched = new ArrayList<>(sessions.size());
    for (int i = 0; i < sessions.size(); i++) {
      touched.add(touched(sessions.get(i), replies.get(i), atMillis));
    }
    return touched;
  }

  private List<byte[]> touchArgs(StoredSession session, long at, long step) {
    long expires = StoredSession.expiresAt(session.record(), Instant.ofEpochMilli(at)).toEpochMilli();
    return List.of(
        bytes(session.sessionId()),
        bytes(Long.toString(at)),
        bytes(Long.toString(expires)),
        bytes(Long.toString(policy.endedRetention().toMillis())),
        bytes(Long.toString(step)));
  }

  /** The session as the touch script left it, from its reply (the meta line, or null). */
  private static Optional<StoredSession> touched(StoredSession session, Object reply, long at) {
    if (reply == null) {
      return Optional.empty();
    }
    Meta meta = Meta.parse(new String((byte[]) reply, UTF_8), session.sessionId());
    SessionRecord record = meta.state == SessionState.ACTIVE && !meta.expired(at)
        ? session.record()
        : meta.stub(session.userId(), session.sessionId());
    return Optional.of(meta.toStoredSession(record));
  }

  /** A pipeline on this store's client; on a Cluster, one that reads its nodes' replies on a small pool. */
  private AbstractPipeline pipeline() {
    return jedis instanceof RedisClusterClient cluster ? cluster.pipelined(pipelineExecutor()) : jedis.pipelined();
  }

  @Override
  public boolean updateAttributes(String userId, String sessionId, Map<String, String> changes) {
    requireNonNull(changes, "changes");
    for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      Raw raw = readRaw(userId, sessionId);
      if (raw == null || raw.record == null) {
        return false;
      }
      StoredSession current = toStoredSession(userId, sessionId, raw.record, raw.meta);
      if (!current.isLive(clock.instant())) {
        return false;
      }
      List<byte[]> args = new ArrayList<>(List.of(bytes(sessionId), bytes(Long.toString(clock.millis())),
          MAX_CHUNKS_ARG, events.channel(userId), bytes(userId), events.publishCommand(), raw.record));
      args.addAll(chunks(codec.encode(SessionAttributes.apply(current.record(), changes))));
      List<byte[]> keys = List.of(key(userId), events.counterKey(userId));
      Object reply = redis.write(() -> UPDATE_ATTRIBUTES.run(jedis, keys, args));
      if (!Long.valueOf(-1).equals(reply)) {
        return Long.valueOf(1).equals(reply);
      }
      backOff(attempt);
    }
    throw ParleyException.builder(ErrorReason.ABORTED)
        .message("session attributes changed concurrently too often, retry")
        .build();
  }

  @Override
  public List<StoredSession> listLive(String userId) {
    Map<byte[], byte[]> all = redis.read(() -> jedis.hgetAll(key(userId)));
    Map<String, byte[]> byField = new java.util.HashMap<>();
    all.forEach((f, v) -> byField.put(new String(f, UTF_8), v));
    Instant now = clock.instant();
    List<StoredSession> live = new ArrayList<>();
    byField.forEach((field, value) -> {
      if (field.indexOf('.') < 0) {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < MAX_CHUNKS && byField.containsKey(field + "." + i); i++) {
          chunks.add(byField.get(field + "." + i));
        }
        StoredSession s = toStoredSession(userId, field, join(chunks), new String(value, UTF_8));
        if (s.isLive(now)) {
          live.add(s);
        }
      }
    });
    live.sort(Comparator.comparingLong((StoredSession s) -> s.record().getCreateTimeMs()).reversed());
    return live;
  }

  @Override
  public boolean revoke(String userId, String sessionId) {
    return !runRevoke("one", userId, sessionId).isEmpty();
  }

  @Override
  public List<String> revokeAllExcept(String userId, String keepSessionId) {
    return runRevoke("all-but", userId, keepSessionId == null ? "" : keepSessionId);
  }

  private List<String> runRevoke(String mode, String userId, String sessionId) {
    Object reply = redis.write(() -> REVOKE.run(jedis, List.of(key(userId), events.counterKey(userId)), List.of(
        bytes(mode),
        bytes(sessionId),
        bytes(Long.toString(clock.millis())),
        bytes(Long.toString(policy.endedRetention().toMillis())),
        events.channel(userId),
        bytes(userId),
        MAX_CHUNKS_ARG,
        events.publishCommand())));
    return strings(reply);
  }

  @Override
  public void addListener(SessionListener listener) {
    events.addListener(requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(SessionListener listener) {
    events.removeListener(listener);
  }

  @Override
  public void close() {
    events.close();
    synchronized (pipelineLock) {
      if (pipelineExecutor != null) {
        pipelineExecutor.shutdown();
      }
    }
    if (ownsClient) {
      jedis.close();
    }
  }

  private byte[] key(String userId) {
    return bytes(prefix + "{" + userId + "}");
  }

  private StoredSession toStoredSession(String userId, String sessionId, byte[] recordBytes, String metaLine) {
    Meta meta = Meta.parse(metaLine, sessionId);
    SessionRecord record = meta.state == SessionState.ACTIVE && recordBytes != null
        ? SessionRecordCodec.decode(recordBytes, userId, sessionId).toBuilder().setTerminal(meta.terminal).build()
        : meta.stub(userId, sessionId);
    return meta.toStoredSession(record);
  }

  /** A short random pause after losing a compare-and-set, so that contenders spread out. */
  private static void backOff(int attempt) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 2L + attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ParleyException.builder(ErrorReason.ABORTED).message("interrupted, retry").build();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** The stored form split into chunks of at most {@link #CHUNK_BYTES}. */
  static List<byte[]> chunks(byte[] record) {
    if (record.length > CHUNK_BYTES * MAX_CHUNKS) {
      throw new IllegalArgumentException("a session record of " + record.length + " bytes exceeds "
          + CHUNK_BYTES * MAX_CHUNKS + "; keep session attributes to what every call needs");
    }
    List<byte[]> chunks = new ArrayList<>();
    for (int from = 0; from < record.length; from += CHUNK_BYTES) {
      chunks.add(java.util.Arrays.copyOfRange(record, from, Math.min(record.length, from + CHUNK_BYTES)));
    }
    if (chunks.isEmpty()) {
      chunks.add(new byte[0]);
    }
    return chunks;
  }

  /** The record from its chunks, in order up to the first missing one; null if there is none. */
  private static byte[] join(List<byte[]> chunks) {
    int length = 0;
    int count = 0;
    for (byte[] chunk : chunks) {
      if (chunk == null) {
        break;
      }
      length += chunk.length;
      count++;
    }
    if (count == 0) {
      return null;
    }
    byte[] record = new byte[length];
    int at = 0;
    for (int i = 0; i < count; i++) {
      System.arraycopy(chunks.get(i), 0, record, at, chunks.get(i).length);
      at += chunks.get(i).length;
    }
    return record;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object reply) {
    if (reply == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object item : (List<Object>) reply) {
      out.add(new String((byte[]) item, UTF_8));
    }
    return out;
  }

  /**
   * The parsed meta line of one session: ACTIVE {@code A|terminal|lastAccess|expiresAt}, ended
   * {@code K|terminal|endedAt|purgeAt} or {@code R|...}.
   */
  private record Meta(SessionState state, int terminal, long a, long b) {
    static Meta parse(String line, String sessionId) {
      Matcher m = META.matcher(line);
      if (!m.matches()) {
        throw new IllegalStateException("corrupt session meta for session " + sessionId);
      }
      return new Meta(SessionState.fromCode(m.group(1).charAt(0)), Integer.parseInt(m.group(2)),
          Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
    }

    boolean expired(long now) {
      return state == SessionState.ACTIVE && now >= b;
    }

    /**
     * The record of a session whose record bytes are gone (ended, or expired): ids and terminal,
     * and limits that reproduce the stored expiry.
     */
    SessionRecord stub(String userId, String sessionId) {
      SessionRecord.Builder stub = SessionRecord.newBuilder()
          .setUserId(userId)
          .setSessionId(sessionId)
          .setTerminal(terminal);
      if (state == SessionState.ACTIVE) {
        stub.setMaxInactiveMs(Math.max(0, b - a)).setAbsoluteExpireTimeMs(b);
      }
      return stub.build();
    }

    /** For an ended session, its last access is unknown: the time it ended stands in. */
    StoredSession toStoredSession(SessionRecord record) {
      return state == SessionState.ACTIVE
          ? new StoredSession(record, state, Instant.ofEpochMilli(a), null)
          : new StoredSession(record, state, Instant.ofEpochMilli(a), Instant.ofEpochMilli(a));
    }
  }

  /** Builds a {@link RedisSessionStore}. Not thread-safe. */
  public static final class Builder {
    private final UnifiedJedis jedis;
    private final boolean ownsClient;
    private Clock clock = Clock.systemUTC();
    private SessionPolicy policy = SessionPolicy.defaults();
    private SessionRecordCodec codec = SessionRecordCodec.PROTOBUF;
    private String prefix = "parley:sess:";
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();

    private Builder(UnifiedJedis jedis, boolean ownsClient) {
      this.jedis = requireNonNull(jedis, "jedis");
      this.ownsClient = ownsClient;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public Builder policy(SessionPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    public Builder codec(SessionRecordCodec codec) {
      this.codec = requireNonNull(codec, "codec");
      return this;
    }

    /** The prefix of every key and of the event channels; {@code "parley:sess:"} by default. */
    public Builder prefix(String prefix) {
      requireNonNull(prefix, "prefix");
      if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}") || prefix.contains(" ")) {
        throw new IllegalArgumentException("prefix must be non-empty, without braces or spaces: '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /** Where the spans of session reads go; {@link OpenTelemetry#noop()} (the default) for none. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    public RedisSessionStore build() {
      return new RedisSessionStore(this);
    }
  }
}
