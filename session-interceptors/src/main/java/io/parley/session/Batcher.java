package io.parley.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers items added one by one into batches for one action: the first item waits up to a
 * window for others, then everything gathered goes, up to a batch size at a time, at once for as
 * long as more is queued. The action runs on the given executor's thread; it must handle its own
 * failures (an exception is dropped with the batch). Items added after the executor shut down are
 * dropped. Thread-safe.
 */
final class Batcher<T> {
  private static final Logger logger = LoggerFactory.getLogger(Batcher.class);

  private final ScheduledExecutorService executor;
  private final long windowNanos;
  private final int maxBatch;
  private final Consumer<List<T>> action;
  private final Queue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  Batcher(ScheduledExecutorService executor, Duration window, int maxBatch, Consumer<List<T>> action) {
    this.executor = requireNonNull(executor, "executor");
    this.windowNanos = requireNonNull(window, "window").toNanos();
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
    }
    this.maxBatch = maxBatch;
    this.action = requireNonNull(action, "action");
  }

  void add(T item) {
    queue.add(item);
    schedule(windowNanos);
  }


  private void schedule(long delayNanos) {
    if (scheduled.compareAndSet(false, true)) {
      try {
        executor.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        queue.clear();
      }
    }
  }

  /**
   * Runs the action on what is queued, on the calling thread, now; for closing (a batch may then
   * run at the same time on the executor's thread).
   */
  void drain() {
    // Cleared first: an item added from now on schedules another drain, which may find it taken.
    scheduled.set(false);
    List<T> batch = new ArrayList<>(Math.min(maxBatch, 64));
    while (true) {
      T item;
      while (batch.size() < maxBatch && (item = queue.poll()) != null) {
        batch.add(item);
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        action.accept(batch);
      } catch (RuntimeException e) {
        logger.error("a batch of {} failed", batch.size(), e);
      }
      batch = new ArrayList<>(Math.min(maxBatch, 64));
    }
  }
}
