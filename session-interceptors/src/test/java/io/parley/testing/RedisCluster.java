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
