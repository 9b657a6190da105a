package io.parley.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop load: calls arrive as a Poisson process at a fixed rate, whatever the answers'
 * latency, as the calls of many independent users do. (A closed loop of N clients waits for each
 * answer before the next call; at saturation it measures the queue of N it builds itself.) What is
 * due is started every millisecond, and latency counts from the time a call was due, so a stalled
 * load generator shows in the figures instead of hiding them.
 */
final class PoissonLoad {
  /** Starts one call; a failed future counts as a failed call. */
  interface Call {
    ListenableFuture<?> start();
  }

  /**
   * What a run did.
   *
   * @param measurement the latencies of the calls answered
   * @param offered calls started in the window
   * @param failed calls that failed, or had not finished 10 seconds after the window
   * @param firstFailure the first failure, or null
   * @param lateP99Millis how late the load generator started its calls, at the 99th percentile:
   *     latency counts from when a call was due, so up to this much of a call's latency may be the
   *     generator's own delay (its 1-ms tick, or its thread waiting for a core)
   */
  record Result(Measurement measurement, long offered, long failed, Throwable firstFailure, double lateP99Millis) {
    /**
     * The measurement, if every call was answered.
     *
     * @throws IllegalStateException otherwise
     */
    Measurement answeredAll() {
      if (failed > 0) {
        throw new IllegalStateException(measurement.name() + ": " + failed + " of " + offered
            + " calls failed or did not finish", firstFailure);
      }
      return measurement;
    }
  }

  private PoissonLoad() {}

  /**
   * Offers {@code perSecond} calls a second, on average, for {@code duration}, then waits up to 10
   * seconds for those in flight.
   */
  static Result run(String name, Call call, double perSecond, Duration duration) throws InterruptedException {
    Recorder latencies = new Recorder(3);
    Recorder lateness = new Recorder(3);
    AtomicLong inFlight = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double meanGapNanos = 1e9 / perSecond;
    long start = System.nanoTime();
    double next = -meanGapNanos * Math.log(1 - random.nextDouble());
    long offered = 0;
    while (System.nanoTime() - start < duration.toNanos()) {
      long now = System.nanoTime() - start;
      while (next <= now) {
        long due = start + (long) next;
        lateness.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
        inFlight.incrementAndGet();
        offered++;
        Futures.addCallback(call.start(), new FutureCallback<Object>() {
          @Override
          public void onSuccess(Object result) {
            latencies.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
            inFlight.decrementAndGet();
          }

          @Override
          public void onFailure(Throwable t) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, t);
            inFlight.decrementAndGet();
          }
        }, MoreExecutors.directExecutor());
        next += -meanGapNanos * Math.log(1 - random.nextDouble());
      }
      LockSupport.parkNanos(1_000_000);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    Histogram histogram = latencies.getIntervalHistogram();
    return new Result(new Measurement(name, histogram.getTotalCount(), duration.toNanos() / 1e9, histogram), offered,
        failures.get() + inFlight.get(), firstFailure.get(),
        lateness.getIntervalHistogram().getValueAtPercentile(99) / 1000.0);
  }
}
