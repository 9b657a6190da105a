package io.parley.redis;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.commons.pool2.impl.GenericObjectPool;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Gauges of a jedis client's connection pools (commons-pool2), summed over every node of a
 * Cluster as it is when scraped:
 *
 * <ul>
 *   <li>{@code parley.redis.pool.connections{state="active"|"idle"}}: connections lent out, and
 *       open and waiting in the pool;
 *   <li>{@code parley.redis.pool.waiting}: threads waiting for a connection (the pool is exhausted);
 *   <li>{@code parley.redis.pool.max}: connections the pools may open at most.
 * </ul>
 *
 * <p>The gauges read the pools on each scrape and hold only a weak reference to the client, so a
 * closed client reads as empty pools. A client that is neither a {@link RedisClient} nor a {@link
 * RedisClusterClient} (as {@link RedisClients} makes) has no pool to show, and binds nothing.
 */
public final class RedisPoolMetrics implements MeterBinder {
  private final UnifiedJedis client;

  public RedisPoolMetrics(UnifiedJedis client) {
    this.client = requireNonNull(client, "client");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Supplier<Collection<? extends GenericObjectPool<Connection>>> pools;
    if (client instanceof RedisClient standalone) {
      pools = () -> List.of(standalone.getPool());
    } else if (client instanceof RedisClusterClient cluster) {
      pools = () -> cluster.getClusterNodes().values();
    } else {
      return;
    }
    gauge(registry, "parley.redis.pool.connections", pools, GenericObjectPool::getNumActive,
        "Redis connections lent out", "state", "active");
    gauge(registry, "parley.redis.pool.connections", pools, GenericObjectPool::getNumIdle,
        "Redis connections open and idle in the pool", "state", "idle");
    gauge(registry, "parley.redis.pool.waiting", pools, GenericObjectPool::getNumWaiters,
        "threads waiting for a Redis connection", null, null);
    gauge(registry, "parley.redis.pool.max", pools, GenericObjectPool::getMaxTotal,
        "Redis connections the pools may open at most", null, null);
  }

  private void gauge(MeterRegistry registry, String name, Supplier<Collection<? extends GenericObjectPool<Connection>>> pools,
      ToIntFunction<GenericObjectPool<Connection>> value, String description, String tag, String tagValue) {
    Gauge.Builder<UnifiedJedis> gauge = Gauge.builder(name, client, c -> sum(pools, value))
        .description(description);
    if (tag != null) {
      gauge.tag(tag, tagValue);
    }
    gauge.register(registry);
  }

  private static double sum(Supplier<Collection<? extends GenericObjectPool<Connection>>> pools,
      ToIntFunction<GenericObjectPool<Connection>> value) {
    long total = 0;
    for (GenericObjectPool<Connection> pool : pools.get()) {
      total += Math.max(0, value.applyAsInt(pool));
    }
    return total;
  }
}
