package io.parley.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a process's {@linkplain Dependency dependencies} at a fixed interval whether they can be
 * reached, and tells its listeners when the process turns ready (every dependency answered) or not
 * ready (one did not), so that its gRPC health follows: a load balancer or Kubernetes then stops
 * sending it calls while its Redis or PostgreSQL is down, and sends them again when they are back,
 * without a restart.
 *
 * <p>Listeners hear the first answer after {@link #start()}, then each change, never the same
 * state twice in a row; they run on the monitor's thread, one at a time, and must be quick. Each
 * dependency's loss and return is logged once (a warning and an info line), not at every check.
 * A process with no dependency is always ready.
 *
 * <p>Thread-safe. {@link #close()} stops the checks; listeners hear nothing after it returns.
 */
public final class ReadinessMonitor implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ReadinessMonitor.class);

  private final List<Dependency> dependencies;
  private final Duration interval;
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService executor;
  /** Per dependency, whether it answered last time; only touched on the monitor's thread. */
  private final Map<Dependency, Boolean> reachable = new HashMap<>();
  private volatile Boolean ready;
  private volatile boolean closed;

  private ReadinessMonitor(Builder builder) {
    this.dependencies = List.copyOf(builder.dependencies);
    this.interval = builder.interval;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "parley-readiness");
      thread.setDaemon(true);
      return thread;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Adds a listener that hears {@code true} (ready) or {@code false} (not ready); call before {@link #start()}. */
  public ReadinessMonitor onChange(Consumer<Boolean> listener) {
    listeners.add(requireNonNull(listener, "listener"));
    return this;
  }

  /** Starts checking: the first check runs at once, the next ones every interval after the previous ended. */
  public ReadinessMonitor start() {
    executor.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The last answer: true if every dependency answered; true before the first check. */
  public boolean isReady() {
    Boolean current = ready;
    return current == null || current;
  }

  public List<Dependency> dependencies() {
    return dependencies;
  }

  private void check() {
    boolean all = true;
    for (Dependency dependency : dependencies) {
      boolean up = dependency.isReachable();
      Boolean before = reachable.put(dependency, up);
      if (!up && !Boolean.FALSE.equals(before)) {
        logger.warn("{} cannot be reached: this process is not ready until it answers again", dependency.name());
      } else if (up && Boolean.FALSE.equals(before)) {
        logger.info("{} answers again", dependency.name());
      }
      all &= up;
    }
    if (closed || Boolean.valueOf(all).equals(ready)) {
      return;
    }
    boolean first = ready == null;
    ready = all;
    if (!first || !all) {
      logger.info("readiness: {}", all ? "SERVING" : "NOT_SERVING");
    }
    for (Consumer<Boolean> listener : listeners) {
      try {
        listener.accept(all);
      } catch (RuntimeException e) {
        logger.error("a readiness listener failed", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        logger.warn("a readiness check still runs after 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ReadinessMonitor" + dependencies + " every " + interval;
  }

  /** Builds a {@link ReadinessMonitor}. Not thread-safe. */
  public static final class Builder {
    private final List<Dependency> dependencies = new ArrayList<>();
    private Duration interval = Duration.ofSeconds(2);

    private Builder() {}

    public Builder dependency(Dependency dependency) {
      dependencies.add(requireNonNull(dependency, "dependency"));
      return this;
    }

    public Builder dependencies(List<? extends Dependency> dependencies) {
      dependencies.forEach(this::dependency);
      return this;
    }

    /** Time between the end of one check and the start of the next; 2 s by default, at least 10 ms. */
    public Builder interval(Duration interval) {
      requireNonNull(interval, "interval");
      if (interval.toMillis() < 10) {
        throw new IllegalArgumentException("interval must be at least 10 ms: " + interval);
      }
      this.interval = interval;
      return this;
    }

    public ReadinessMonitor build() {
      return new ReadinessMonitor(this);
    }
  }
}
