package io.parley.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs a blocking operation from several threads for a while and records its latency. For
 * comparisons, {@link #interleave} alternates the loads in short rounds, so that both see the
 * same machine (JIT, GC, whatever else runs) and their ratio is fair.
 */
public final class LoadRunner {
  /** One call of the load; throws on failure, which stops the run. */
  @FunctionalInterface
  public interface Operation {
    void run() throws Exception;
  }

  private final int concurrency;

  public LoadRunner(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be positive: " + concurrency);
    }
    this.concurrency = concurrency;
  }

  /** Runs {@code operation} for {@code duration} (not measured first for {@code warmup}). */
  public Measurement run(String name, Operation operation, Duration warmup, Duration duration) throws Exception {
    if (!warmup.isZero()) {
      runFor(operation, warmup);
    }
    Histogram histogram = runFor(operation, duration);
    return new Measurement(name, histogram.getTotalCount(), duration.toNanos() / 1e9, histogram);
  }

  /**
   * Runs the loads in turn, {@code rounds} times each for {@code duration / rounds}, after warming
   * each up, and returns one measurement per load, in the order given. Use a multiple of twice the
   * number of loads as {@code rounds} for the order to be fully balanced.
   */
  public List<Measurement> interleave(List<String> names, List<Operation> operations, Duration warmup,
      Duration duration, int rounds) throws Exception {
    List<Histogram> totals = new ArrayList<>();
    for (Operation operation : operations) {
      runFor(operation, warmup);
      totals.add(new Histogram(3));
    }
    Duration slice = duration.dividedBy(rounds);
    int n = operations.size();
    for (int round = 0; round < rounds; round++) {
      // Rotate the order each round and reverse it every n rounds, so that over 2n rounds every
      // load runs in every position, after and before every other load, equally often.
      int shift = round % n;
      boolean reversed = (round / n) % 2 == 1;
      for (int i = 0; i < n; i++) {
        int index = (shift + (reversed ? n - 1 - i : i)) % n;
        totals.get(index).add(runFor(operations.get(index), slice));
      }
    }
    List<Measurement> measurements = new ArrayList<>();
    double seconds = slice.toNanos() * (double) rounds / 1e9;
    for (int i = 0; i < operations.size(); i++) {
      measurements.add(new Measurement(names.get(i), totals.get(i).getTotalCount(), seconds, totals.get(i)));
    }
    return measurements;
  }

  private Histogram runFor(Operation operation, Duration duration) throws Exception {
    requireNonNull(operation, "operation");
    Recorder recorder = new Recorder(3);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int t = 0; t < concurrency; t++) {
      Thread thread = new Thread(() -> {
        try {
          while (System.nanoTime() < end && failure.get() == null) {
            long start = System.nanoTime();
            operation.run();
            recorder.recordValue((System.nanoTime() - start) / 1000);
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }, "bench-load-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    done.await();
    if (failure.get() != null) {
      throw failure.get();
    }
    return recorder.getIntervalHistogram();
  }
}
