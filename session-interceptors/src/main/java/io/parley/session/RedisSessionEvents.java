package io.parley.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.redis.RedisCalls;
import io.parley.redis.RedisSubscriber;
import io.parley.redis.ShardedRedisSubscriber;
import io.parley.redis.SlotTags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.params.SetParams;

/**
 * The event channel of a {@link RedisSessionStore}: what its scripts publish on, every replica's
 * events heard, and, hash slot by hash slot, whether they are heard ({@link EventEpochs}; a slot is
 * that of the user's hash).
 *
 * <p>On a standalone Redis the events go on one channel, {@code <prefix>events}; on a Cluster on one
 * sharded channel per slot ({@link ShardedRedisSubscriber}). Either way every slot has a change
 * counter, {@code <prefix>changes{<tag>}}, which the script that publishes an event increments,
 * and the event carries its new value: the events of a slot form a sequence. A replica that finds a
 * hole in a slot's sequence, while heard, drops the slot's entries ({@link EventEpochs#invalidate});
 * one whose channel came back reads the counters of the slots concerned and keeps the entries of
 * every slot whose counter did not move past what it heard ({@link EventEpochs#resumed}): a
 * reconnection drops only what a missed event could have made stale. Counters start from a random
 * base set by the first replica that reads them, and a script publishes 0 for a slot without one:
 * so a Redis that lost its data (restarted without persistence) reads as a change everywhere, never
 * as "nothing missed".
 *
 * <p>A Redis that loses its data without dropping a connection ({@code FLUSHALL}, {@code
 * FLUSHDB}) publishes nothing, so it is watched for: every {@value #SENTINEL_PROBE_MILLIS} ms a
 * replica reads sentinel keys, {@code <prefix>alive{<tag>}} (one on a standalone Redis, {@value
 * #CLUSTER_SENTINELS} spread over the slots on a Cluster), each holding a random value that the
 * first replica to find it missing sets. A sentinel that is gone or changed means the session keys
 * may be gone too: every slot is then treated as a lost subscription, whose counters are read
 * again, so every cached session is read from Redis again and a flushed one is refused — flushing
 * Redis logs users out within seconds. That costs a replica one command per sentinel per probe,
 * whatever the number of sessions and calls.
 *
 * <p>Callbacks of the subscriptions run on their threads; the counters and sentinels are read on a
 * thread of this class, again later while Redis cannot be reached. Thread-safe.
 */
final class RedisSessionEvents implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RedisSessionEvents.class);
  private static final long RETRY_MILLIS = 500;
  private static final SetParams CREATE = SetParams.setParams().nx();
  /** Counters read in one round trip at most. */
  private static final int COUNTER_BATCH = 1024;
  static final long SENTINEL_PROBE_MILLIS = 5000;
  static final int CLUSTER_SENTINELS = 16;

  private final UnifiedJedis jedis;
  private final RedisCalls redis;
  private final Supplier<AbstractPipeline> pipelines;
  private final Function<String, byte[]> userKey;
  /** The event channel of a standalone Redis; null on a Cluster. */
  private final String channel;
  /** The sharded event channel of each hash slot on a Cluster; null on a standalone Redis. */
  private final List<String> slotChannels;
  private final byte[] publish;
  private final byte[][] counterKeys = new byte[SlotTags.SLOTS][];
  private final EventEpochs epochs = new EventEpochs(SlotTags.SLOTS, this::slot, false);
  /** The last counter of each slot heard in sequence, or -1 if events of the slot were missed since. */
  private final AtomicLongArray last = new AtomicLongArray(SlotTags.SLOTS);
  /** {@link #last} when the slot's subscription was last lost. */
  private final AtomicLongArray lastAtLoss = new AtomicLongArray(SlotTags.SLOTS);
  /** Losses of each slot's subscription so far. */
  private final AtomicIntegerArray losses = new AtomicIntegerArray(SlotTags.SLOTS);
  /** Slots whose subscription was confirmed and whose counter is to be read, with their losses then. */
  private final Map<Integer, Integer> unchecked = new ConcurrentHashMap<>();
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  /** Guards the transitions of {@link #epochs}, {@link #last} and what listeners are told. */
  private final Object lock = new Object();
  private final ScheduledExecutorService checker;
  /** Whether a check is scheduled and has not started yet. */
  private final AtomicBoolean checkDue = new AtomicBoolean();
  private final AutoCloseable subscriber;
  /** The sentinel keys, and the value each held when last read (null before the first read). */
  private final byte[][] sentinelKeys;
  private final byte[][] sentinelValues;
  private volatile boolean closed;

  RedisSessionEvents(UnifiedJedis jedis, RedisCalls redis, Supplier<AbstractPipeline> pipelines, String prefix,
      Function<String, byte[]> userKey) {
    this.jedis = requireNonNull(jedis, "jedis");
    this.redis = requireNonNull(redis, "redis");
    this.pipelines = requireNonNull(pipelines, "pipelines");
    this.userKey = requireNonNull(userKey, "userKey");
    for (int slot = 0; slot < SlotTags.SLOTS; slot++) {
      counterKeys[slot] = (prefix + "changes{" + SlotTags.of(slot) + "}").getBytes(UTF_8);
      last.set(slot, -1);
      lastAtLoss.set(slot, -1);
    }
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "parley-session-events-check");
      thread.setDaemon(true);
      return thread;
    });
    int sentinels = jedis instanceof RedisClusterClient ? CLUSTER_SENTINELS : 1;
    this.sentinelKeys = new byte[sentinels][];
    this.sentinelValues = new byte[sentinels][];
    for (int i = 0; i < sentinels; i++) {
      sentinelKeys[i] = (prefix + "alive{" + SlotTags.of(i * (SlotTags.SLOTS / sentinels)) + "}").getBytes(UTF_8);
    }
    // At once, so that a flush right after start is a change from a value this replica knows.
    checker.scheduleWithFixedDelay(this::probeSentinels, 0, SENTINEL_PROBE_MILLIS, TimeUnit.MILLISECONDS);
    Handler handler = new Handler();
    if (jedis instanceof RedisClusterClient cluster) {
      this.channel = null;
      this.slotChannels = ShardedRedisSubscriber.slotChannels(prefix + "events");
      this.publish = "SPUBLISH".getBytes(UTF_8);
      this.subscriber = new ShardedRedisSubscriber(cluster, slotChannels, handler, "parley-session-events");
    } else {
      this.channel = prefix + "events";
      this.slotChannels = null;
      this.publish = "PUBLISH".getBytes(UTF_8);
      this.subscriber = new RedisSubscriber(jedis, List.of(channel), handler, "parley-session-events");
    }
  }

  EventEpochs epochs() {
    return epochs;
  }

  /** The hash slot of a user's hash, whose events and counter the user's sessions share. */
  int slot(String userId) {
    return SlotTags.slotOf(userKey.apply(userId));
  }

  /** The channel the events of {@code userId}'s sessions are published on. */
  byte[] channel(String userId) {
    return (slotChannels == null ? channel : slotChannels.get(slot(userId))).getBytes(UTF_8);
  }

  /** The change counter of {@code userId}'s slot, a key in the same slot as the user's hash. */
  byte[] counterKey(String userId) {
    return counterKeys[slot(userId)];
  }

  /** How scripts publish: {@code PUBLISH} on a standalone Redis, {@code SPUBLISH} on a Cluster. */
  byte[] publishCommand() {
    return publish;
  }

  /** Waits until every slot's events are heard; false on timeout. */
  boolean await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!epochs.allHeard()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Registers a listener; it is told at once if some events are not heard now. */
  void addListener(SessionListener listener) {
    synchronized (lock) {
      listeners.add(listener);
      if (!epochs.allHeard()) {
        listener.eventsInterrupted();
      }
    }
  }

  void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
    checker.shutdownNow();
    try {
      subscriber.close();
    } catch (Exception e) {
      logger.debug("closing the session event subscription failed", e);
    }
  }

  /** An event heard: its counter extends the slot's sequence, or reveals missed events. */
  private void heard(int slot, long counter) {
    synchronized (lock) {
      long previous = last.get(slot);
      if (previous >= 0 && counter > 0 && counter <= previous + 1) {
        last.set(slot, Math.max(previous, counter));
      } else if (EventEpochs.isHeard(epochs.epoch(slot))) {
        // Events of the slot were missed (or its counter is gone): what was read so far goes.
        epochs.invalidate(slot);
        last.set(slot, counter > 0 ? counter : -1);
      } else {
        last.set(slot, -1);
      }
    }
  }

  private void lose(Collection<Integer> slots) {
    synchronized (lock) {
      boolean changed = false;
      for (int slot : slots) {
        losses.incrementAndGet(slot);
        unchecked.remove(slot);
        if (epochs.missed(slot)) {
          lastAtLoss.set(slot, last.get(slot));
          changed = true;
        }
      }
      if (changed) {
        tell(SessionListener::eventsInterrupted);
      }
      lock.notifyAll();
    }
  }

  private void confirmed(Collection<Integer> slots) {
    for (int slot : slots) {
      unchecked.put(slot, losses.get(slot));
    }
    schedule(0);
  }

  /** Schedules a check unless one is due already (it will take whatever is unchecked when it runs). */
  private void schedule(long delayMillis) {
    if (checkDue.compareAndSet(false, true)) {
      try {
        checker.schedule(this::check, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  /**
   * Reads the counters of the slots confirmed meanwhile, pipelined (a round trip per node for each
   * {@value #COUNTER_BATCH}), creating those that are missing, and lets each slot be heard again,
   * keeping its entries if its counter did not move past what was heard in sequence since before
   * the loss. While Redis cannot be reached, tries again every {@value #RETRY_MILLIS} ms.
   */
  private void check() {
    checkDue.set(false);
    Map<Integer, Integer> batch = new HashMap<>(unchecked);
    if (batch.isEmpty() || closed) {
      return;
    }
    List<Integer> slots = new ArrayList<>(batch.keySet());
    long[] counters = new long[slots.size()];
    try {
      // In pieces, so that each round trip stays well within the client's socket timeout.
      for (int from = 0; from < slots.size(); from += COUNTER_BATCH) {
        List<Integer> piece = slots.subList(from, Math.min(slots.size(), from + COUNTER_BATCH));
        System.arraycopy(readCounters(piece), 0, counters, from, piece.size());
      }
    } catch (RuntimeException e) {
      if (!closed) {
        logger.warn("cannot read the session event counters ({}); trying again in {} ms", e.getMessage(),
            RETRY_MILLIS);
        schedule(RETRY_MILLIS);
      }
      return;
    }
    synchronized (lock) {
      boolean resumed = false;
      for (int i = 0; i < slots.size(); i++) {
        int slot = slots.get(i);
        // Lost again since it was confirmed: its next confirmation is checked instead.
        if (!unchecked.remove(slot, batch.get(slot)) || losses.get(slot) != batch.get(slot)) {
          continue;
        }
        long counter = counters[i];
        long heard = last.get(slot);
        boolean nothingMissed = counter > 0 && heard >= 0 && lastAtLoss.get(slot) >= 0
            && lastAtLoss.get(slot) <= counter && counter <= heard;
        if (!nothingMissed) {
          last.set(slot, counter);
        }
        resumed |= epochs.resumed(slot, nothingMissed);
      }
      if (resumed && epochs.allHeard()) {
        tell(SessionListener::eventsResumed);
      }
      lock.notifyAll();
    }
  }

  /**
   * Reads the sentinels (creating a missing one) and, if one is gone or changed since the last
   * read, treats every slot as lost and confirmed again: their counters are read afresh and every
   * cached session is dropped. A Redis that cannot be reached is left to the subscriptions, whose
   * loss it is.
   */
  private void probeSentinels() {
    if (closed) {
      return;
    }
    byte[][] now = new byte[sentinelKeys.length][];
    try {
      redis.write(() -> {
        for (int i = 0; i < sentinelKeys.length; i++) {
          byte[] fresh = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 62)).getBytes(UTF_8);
          byte[] existing = jedis.setGet(sentinelKeys[i], fresh, CREATE);
          now[i] = existing == null ? fresh : existing;
        }
        return null;
      });
    } catch (RuntimeException e) {
      logger.debug("cannot read the session sentinels: {}", e.getMessage());
      return;
    }
    boolean lost = false;
    for (int i = 0; i < sentinelKeys.length; i++) {
      lost |= sentinelValues[i] != null && !java.util.Arrays.equals(sentinelValues[i], now[i]);
      sentinelValues[i] = now[i];
    }
    if (lost) {
      logger.warn("Redis lost the session keys (flushed, or replaced by an empty server): every cached session "
          + "is read from Redis again");
      List<Integer> every = new ArrayList<>(SlotTags.SLOTS);
      for (int slot = 0; slot < SlotTags.SLOTS; slot++) {
        every.add(slot);
      }
      lose(every);
      confirmed(every);
    }
  }

  /** The counters of {@code slots}, in order; a missing one is created with a random base first. */
  private long[] readCounters(List<Integer> slots) {
    long[] counters = new long[slots.size()];
    List<Integer> missing = new ArrayList<>();
    redis.write(() -> {
      try (AbstractPipeline pipeline = pipelines.get()) {
        List<Response<byte[]>> replies = new ArrayList<>(slots.size());
        for (int slot : slots) {
          replies.add(pipeline.get(counterKeys[slot]));
        }
        pipeline.sync();
        for (int i = 0; i < slots.size(); i++) {
          byte[] key = counterKeys[slots.get(i)];
          byte[] value = reply(replies.get(i), () -> jedis.get(key));
          if (value == null) {
            missing.add(i);
          } else {
            counters[i] = Long.parseLong(new String(value, UTF_8));
          }
        }
      }
      return null;
    });
    if (!missing.isEmpty()) {
      redis.write(() -> {
        try (AbstractPipeline pipeline = pipelines.get()) {
          List<Response<byte[]>> replies = new ArrayList<>(missing.size());
          List<byte[]> bases = new ArrayList<>(missing.size());
          for (int i : missing) {
            long base = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
            counters[i] = base;
            bases.add(Long.toString(base).getBytes(UTF_8));
            replies.add(pipeline.setGet(counterKeys[slots.get(i)], bases.get(bases.size() - 1), CREATE));
          }
          pipeline.sync();
          for (int j = 0; j < missing.size(); j++) {
            byte[] key = counterKeys[slots.get(missing.get(j))];
            byte[] base = bases.get(j);
            byte[] existing = reply(replies.get(j), () -> jedis.setGet(key, base, CREATE));
            if (existing != null) {
              // Another replica created it meanwhile.
              counters[missing.get(j)] = Long.parseLong(new String(existing, UTF_8));
            }
          }
        }
        return null;
      });
    }
    return counters;
  }

  /**
   * A pipelined reply; where the key's slot moved to another node ({@code MOVED}, {@code ASK}:
   * pipelines do not follow a move), the command again by itself, which follows it.
   */
  private static byte[] reply(Response<byte[]> response, Supplier<byte[]> alone) {
    try {
      return RedisCalls.pipelinedReply(response);
    } catch (JedisRedirectionException e) {
      return alone.get();
    }
  }

  private void tell(Consumer<SessionListener> call) {
    for (SessionListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        logger.error("session listener failed", e);
      }
    }
  }

  /** What the standalone and the sharded subscriptions report. */
  private final class Handler implements RedisSubscriber.Handler, ShardedRedisSubscriber.Handler {
    @Override
    public void message(String channel, byte[] payload) {
      String[] parts = new String(payload, UTF_8).split(" ");
      if (parts.length < 3 || parts.length > 4 || parts[2].length() != 1) {
        logger.warn("ignoring malformed session event on {}", channel);
        return;
      }
      char code = parts[2].charAt(0);
      SessionState state = code == 'U' ? null : SessionState.fromCode(code);
      long counter;
      try {
        counter = parts.length == 4 ? Long.parseLong(parts[3]) : 0;
      } catch (NumberFormatException e) {
        counter = 0;
      }
      heard(slot(parts[0]), counter);
      tell(listener -> {
        if (state == null) {
          listener.sessionChanged(parts[0], parts[1]);
        } else {
          listener.sessionEnded(parts[0], parts[1], state);
        }
      });
    }

    @Override
    public void connected() {
      logger.info("session events subscribed on {}", channel);
      confirmed(allSlots());
    }

    @Override
    public void disconnected() {
      lose(allSlots());
    }

    @Override
    public void subscribed(String channel) {
      confirmed(List.of(SlotTags.slotOf(channel.getBytes(UTF_8))));
    }

    @Override
    public void lost(Collection<String> channels) {
      lose(channels.stream().map(c -> SlotTags.slotOf(c.getBytes(UTF_8))).toList());
    }
  }

  private static List<Integer> allSlots() {
    List<Integer> slots = new ArrayList<>(SlotTags.SLOTS);
    for (int slot = 0; slot < SlotTags.SLOTS; slot++) {
      slots.add(slot);
    }
    return slots;
  }
}
