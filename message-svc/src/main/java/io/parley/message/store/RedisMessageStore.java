package io.parley.message.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.v1.Message;
import io.parley.redis.RedisCalls;
import io.parley.redis.RedisScript;
import io.parley.redis.RedisSubscriber;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ZAddParams;

/**
 * A {@link MessageStore} on Redis through jedis, standalone or Cluster alike.
 *
 * <p>Layout ({@link RedisKeys}): per conversation, under its hash tag, a meta hash (last seq,
 * last time, first retained seq), a hash of messages by seq, a sorted set of seqs by server time,
 * a hash of read seqs, per user a sorted set of own seqs beyond the read seq, and per (sender,
 * client_msg_id) a remembered send. Per user, under the user's tag, a sorted set of private
 * conversations by activity and a set of group ids. A group message writes nothing per member.
 *
 * <p>Appends go through one writer thread that pipelines whatever is waiting (up to 256 at a
 * time): each is one {@code append.lua} call, which checks idempotency, assigns the seq and a
 * monotonic server time, stores the message, updates the sender's read state, applies retention
 * and {@code PUBLISH}es the event, all in the conversation's slot; then a second pipeline moves
 * both participants' private index ({@code ZADD GT}, also for a repeated send, which repairs an
 * index update lost to a failure). So a burst of N sends costs two round trips, not 2N.
 *
 * <p>Messages are stored as the protobuf {@code Message}: Java encodes everything but the seq and
 * the server time, and the script appends those two fields to the encoding (protobuf parses
 * appended fields as set). The event published is the {@link StoreEvent} wire form, so replicas
 * parse it once and push it as is.
 *
 * <p>Live events reach every replica on one pub/sub channel, {@code <prefix>events}, through one
 * {@link RedisSubscriber} per replica. Thread-safe.
 */
public final class RedisMessageStore implements MessageStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisMessageStore.class);

  private static final RedisScript APPEND = RedisScript.fromResource(RedisMessageStore.class, "append.lua");
  private static final RedisScript READ = RedisScript.fromResource(RedisMessageStore.class, "read.lua");
  private static final RedisScript SUMMARY = RedisScript.fromResource(RedisMessageStore.class, "summary.lua");
  private static final RedisScript MARK_READ = RedisScript.fromResource(RedisMessageStore.class, "mark_read.lua");
  private static final RedisScript REPLACE = RedisScript.fromResource(RedisMessageStore.class, "replace.lua");
  private static final RedisScript SEQ_AT = RedisScript.fromResource(RedisMessageStore.class, "seq_at.lua");
  private static final RedisScript CONVERSATION_PAGE = RedisScript.fromResource(RedisMessageStore.class, "conversation_page.lua");

  private static final int MAX_BATCH = 256;

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final Clock clock;
  private final Retention retention;
  private final RedisKeys keys;
  private final byte[] channel;
  private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
  private final RedisSubscriber subscriber;
  private final ExecutorService pipelineExecutor;
  private final BlockingQueue<PendingAppend> appends = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean listening;
  private volatile boolean open = true;

  /**
   * A store on {@code jedis} (not closed with the store) with keys under {@code prefix}.
   *
   * @param prefix e.g. {@code "parley:msg:"}
   */
  public RedisMessageStore(UnifiedJedis jedis, Clock clock, Retention retention, String prefix) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = new RedisCalls(jedis, ErrorReason.STORE_UNAVAILABLE, "message store");
    this.clock = requireNonNull(clock, "clock");
    this.retention = requireNonNull(retention, "retention");
    this.keys = new RedisKeys(requireNonNull(prefix, "prefix"));
    this.channel = keys.channel().getBytes(UTF_8);
    this.pipelineExecutor = jedis instanceof RedisClusterClient
        ? Executors.newFixedThreadPool(3, daemon("parley-msg-pipeline"))
        : null;
    this.subscriber = new RedisSubscriber(jedis, List.of(keys.channel()), new EventHandler(), "parley-msg-events");
    this.writer = new Thread(this::writeLoop, "parley-msg-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  @Override
  public CompletableFuture<Appended> append(Draft draft) {
    requireNonNull(draft, "draft");
    CompletableFuture<Appended> future = new CompletableFuture<>();
    if (!open) {
      future.completeExceptionally(shuttingDown());
      return future;
    }
    ConversationId conversation = draft.conversation();
    List<byte[]> scriptKeys = List.of(
        keys.meta(conversation),
        keys.messages(conversation),
        keys.times(conversation),
        keys.sent(conversation, draft.senderId(), draft.clientMsgId()),
        keys.reads(conversation),
        keys.own(conversation, draft.senderId()));
    List<byte[]> args = List.of(
        draft.message().toByteArray(),
        bytes(draft.message().getMessageId()),
        bytes(draft.senderId()),
        bytes(draft.nowMillis()),
        bytes(retention.maxCount()),
        bytes(retention.maxAge().toMillis()),
        bytes(retention.idempotencyWindow().toMillis()),
        channel,
        StoreEvent.header(draft.originSessionId(), ""));
    appends.add(new PendingAppend(draft, scriptKeys, args, future));
    if (!open) {
      drainOnClose();
    }
    return future;
  }

  @Override
  public Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId) {
    byte[] value = redis.read(() -> jedis.get(keys.sent(conversation, senderId, clientMsgId)));
    if (value == null) {
      return Optional.empty();
    }
    String[] parts = new String(value, UTF_8).split(":", 3);
    return Optional.of(new Appended(parts[2], Long.parseLong(parts[0]), Long.parseLong(parts[1]), true));
  }

  @Override
  public MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long floorSeq) {
    return read(conversation, "after", afterSeq, limit, floorSeq);
  }

  @Override
  public MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long floorSeq) {
    return read(conversation, "before", beforeSeq, limit, floorSeq);
  }

  private MessageSlice read(ConversationId conversation, String direction, long anchor, int limit, long floorSeq) {
    checkLimit(limit);
    List<?> reply = (List<?>) redis.read(() -> READ.run(jedis,
        List.of(keys.meta(conversation), keys.messages(conversation), keys.times(conversation)),
        List.of(bytes(direction), bytes(anchor), bytes(limit), bytes(Math.max(1, floorSeq)), bytes(cutoff()))));
    List<Message> messages = new ArrayList<>(reply.size() - 2);
    for (int i = 2; i < reply.size(); i++) {
      messages.add(parse((byte[]) reply.get(i)));
    }
    return new MessageSlice(messages, (Long) reply.get(1) == 1L, (Long) reply.get(0));
  }

  @Override
  public Optional<Message> find(ConversationId conversation, long seq) {
    byte[] value = redis.read(() -> jedis.hget(keys.messages(conversation), bytes(seq)));
    if (value == null) {
      return Optional.empty();
    }
    Message message = parse(value);
    return message.getServerTime().getSeconds() * 1000 + message.getServerTime().getNanos() / 1_000_000 < cutoff()
        ? Optional.empty()
        : Optional.of(message);
  }

  @Override
  public boolean replace(ConversationId conversation, Message expected, Message tombstone, StoreEvent recall) {
    byte[] field = bytes(expected.getSeq());
    byte[] stored = redis.read(() -> jedis.hget(keys.messages(conversation), field));
    if (stored == null || !parse(stored).equals(expected)) {
      return false;
    }
    // The stored encoding is compared byte for byte in the script: it is the raw value just read.
    Object reply = redis.write(() -> REPLACE.run(jedis, List.of(keys.messages(conversation)),
        List.of(field, stored, tombstone.toByteArray(), channel, recall.encode())));
    return Long.valueOf(1).equals(reply);
  }

  @Override
  public ReadState markRead(ConversationId conversation, String userId, long seq, long floorSeq) {
    List<?> reply = (List<?>) redis.write(() -> MARK_READ.run(jedis,
        List.of(keys.meta(conversation), keys.times(conversation), keys.reads(conversation),
            keys.own(conversation, userId)),
        List.of(bytes(userId), bytes(seq), bytes(Math.max(1, floorSeq)), bytes(cutoff()))));
    return new ReadState((Long) reply.get(0), (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3) == 1L);
  }

  @Override
  public List<ConversationSummary> summaries(String userId, List<SummaryQuery> queries) {
    requireNonNull(userId, "userId");
    if (queries.isEmpty()) {
      return List.of();
    }
    byte[] user = bytes(userId);
    byte[] cutoff = bytes(cutoff());
    List<List<byte[]>> allKeys = new ArrayList<>(queries.size());
    List<List<byte[]>> allArgs = new ArrayList<>(queries.size());
    for (SummaryQuery query : queries) {
      ConversationId c = query.conversation();
      allKeys.add(List.of(keys.meta(c), keys.messages(c), keys.times(c), keys.reads(c), keys.own(c, userId)));
      allArgs.add(List.of(user, bytes(query.floorSeq()), cutoff));
    }
    List<Object> replies = redis.read(() -> pipelineScripts(SUMMARY, allKeys, allArgs));
    List<ConversationSummary> summaries = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      List<?> reply = (List<?>) replies.get(i);
      Object last = reply.get(4);
      summaries.add(new ConversationSummary(queries.get(i).conversation(), (Long) reply.get(0), (Long) reply.get(1),
          (Long) reply.get(2), (Long) reply.get(3), last instanceof byte[] b ? parse(b) : null));
    }
    return summaries;
  }

  @Override
  public long firstSeqAtOrAfter(ConversationId conversation, long timeMillis) {
    return (Long) redis.read(() -> SEQ_AT.run(jedis,
        List.of(keys.meta(conversation), keys.times(conversation)), List.of(bytes(timeMillis))));
  }

  @Override
  public List<ConversationRef> privateConversations(String userId, ConversationRef after, int limit) {
    checkLimit(limit);
    List<?> reply = (List<?>) redis.read(() -> CONVERSATION_PAGE.run(jedis, List.of(keys.privateIndex(userId)),
        List.of(after == null ? bytes("+inf") : bytes(after.activityMillis()),
            after == null ? new byte[0] : bytes(after.conversation().value()),
            bytes(limit))));
    List<ConversationRef> refs = new ArrayList<>(reply.size() / 2);
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      String id = new String((byte[]) reply.get(i), UTF_8);
      long activity = (long) Double.parseDouble(new String((byte[]) reply.get(i + 1), UTF_8));
      ConversationId.parse(id).ifPresentOrElse(
          c -> refs.add(new ConversationRef(c, activity)),
          () -> logger.warn("ignoring malformed conversation id {} in the index of {}", id, userId));
    }
    return refs;
  }

  @Override
  public Set<String> groupIds(String userId) {
    Set<byte[]> members = redis.read(() -> jedis.smembers(keys.groups(userId)));
    Set<String> ids = new HashSet<>(members.size() * 2);
    members.forEach(m -> ids.add(new String(m, UTF_8)));
    return ids;
  }

  @Override
  public void addGroupMembers(String groupId, Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return;
    }
    byte[] group = bytes(groupId);
    redis.write(() -> {
      try (AbstractPipeline pipeline = pipelined()) {
        for (String userId : userIds) {
          pipeline.sadd(keys.groups(userId), group);
        }
        pipeline.sync();
      }
      return null;
    });
  }

  @Override
  public void removeGroup(String userId, String groupId) {
    redis.write(() -> jedis.srem(keys.groups(userId), bytes(groupId)));
  }

  @Override
  public void publish(StoreEvent event) {
    redis.write(() -> jedis.publish(channel, event.encode()));
  }

  @Override
  public void addListener(StoreListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public boolean isListening() {
    return listening;
  }

  @Override
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    return subscriber.awaitConnected(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops listening, lets the batch being written finish (the writer is never interrupted: jedis
   * abandons a cluster pipeline's replies when its thread is interrupted), then fails appends still
   * waiting with SERVER_BUSY.
   */
  @Override
  public void close() {
    open = false;
    subscriber.close();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainOnClose();
    if (pipelineExecutor != null) {
      pipelineExecutor.shutdown();
    }
  }

  // --- the writer -------------------------------------------------------------------------------

  private record PendingAppend(Draft draft, List<byte[]> keys, List<byte[]> args, CompletableFuture<Appended> future) {}

  private void writeLoop() {
    List<PendingAppend> batch = new ArrayList<>(MAX_BATCH);
    while (open) {
      try {
        PendingAppend first = appends.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        appends.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException e) {
        logger.error("append batch failed unexpectedly", e);
        batch.forEach(p -> p.future().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }

  private void writeBatch(List<PendingAppend> batch) {
    List<Object> replies;
    try {
      replies = redis.write(() -> pipelineScripts(APPEND,
          batch.stream().map(PendingAppend::keys).toList(), batch.stream().map(PendingAppend::args).toList()));
    } catch (RuntimeException e) {
      batch.forEach(p -> p.future().completeExceptionally(e));
      return;
    }
    Appended[] results = new Appended[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Object reply = replies.get(i);
      if (reply instanceof RuntimeException e) {
        batch.get(i).future().completeExceptionally(e);
        continue;
      }
      List<?> values = (List<?>) reply;
      boolean duplicate = (Long) values.get(0) == 1L;
      String messageId = duplicate ? new String((byte[]) values.get(3), UTF_8) : batch.get(i).draft().message().getMessageId();
      results[i] = new Appended(messageId, (Long) values.get(1), (Long) values.get(2), duplicate);
    }
    try {
      redis.write(() -> {
        try (AbstractPipeline pipeline = pipelined()) {
          ZAddParams newer = ZAddParams.zAddParams().gt();
          boolean any = false;
          for (int i = 0; i < results.length; i++) {
            ConversationId conversation = batch.get(i).draft().conversation();
            if (results[i] != null && !conversation.isGroup()) {
              byte[] member = bytes(conversation.value());
              pipeline.zadd(keys.privateIndex(conversation.firstUser()), results[i].serverTimeMillis(), member, newer);
              pipeline.zadd(keys.privateIndex(conversation.secondUser()), results[i].serverTimeMillis(), member, newer);
              any = true;
            }
          }
          if (any) {
            pipeline.sync();
          }
        }
        return null;
      });
    } catch (RuntimeException e) {
      for (int i = 0; i < results.length; i++) {
        if (results[i] != null) {
          batch.get(i).future().completeExceptionally(e);
        }
      }
      return;
    }
    for (int i = 0; i < results.length; i++) {
      if (results[i] != null) {
        batch.get(i).future().complete(results[i]);
      }
    }
  }

  /**
   * Runs {@code script} once per key and argument list on one pipeline. Each reply is what the
   * script returned, or the {@link IllegalStateException} of a script that failed.
   */
  private List<Object> pipelineScripts(RedisScript script, List<List<byte[]>> allKeys, List<List<byte[]>> allArgs) {
    List<Object> replies = new ArrayList<>(allKeys.size());
    try (AbstractPipeline pipeline = pipelined()) {
      List<Response<Object>> responses = new ArrayList<>(allKeys.size());
      for (int i = 0; i < allKeys.size(); i++) {
        responses.add(script.queue(pipeline, allKeys.get(i), allArgs.get(i)));
      }
      pipeline.sync();
      for (int i = 0; i < responses.size(); i++) {
        try {
          replies.add(script.reply(responses.get(i), jedis, allKeys.get(i), allArgs.get(i)));
        } catch (JedisDataException e) {
          replies.add(new IllegalStateException("message store rejected " + script + ": " + e.getMessage(), e));
        }
      }
    }
    return replies;
  }

  private AbstractPipeline pipelined() {
    return jedis instanceof RedisClusterClient cluster ? cluster.pipelined(pipelineExecutor) : jedis.pipelined();
  }

  private void drainOnClose() {
    PendingAppend pending;
    while ((pending = appends.poll()) != null) {
      pending.future().completeExceptionally(shuttingDown());
    }
  }

  private static ParleyException shuttingDown() {
    return ParleyException.builder(ErrorReason.SERVER_BUSY).message("server shutting down, retry").build();
  }

  // --- helpers ----------------------------------------------------------------------------------

  private long cutoff() {
    return clock.millis() - retention.maxAge().toMillis();
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
  }

  private static Message parse(byte[] bytes) {
    try {
      return Message.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt stored message", e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] bytes(long n) {
    return Long.toString(n).getBytes(UTF_8);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private final class EventHandler implements RedisSubscriber.Handler {
    @Override
    public void message(String channelName, byte[] payload) {
      StoreEvent event;
      try {
        event = StoreEvent.decode(payload);
      } catch (IllegalArgumentException e) {
        logger.warn("ignoring a malformed event on {}: {}", channelName, e.getMessage());
        return;
      }
      for (StoreListener listener : listeners) {
        try {
          listener.event(event);
        } catch (RuntimeException e) {
          logger.error("message event listener failed", e);
        }
      }
    }

    @Override
    public void connected() {
      listening = true;
      logger.info("message events subscribed on {}", keys.channel());
      listeners.forEach(StoreListener::resumed);
    }

    @Override
    public void disconnected() {
      listening = false;
      if (!open) {
        return;
      }
      logger.warn("message events interrupted on {}", keys.channel());
      listeners.forEach(StoreListener::interrupted);
    }
  }
}
