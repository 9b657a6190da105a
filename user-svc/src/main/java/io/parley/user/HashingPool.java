package io.parley.user;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The threads that hash and check passwords, apart from those that serve calls, with a bounded
 * queue: a flood of Register and Login calls fills this pool, and is refused at once when its
 * queue is full, while every other call (GetMe, the other services in the process) keeps the
 * server's threads to itself.
 *
 * <p>{@link #reply} first takes a place (a thread, or room in the queue) or refuses the call;
 * then runs the call's preparation on the calling thread (the login throttle, the account lookup:
 * what must not happen for a call that is refused anyway), hands the password work to the pool and
 * returns, so the server thread is free at once; the pool answers the call when the work is done.
 * The work runs in the call's {@link Context} (its session, request id, client address and
 * deadline), and is skipped if the call was cancelled or its deadline passed while it waited:
 * nobody is left to answer, and a flood's abandoned calls cost no hashing. Thread-safe.
 */
final class HashingPool implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HashingPool.class);

  /** What a refused call is told to wait: about the time the queue takes to drain a little. */
  static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

  private final ThreadPoolExecutor executor;
  /** Places: one per thread and per queue slot. The executor's own queue is unbounded; this bounds it. */
  private final Semaphore places;

  /**
   * @param threads hashing threads, at least 1
   * @param queue calls that may wait for one, at least 1
   */
  HashingPool(int threads, int queue) {
    if (threads < 1 || queue < 1) {
      throw new IllegalArgumentException("threads and queue must be positive: " + threads + ", " + queue);
    }
    AtomicInteger counter = new AtomicInteger();
    this.places = new Semaphore(threads + queue);
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "parley-hashing-" + counter.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
  }

  static HashingPool of(UserSettings settings) {
    return new HashingPool(settings.hashingThreads(), settings.hashingQueue());
  }

  /**
   * Runs {@code work} on the pool, in the current call's context and with its logging MDC (request
   * and trace ids), and answers {@code response}
   * with its result, or with whatever it throws (which the server's error mapping renders).
   *
   * @throws ParleyException PASSWORD_HASHING_BUSY with a RetryInfo, at once, if the queue is full
   */
  <T> void reply(StreamObserver<T> response, Supplier<T> work) {
    reply(response, () -> null, ignored -> work.get());
  }

  /**
   * Takes a place for the current call, then runs {@code prepare} on the calling thread, and
   * {@code work} with what it returns on the pool, as {@link #reply(StreamObserver, Supplier)}.
   * Whatever {@code prepare} throws is thrown here, and gives the place back.
   *
   * @throws ParleyException PASSWORD_HASHING_BUSY with a RetryInfo, at once and before {@code
   *     prepare} runs, if the queue is full
   */
  <P, T> void reply(StreamObserver<T> response, Supplier<P> prepare, Function<P, T> work) {
    if (!places.tryAcquire()) {
      throw busy(null);
    }
    boolean handedOver = false;
    try {
      P prepared = prepare.get();
      Context context = Context.current();
      // The call's request and trace ids, so that the pool's log lines about the call carry them too.
      Map<String, String> logFields = MDC.getCopyOfContextMap();
      Runnable task = context.wrap(() -> {
        if (logFields != null) {
          MDC.setContextMap(logFields);
        }
        try {
          if (context.isCancelled()) {
            logger.debug("call cancelled before its password work began; skipped");
            return;
          }
          answer(response, () -> work.apply(prepared));
        } finally {
          places.release();
          MDC.clear();
        }
      });
      executor.execute(task);
      handedOver = true;
    } catch (RejectedExecutionException e) {
      throw busy(e); // shut down
    } finally {
      if (!handedOver) {
        places.release();
      }
    }
  }

  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    T value;
    try {
      value = work.get();
    } catch (RuntimeException | Error e) {
      response.onError(e);
      if (e instanceof VirtualMachineError error) {
        throw error;
      }
      return;
    }
    response.onNext(value);
    response.onCompleted();
  }

  private static ParleyException busy(Throwable cause) {
    return ParleyException.builder(ErrorReason.PASSWORD_HASHING_BUSY)
        .message("too many sign-ins in progress; retry shortly")
        .retryAfter(BUSY_RETRY_AFTER)
        .cause(cause)
        .build();
  }

  /** Lets queued work finish for a few seconds, then stops what is left. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "HashingPool{" + executor.getMaximumPoolSize() + " threads, " + executor.getQueue().size() + " waiting, "
        + places.availablePermits() + " places free}";
  }
}
