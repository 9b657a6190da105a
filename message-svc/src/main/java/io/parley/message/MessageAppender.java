package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.Appended;
import io.parley.message.store.ConversationId;
import io.parley.message.store.Draft;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.Event;
import io.parley.message.v1.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: sends wait in a queue, and a few writer threads each store whatever is waiting (up
 * to {@code maxBatch} drafts) in one {@link MessageStore#append} call, which is one transaction.
 * Concurrent sends are thus committed together, and a burst of N sends costs N / maxBatch
 * transactions, not N.
 *
 * <p><b>Partitions.</b> A conversation always goes to the same writer (by the hash of its id), so its
 * batches are committed one after the other, and its live events are published in seq order. A
 * writer, for each batch: stores it (one transaction); hands the events of what it committed to the
 * publisher, as one frame, which never blocks (the bus may be slow, sends must not wait for it);
 * then completes each draft's future: a send is acknowledged only once committed. Events of other
 * changes (recalls, read receipts: {@link #publish}) go through the same queue, so they are
 * published after the messages of their conversation that were acknowledged before them: a recall
 * never overtakes the message it recalls.
 *
 * <p><b>Failures.</b> A batch that fails because the store is unavailable fails every draft of the
 * batch, and every draft then waiting for the same writer, with that error (UNAVAILABLE,
 * STORE_UNAVAILABLE): they would only wait to fail too. A batch that fails for any other reason is
 * stored again one draft at a time, so that a draft the store rejects fails alone. At most {@code
 * maxQueued} drafts wait per writer; beyond that a send fails at once with SERVER_BUSY.
 *
 * <p>Thread-safe.
 */
final class MessageAppender implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(MessageAppender.class);

  /** Put in a queue by {@link #close()} to stop its writer. */
  private static final Object STOP = new Object();

  private record Pending(Draft draft, CompletableFuture<Appended> future) {}

  private final MessageStore store;
  private final Consumer<List<LiveEvent>> events;
  private final int maxBatch;
  private final MessageMetrics metrics;
  private final int maxQueued;
  private final Writer[] writers;
  private volatile boolean open = true;

  /**
   * Starts the writers.
   *
   * @param events publishes events of committed changes, in order, to every replica ({@link
   *     LiveEvents#publish}); must not throw
   * @param metrics where the messages committed are counted
   */
  MessageAppender(MessageStore store, Consumer<List<LiveEvent>> events, int threads, int maxBatch, int maxQueued,
      MessageMetrics metrics) {
    this.store = requireNonNull(store, "store");
    this.metrics = requireNonNull(metrics, "metrics");
    this.events = requireNonNull(events, "events");
    if (threads < 1 || maxBatch < 1 || maxQueued < 1) {
      throw new IllegalArgumentException("threads, maxBatch and maxQueued must be positive: " + threads + ", "
          + maxBatch + ", " + maxQueued);
    }
    this.maxBatch = maxBatch;
    this.maxQueued = maxQueued;
    this.writers = new Writer[threads];
    for (int i = 0; i < threads; i++) {
      writers[i] = new Writer("parley-msg-writer-" + (i + 1));
    }
    for (Writer writer : writers) {
      writer.thread.start();
    }
  }

  /**
   * Stores {@code draft} with the next batch of its conversation's writer.
   *
   * @return completes once the draft is committed (or found to repeat an earlier send), or
   *     exceptionally with a {@link ParleyException} or the store's failure
   */
  CompletableFuture<Appended> append(Draft draft) {
    requireNonNull(draft, "draft");
    CompletableFuture<Appended> future = new CompletableFuture<>();
    Writer writer = writer(draft.conversation());
    if (!open) {
      future.completeExceptionally(shuttingDown());
    } else if (writer.drafts.incrementAndGet() > maxQueued) {
      writer.drafts.decrementAndGet();
      future.completeExceptionally(ParleyException.builder(ErrorReason.SERVER_BUSY)
          .message("too many messages are waiting to be stored; retry").build());
    } else {
      writer.queue.add(new Pending(draft, future));
      if (!open) {
        writer.failQueued(shuttingDown());
      }
    }
    return future;
  }

  /**
   * Publishes {@code event}, of a change already committed, after the events of whatever its
   * conversation's writer has queued before it. Never throws.
   */
  void publish(LiveEvent event) {
    requireNonNull(event, "event");
    if (open) {
      writer(event.conversation()).queue.add(event);
    } else {
      events.accept(List.of(event));
    }
  }

  private Writer writer(ConversationId conversation) {
    return writers[Math.floorMod(conversation.value().hashCode(), writers.length)];
  }

  /**
   * Stops taking drafts, lets each writer finish the batch it is storing and publish what it holds,
   * then fails drafts still waiting with SERVER_BUSY.
   */
  @Override
  public void close() {
    open = false;
    for (Writer writer : writers) {
      writer.queue.add(STOP);
    }
    for (Writer writer : writers) {
      try {
        writer.thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writer.failQueued(shuttingDown());
    }
  }

  private static ParleyException shuttingDown() {
    return ParleyException.builder(ErrorReason.SERVER_BUSY).message("server shutting down; retry").build();
  }

  /** One writer: its queue of drafts and events (in order), and its thread. */
  private final class Writer implements Runnable {
    final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Drafts in {@link #queue}. */
    final AtomicInteger drafts = new AtomicInteger();
    final Thread thread;

    Writer(String name) {
      this.thread = new Thread(this, name);
      this.thread.setDaemon(true);
    }

    @Override
    public void run() {
      List<Object> items = new ArrayList<>(maxBatch);
      while (true) {
        try {
          items.add(queue.take());
        } catch (InterruptedException e) {
          return;
        }
        int taken = items.get(0) instanceof Pending ? 1 : 0;
        // Take what waits, up to maxBatch drafts (events ride along), and stop at a STOP.
        Object next;
        while (taken < maxBatch && (next = queue.poll()) != null) {
          items.add(next);
          if (next instanceof Pending) {
            taken++;
          } else if (next == STOP) {
            break;
          }
        }
        boolean stop = items.remove(STOP);
        drafts.addAndGet(-taken);
        try {
          process(items);
        } catch (RuntimeException | Error e) {
          logger.error("a message batch failed unexpectedly", e);
          items.forEach(item -> {
            if (item instanceof Pending pending) {
              pending.future().completeExceptionally(e);
            }
          });
        } finally {
          items.clear();
        }
        if (stop) {
          return;
        }
      }
    }

    /**
     * Stores the drafts among {@code items} in one batch, hands the events of what was committed to
     * the publisher (in queue order), then answers the drafts.
     */
    private void process(List<Object> items) {
      List<Pending> batch = new ArrayList<>(items.size());
      for (Object item : items) {
        if (item instanceof Pending pending) {
          batch.add(pending);
        }
      }
      Object[] outcomes = store(batch);
      List<LiveEvent> out = new ArrayList<>(items.size());
      int i = 0;
      for (Object item : items) {
        if (item instanceof LiveEvent event) {
          out.add(event);
        } else if (outcomes[i++] instanceof Appended appended && !appended.duplicate()) {
          Draft draft = ((Pending) item).draft();
          metrics.sent(draft.conversation());
          out.add(messageEvent(draft, appended));
        }
      }
      publish(out);
      for (int j = 0; j < batch.size(); j++) {
        if (outcomes[j] instanceof Appended appended) {
          batch.get(j).future().complete(appended);
        } else {
          batch.get(j).future().completeExceptionally((Throwable) outcomes[j]);
        }
      }
      if (outcomes.length > 0 && outcomes[outcomes.length - 1] instanceof ParleyException e && isUnavailable(e)) {
        failQueued(e);
      }
    }

    /** One outcome per draft: its {@link Appended}, or the failure. */
    private Object[] store(List<Pending> batch) {
      Object[] outcomes = new Object[batch.size()];
      if (batch.isEmpty()) {
        return outcomes;
      }
      try {
        List<Appended> appended = store.append(batch.stream().map(Pending::draft).toList());
        for (int i = 0; i < outcomes.length; i++) {
          outcomes[i] = appended.get(i);
        }
        return outcomes;
      } catch (RuntimeException e) {
        if (isUnavailable(e) || batch.size() == 1) {
          Arrays.fill(outcomes, e);
          return outcomes;
        }
        logger.warn("a batch of {} messages failed ({}); storing them one by one", batch.size(), e.toString());
      }
      for (int i = 0; i < outcomes.length; i++) {
        try {
          outcomes[i] = store.append(List.of(batch.get(i).draft())).get(0);
        } catch (RuntimeException e) {
          outcomes[i] = e;
          if (isUnavailable(e)) {
            Arrays.fill(outcomes, i + 1, outcomes.length, e);
            break;
          }
        }
      }
      return outcomes;
    }

    /** Fails every draft waiting in the queue with {@code error}; events waiting there are published. */
    void failQueued(RuntimeException error) {
      List<Object> waiting = new ArrayList<>();
      queue.drainTo(waiting);
      List<LiveEvent> out = new ArrayList<>();
      boolean stop = false;
      for (Object item : waiting) {
        if (item instanceof Pending pending) {
          drafts.decrementAndGet();
          pending.future().completeExceptionally(error);
        } else if (item instanceof LiveEvent event) {
          out.add(event);
        } else {
          stop = true;
        }
      }
      publish(out);
      if (stop) {
        queue.add(STOP);
      }
    }
  }

  private void publish(List<LiveEvent> out) {
    if (!out.isEmpty()) {
      events.accept(out);
    }
  }

  private static boolean isUnavailable(Throwable e) {
    return e instanceof ParleyException p && p.reason() == ErrorReason.STORE_UNAVAILABLE;
  }

  /** The live event of a newly stored message: the message as stored, to every participant. */
  private static LiveEvent messageEvent(Draft draft, Appended appended) {
    com.google.protobuf.Timestamp time = Timestamps.fromMillis(appended.serverTimeMillis());
    Message message = draft.message().toBuilder().setSeq(appended.seq()).setServerTime(time).build();
    return new LiveEvent(draft.originSessionId(), "", Event.newBuilder().setTime(time).setMessage(message).build());
  }
}
