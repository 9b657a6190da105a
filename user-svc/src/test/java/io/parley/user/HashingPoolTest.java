package io.parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class HashingPoolTest {
  private static final Context.Key<String> WHO = Context.key("who");

  private final HashingPool pool = new HashingPool(1, 1);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    pool.close();
  }

  /** Answers a future; for what the pool sends a call. */
  private static final class Reply<T> implements StreamObserver<T> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    final AtomicBoolean completed = new AtomicBoolean();

    @Override
    public void onNext(T value) {
      result.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      completed.set(true);
    }
  }

  private void occupyTheThread() {
    pool.reply(new Reply<>(), () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "done";
    });
  }

  @Test
  void theWorkAnswersTheCallFromThePoolInTheCallersContext() throws Exception {
    Reply<String> reply = new Reply<>();
    Context.current().withValue(WHO, "alice").run(() -> pool.reply(reply, () -> WHO.get() + " on "
        + Thread.currentThread().getName()));

    assertThat(reply.result.get(5, TimeUnit.SECONDS)).isEqualTo("alice on parley-hashing-1");
    await().untilTrue(reply.completed);
  }

  @Test
  void theWorkRunsWithTheCallersLogFieldsAndLeavesNoneBehind() throws Exception {
    Reply<String> reply = new Reply<>();
    MDC.put("request_id", "req-9");
    MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    try {
      pool.reply(reply, () -> MDC.get("request_id") + " " + MDC.get("trace_id"));
    } finally {
      MDC.clear();
    }
    assertThat(reply.result.get(5, TimeUnit.SECONDS)).isEqualTo("req-9 4bf92f3577b34da6a3ce929d0e0e4736");

    Reply<String> next = new Reply<>();
    pool.reply(next, () -> String.valueOf(MDC.get("request_id")));
    assertThat(next.result.get(5, TimeUnit.SECONDS)).as("the next call's work, on the same thread").isEqualTo("null");
  }

  @Test
  void whatTheWorkThrowsGoesToTheCall() {
    Reply<String> reply = new Reply<>();
    pool.reply(reply, () -> {
      throw new IllegalStateException("boom");
    });

    await().until(reply.result::isDone);
    assertThat(reply.result).isCompletedExceptionally();
    assertThat(reply.completed).isFalse();
  }

  @Test
  void aFullQueueFailsAtOnceWithPasswordHashingBusy() {
    occupyTheThread();
    pool.reply(new Reply<>(), () -> "queued");

    ParleyException busy =
        catchThrowableOfType(ParleyException.class, () -> pool.reply(new Reply<>(), () -> "no room"));

    assertThat(busy.reason()).isEqualTo(ErrorReason.PASSWORD_HASHING_BUSY);
    assertThat(busy.retryAfter()).isEqualTo(HashingPool.BUSY_RETRY_AFTER);
  }

  @Test
  void preparationRunsOnTheCallersThreadOnlyOnceAPlaceIsTakenAndGivesItBackIfItThrows() throws Exception {
    occupyTheThread();
    AtomicBoolean prepared = new AtomicBoolean();
    assertThat(catchThrowableOfType(IllegalStateException.class, () -> pool.reply(new Reply<>(), () -> {
      throw new IllegalStateException("throttled");
    }, p -> "never"))).hasMessage("throttled");
    // The queue's one place is free again: this call takes it.
    String caller = Thread.currentThread().getName();
    Reply<String> queued = new Reply<>();
    pool.reply(queued, () -> Thread.currentThread().getName(), p -> p + " then the pool");

    ParleyException busy = catchThrowableOfType(ParleyException.class, () -> pool.reply(new Reply<>(), () -> {
      prepared.set(true);
      return "x";
    }, p -> p));
    assertThat(busy.reason()).isEqualTo(ErrorReason.PASSWORD_HASHING_BUSY);
    assertThat(prepared).as("a refused call prepares nothing").isFalse();
    release.countDown();
    assertThat(queued.result.get(5, TimeUnit.SECONDS)).isEqualTo(caller + " then the pool");
  }

  @Test
  void workForACallCancelledWhileItWaitedIsSkipped() throws Exception {
    try (HashingPool roomy = new HashingPool(1, 4)) {
      CountDownLatch started = new CountDownLatch(1);
      roomy.reply(new Reply<>(), () -> {
        started.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "done";
      });
      AtomicBoolean ran = new AtomicBoolean();
      Reply<String> reply = new Reply<>();
      Context.CancellableContext call = Context.current().withCancellation();
      call.run(() -> roomy.reply(reply, () -> {
        ran.set(true);
        return "too late";
      }));
      Reply<String> after = new Reply<>();
      roomy.reply(after, () -> "after");
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

      call.cancel(null);
      release.countDown();

      // Queued after the cancelled call's work, so it comes once that was skipped.
      assertThat(after.result.get(5, TimeUnit.SECONDS)).isEqualTo("after");
      assertThat(ran).isFalse();
      assertThat(reply.result).isNotDone();
    }
  }
}
