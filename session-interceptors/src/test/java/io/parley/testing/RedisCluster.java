package io.parley.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A real three-master Redis Cluster for tests: three {@link RedisServer}s on free ports, joined
 * with {@code CLUSTER MEET} and given a third of the 16384 slots each, ready when every node
 * reports {@code cluster_state:ok}. Start it once per test class.
 */
public final class RedisCluster implements AutoCloseable {
  private static final int SLOTS = 16384;

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  public static RedisCluster start() {
    return start(3);
  }

  public static RedisCluster start(int masters) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServer.builder()
            .args("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")
            .start());
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.form();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private void form() {
    try (Jedis first = nodes.get(0).connect()) {
      for (RedisServer node : nodes.subList(1, nodes.size())) {
        first.clusterMeet(node.host(), node.port());
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      int from = i * SLOTS / nodes.size();
      int to = (i + 1) * SLOTS / nodes.size() - 1;
      try (Jedis jedis = nodes.get(i).connect()) {
        jedis.clusterAddSlotsRange(from, to);
      }
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Redis Cluster did not become ready");
      }
      RedisServer.sleep(50);
    }
  }

  private boolean isReady() {
    for (RedisServer node : nodes) {
      try (Jedis jedis = node.connect()) {
        if (!jedis.clusterInfo().contains("cluster_state:ok")) {
          return false;
        }
        long known = jedis.clusterNodes().lines().filter(l -> l.contains("master") && !l.contains("fail")).count();
        if (known < nodes.size()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
  public String url() {
    return "redis-cluster://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
  }

  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * Moves {@code slot} and its keys from the node that holds it to another, as {@code redis-cli
   * --cluster reshard} does. Clients with the old slot map are then told MOVED by the old owner.
   */
  public void moveSlot(int slot) {
    RedisServer from = nodeOf(slot);
    RedisServer to = nodes.stream().filter(node -> node != from).findFirst().orElseThrow();
    try (Jedis source = from.connect(); Jedis target = to.connect()) {
      String fromId = source.clusterMyId();
      String toId = target.clusterMyId();
      target.clusterSetSlotImporting(slot, fromId);
      source.clusterSetSlotMigrating(slot, toId);
      List<String> keys;
      while (!(keys = source.clusterGetKeysInSlot(slot, 100)).isEmpty()) {
        keys.forEach(key -> source.migrate(to.host(), to.port(), key, 0, 5000));
      }
      for (RedisServer node : nodes) {
        try (Jedis jedis = node.connect()) {
          jedis.clusterSetSlotNode(slot, toId);
        }
      }
    }
  }

  /** The node that holds {@code slot} now. */
  public RedisServer nodeOf(int slot) {
    return nodes.stream().filter(node -> owns(node, slot)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node holds slot " + slot));
  }

  private static boolean owns(RedisServer node, int slot) {
    try (Jedis jedis = node.connect()) {
      String myId = jedis.clusterMyId();
      return jedis.clusterShards().stream().anyMatch(shard -> shard.getNodes().stream()
          .anyMatch(n -> n.getId().equals(myId)) && shard.getSlots().stream()
          .anyMatch(range -> range.get(0) <= slot && slot <= range.get(1)));
    }
  }

  /** Calls of {@code command} summed over every node. */
  public long commandCount(String command) {
    return nodes.stream().mapToLong(n -> n.commandCount(command)).sum();
  }

  /** Commands processed, summed over every node. */
  public long totalCommands() {
    return nodes.stream().mapToLong(RedisServer::totalCommands).sum();
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
