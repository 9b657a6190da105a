package io.parley.redis;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Keeps sharded pub/sub subscriptions ({@code SSUBSCRIBE}, Redis 7) to many channels of a Redis
 * Cluster alive. A sharded channel lives in a hash slot, like a key, and a message published to it
 * with {@code SPUBLISH} (from a script, too) reaches only the subscribers connected to the master
 * that holds the slot: no cluster-bus broadcast, and no way for a message to go astray between
 * nodes unnoticed. This class subscribes each channel on its slot's master, over one connection
 * and one daemon thread per master.
 *
 * <p>The handler hears, channel by channel, when a subscription is {@linkplain Handler#subscribed
 * confirmed} (from then on its messages arrive) and when it is {@linkplain Handler#lost lost}: its
 * connection failed or went silent, or Redis dropped it because its slot moved to another master.
 * Messages published meanwhile are missed, as pub/sub goes; only the channels of the connection
 * concerned are reported, so that whoever caches on the strength of these messages drops only what
 * it must. Every loss is followed by a confirmation once the channel is subscribed again: the
 * subscriber then reads the cluster's slot map and subscribes every channel on its slot's master
 * (waiting 100 ms, doubling to 2 s, while attempts keep failing). A channel still subscribed on
 * another master when its old one drops it (a slot that moved) is confirmed again there.
 *
 * <p>A subscribed connection only reads, so that a node that vanished without closing it would go
 * unnoticed. Every {@value #PROBE_SECONDS} seconds each connection therefore subscribes again to
 * one of its channels, which Redis confirms (jedis's sharded subscriber cannot read a PING reply);
 * a connection that left three probes in a row unanswered is dropped and reported lost (counted
 * in probes, not time, as {@link RedisSubscriber} does, so that a pause of this process is not
 * taken for a dead node). That costs one {@code SSUBSCRIBE} per master every {@value
 * #PROBE_SECONDS} seconds.
 *
 * <p>Known gap: while a slot migrates, a script for a key that has already moved runs on the
 * importing master and publishes there, where the channel is not yet subscribed; the old master
 * drops the channel (reported lost) only when the migration of the slot completes.
 *
 * <p>Callbacks of one connection run on its thread, one at a time; those of different connections
 * may run at the same time, for the same channel too (a loss on one, a confirmation on another, in
 * that order). Thread-safe.
 */
public final class ShardedRedisSubscriber implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ShardedRedisSubscriber.class);
  private static final int PROBE_SECONDS = 3;
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 2000;

  /** What the subscriptions report. */
  public interface Handler {
    void message(String channel, byte[] payload);

    /** Redis confirmed the subscription to {@code channel}: from now on, its messages arrive. */
    void subscribed(String channel);

    /** These channels were subscribed and no longer are: their messages may be missed until confirmed again. */
    void lost(Collection<String> channels);
  }

  private final RedisClusterClient cluster;
  private final NavigableMap<Integer, List<String>> channelsBySlot = new TreeMap<>();
  private final Handler handler;
  private final String threadName;
  private final long probeMillis;
  private final Thread supervisor;
  private final ScheduledExecutorService prober;
  private final BlockingQueue<Boolean> remapRequests = new LinkedBlockingQueue<>();
  private final Map<HostAndPort, NodeSubscription> nodes = new ConcurrentHashMap<>();
  private volatile boolean open = true;

  /** Starts subscribing to {@code channels} at once. */
  public ShardedRedisSubscriber(RedisClusterClient cluster, Collection<String> channels, Handler handler,
      String threadName) {
    this(cluster, channels, handler, threadName, Duration.ofSeconds(PROBE_SECONDS));
  }

  ShardedRedisSubscriber(RedisClusterClient cluster, Collection<String> channels, Handler handler,
      String threadName, Duration probeInterval) {
    this.cluster = requireNonNull(cluster, "cluster");
    this.handler = requireNonNull(handler, "handler");
    this.threadName = requireNonNull(threadName, "threadName");
    for (String channel : channels) {
      channelsBySlot.computeIfAbsent(JedisClusterCRC16.getSlot(channel), s -> new ArrayList<>()).add(channel);
    }
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channel to subscribe to");
    }
    this.probeMillis = probeInterval.toMillis();
    this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName + "-probe");
      t.setDaemon(true);
      return t;
    });
    prober.scheduleWithFixedDelay(this::probe, probeInterval.toMillis(), probeInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    this.supervisor = new Thread(this::supervise, threadName);
    this.supervisor.setDaemon(true);
    this.supervisor.start();
  }

  /**
   * One sharded channel per hash slot, {@code <prefix>{<tag>}} with the slot's {@link SlotTags
   * tag}: element {@code s} lives in slot {@code s}. The same names in every process.
   */
  public static List<String> slotChannels(String prefix) {
    requireNonNull(prefix, "prefix");
    List<String> names = new ArrayList<>(SlotTags.SLOTS);
    for (int slot = 0; slot < SlotTags.SLOTS; slot++) {
      names.add(prefix + "{" + SlotTags.of(slot) + "}");
    }
    return List.copyOf(names);
  }

  /**
   * Reads the slot map and subscribes every channel on its slot's master, until closed: at once,
   * then after every loss, waiting longer while losses follow one another closely.
   */
  private void supervise() {
    long backoffMillis = FIRST_BACKOFF_MILLIS;
    long lastRemap = 0;
    while (open) {
      try {
        lastRemap = System.nanoTime();
        remap();
      } catch (JedisException | IllegalStateException | ClassCastException e) {
        if (open) {
          logger.warn("cannot read the Redis Cluster slot map to subscribe ({}); retrying", e.getMessage());
          remapRequests.add(Boolean.TRUE);
        }
      }
      try {
        remapRequests.take();
        backoffMillis = System.nanoTime() - lastRemap < TimeUnit.SECONDS.toNanos(2)
            ? Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS) : FIRST_BACKOFF_MILLIS;
        Thread.sleep(backoffMillis);
        remapRequests.clear();
      } catch (InterruptedException e) {
        if (!open) {
          return;
        }
      }
    }
  }

  private void remap() {
    Map<HostAndPort, List<String>> wanted = channelsByMaster();
    for (Map.Entry<HostAndPort, NodeSubscription> e : nodes.entrySet()) {
      if (!wanted.containsKey(e.getKey()) || !e.getValue().isRunning()) {
        e.getValue().close();
        nodes.remove(e.getKey(), e.getValue());
      }
    }
    wanted.forEach((node, channels) -> {
      NodeSubscription subscription = nodes.get(node);
      if (subscription == null) {
        subscription = new NodeSubscription(node, channels);
        nodes.put(node, subscription);
        subscription.start();
      } else {
        subscription.subscribeMissing(channels);
      }
    });
  }

  /** Our channels by the master that holds their slot, from {@code CLUSTER SLOTS} asked of any node. */
  @SuppressWarnings("unchecked")
  private Map<HostAndPort, List<String>> channelsByMaster() {
    List<Object> ranges = null;
    JedisException failure = null;
    for (ConnectionPool pool : cluster.getClusterNodes().values()) {
      try (Connection connection = pool.getResource()) {
        ranges = (List<Object>) connection.executeCommand(
            new CommandArguments(Protocol.Command.CLUSTER).add(Protocol.ClusterKeyword.SLOTS));
        break;
      } catch (JedisException e) {
        failure = e;
      }
    }
    if (ranges == null) {
      throw failure != null ? failure : new IllegalStateException("the cluster client knows no node");
    }
    Map<HostAndPort, List<String>> byMaster = new LinkedHashMap<>();
    for (Object item : ranges) {
      List<Object> range = (List<Object>) item;
      int from = ((Long) range.get(0)).intValue();
      int to = ((Long) range.get(1)).intValue();
      List<Object> master = (List<Object>) range.get(2);
      HostAndPort node = new HostAndPort(new String((byte[]) master.get(0), StandardCharsets.UTF_8),
          ((Long) master.get(1)).intValue());
      for (List<String> channels : channelsBySlot.subMap(from, true, to, true).values()) {
        byMaster.computeIfAbsent(node, n -> new ArrayList<>()).addAll(channels);
      }
    }
    return byMaster;
  }

  /**
   * Channels of {@code from} were lost: reported, confirmed again where another master still holds
   * them, and mapped again.
   */
  private void lost(NodeSubscription from, Collection<String> channels) {
    if (!open || channels.isEmpty()) {
      return;
    }
    safely(() -> handler.lost(channels));
    for (NodeSubscription other : nodes.values()) {
      if (other != from) {
        other.confirmAgain(channels);
      }
    }
    remapRequests.add(Boolean.TRUE);
  }

  private void probe() {
    for (NodeSubscription node : nodes.values()) {
      node.probe();
    }
  }

  private void safely(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      logger.error("Redis subscription callback failed", e);
    }
  }

  @Override
  public void close() {
    open = false;
    prober.shutdownNow();
    supervisor.interrupt();
    nodes.values().forEach(NodeSubscription::close);
    nodes.clear();
  }

  /** The subscriptions on one master: one connection, one thread. */
  private final class NodeSubscription extends BinaryJedisShardedPubSub {
    private final HostAndPort node;
    private final Thread thread;
    /** Channels Redis confirmed on this connection and has not dropped since. */
    final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    /** Channels asked for whose confirmation is to be reported. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final List<String> initial;
    /** The first command's channels (one slot's): sent by {@code proceed}, the rest once it is confirmed. */
    private final List<String> first;
    /** Guards {@link #started} against channels added to {@link #pending} meanwhile. */
    private final Object startLock = new Object();
    private volatile Connection connection;
    private boolean started;
    private volatile boolean running = true;
    /** Whether anything came back since the last probe was sent. */
    private volatile boolean answered = true;
    /** Probes in a row after which nothing came back (prober thread only). */
    private int unanswered;

    NodeSubscription(HostAndPort node, List<String> channels) {
      this.node = node;
      this.initial = List.copyOf(channels);
      this.first = sameSlot(initial);
      this.thread = new Thread(this::run, threadName + "-" + node);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    boolean isRunning() {
      return running;
    }

    private void run() {
      try {
        connection = connect();
        if (open) {
          pending.addAll(initial);
          proceed(connection, bytes(first));
        }
      } catch (JedisException | IllegalStateException e) {
        if (open && running) {
          logger.warn("Redis sharded subscription to {} lost ({})", node, e.getMessage());
        }
      } catch (RuntimeException e) {
        logger.error("Redis sharded subscription handler failed; subscribing again", e);
      } finally {
        running = false;
        drop();
        List<String> gone = List.copyOf(confirmed);
        confirmed.clear();
        lost(this, gone);
        if (open) {
          remapRequests.add(Boolean.TRUE);
        }
      }
    }

    private Connection connect() {
      ConnectionPool pool = cluster.getClusterNodes().get(node.toString());
      if (pool != null) {
        return pool.getResource();
      }
      return cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(initial.get(0)));
    }

    /**
     * Subscribes, one command per slot, to those of {@code channels} not confirmed or asked for
     * here; before the first confirmation, they go with the rest of the initial channels.
     */
    void subscribeMissing(List<String> channels) {
      List<String> missing = new ArrayList<>();
      synchronized (startLock) {
        for (String channel : channels) {
          if (!confirmed.contains(channel) && pending.add(channel)) {
            missing.add(channel);
          }
        }
        if (!started) {
          return;
        }
      }
      send(missing);
    }

    /**
     * Asks Redis to confirm again those of {@code channels} confirmed here, so that their loss
     * elsewhere is followed by a confirmation.
     */
    void confirmAgain(Collection<String> channels) {
      if (!isStarted()) {
        return;
      }
      List<String> again = new ArrayList<>();
      for (String channel : channels) {
        if (confirmed.contains(channel)) {
          pending.add(channel);
          again.add(channel);
        }
      }
      send(again);
    }

    private void send(Collection<String> channels) {
      if (channels.isEmpty() || !running) {
        return;
      }
      try {
        Map<Integer, List<String>> bySlot = new TreeMap<>();
        channels.forEach(c -> bySlot.computeIfAbsent(JedisClusterCRC16.getSlot(c), s -> new ArrayList<>()).add(c));
        for (List<String> group : bySlot.values()) {
          ssubscribe(bytes(group));
        }
      } catch (RuntimeException e) {
        logger.debug("could not subscribe on {}: {}", node, e.toString());
        drop();
      }
    }

    /** Sends the next probe, or drops a connection that left three in a row unanswered. */
    void probe() {
      if (!isStarted() || !running) {
        return;
      }
      if (answered) {
        answered = false;
        unanswered = 0;
      } else if (++unanswered >= 3) {
        logger.warn("Redis sharded subscription to {} silent for three probes {} ms apart; reconnecting", node,
            probeMillis);
        drop();
        return;
      }
      confirmed.stream().findAny().ifPresent(channel -> {
        try {
          ssubscribe(bytes(channel));
        } catch (RuntimeException e) {
          drop();
        }
      });
    }

    private boolean isStarted() {
      synchronized (startLock) {
        return started;
      }
    }

    @Override
    public void onSSubscribe(byte[] channel, int subscribedChannels) {
      answered = true;
      String name = new String(channel, StandardCharsets.UTF_8);
      List<String> rest = null;
      synchronized (startLock) {
        if (!started) {
          started = true;
          // The first command named one slot's channels; the others go now, one command per slot
          // (Redis refuses a sharded subscription across slots).
          rest = new ArrayList<>(pending);
          rest.removeAll(first);
        }
      }
      if (rest != null) {
        send(rest);
      }
      confirmed.add(name);
      if (pending.remove(name)) {
        safely(() -> handler.subscribed(name));
      }
    }

    @Override
    public void onSUnsubscribe(byte[] channel, int subscribedChannels) {
      answered = true;
      String name = new String(channel, StandardCharsets.UTF_8);
      // We never unsubscribe: Redis dropped the channel because its slot left this master.
      if (confirmed.remove(name)) {
        lost(this, List.of(name));
      }
    }

    @Override
    public void onSMessage(byte[] channel, byte[] message) {
      answered = true;
      String name = new String(channel, StandardCharsets.UTF_8);
      safely(() -> handler.message(name, message));
    }

    /** Closes the socket under the blocked read, which ends the subscription with an error. */
    private void drop() {
      Connection c = connection;
      if (c != null) {
        try {
          c.setBroken();
          c.close();
        } catch (RuntimeException e) {
          logger.debug("closing a Redis subscription connection failed", e);
        }
      }
    }

    void close() {
      running = false;
      drop();
      thread.interrupt();
    }
  }

  /** The channels of {@code channels} in the slot of the first. */
  private static List<String> sameSlot(List<String> channels) {
    int slot = JedisClusterCRC16.getSlot(channels.get(0));
    return channels.stream().filter(c -> JedisClusterCRC16.getSlot(c) == slot).toList();
  }

  private static byte[][] bytes(List<String> channels) {
    return channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
  }

  private static byte[] bytes(String channel) {
    return channel.getBytes(StandardCharsets.UTF_8);
  }
}
