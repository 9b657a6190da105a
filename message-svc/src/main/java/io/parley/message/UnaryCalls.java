package io.parley.message;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/** Unary calls to other services as {@link CompletableFuture}s, for caches that share one load. */
final class UnaryCalls {
  private UnaryCalls() {}

  /**
   * Starts {@code method(request)} in a fork of the current {@link Context}: it carries the
   * request id along, but neither the caller's deadline nor its cancellation, since the answer
   * may be shared with other callers (set a deadline on the stub).
   */
  static <Req, Resp> CompletableFuture<Resp> start(BiConsumer<Req, StreamObserver<Resp>> method, Req request) {
    CompletableFuture<Resp> future = new CompletableFuture<>();
    Context.current().fork().run(() -> method.accept(request, new StreamObserver<>() {
      @Override
      public void onNext(Resp value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        if (!future.isDone()) {
          future.completeExceptionally(new IllegalStateException("a unary call completed without an answer"));
        }
      }
    }));
    return future;
  }

  /** Waits for {@code future}; its failure is rethrown as is (a StatusRuntimeException, ...). */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw unwrap(e);
    }
  }

  /** The failure inside a {@link CompletionException}, as an unchecked exception. */
  static RuntimeException unwrap(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof RuntimeException e) {
      return e;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(cause);
  }
}
