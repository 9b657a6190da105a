package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's retention policy at work: every {@code interval}, on its own thread, deletes the
 * messages older than the retention age, going through the conversations in id order a few hundred
 * at a time and deleting at most a thousand messages per statement, so that no statement is long.
 * (Reads hide those messages as soon as they are past the age; this frees the disk.) A sweep that
 * fails is logged and tried again next time. Thread-safe.
 */
final class RetentionSweeper implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RetentionSweeper.class);

  static final int CONVERSATIONS_PER_STEP = 500;
  static final int MESSAGES_PER_STEP = 1000;

  private final MessageStore store;
  private final ConversationGuard guard;
  private final ScheduledExecutorService thread;

  RetentionSweeper(MessageStore store, ConversationGuard guard, Duration interval) {
    this.store = requireNonNull(store, "store");
    this.guard = requireNonNull(guard, "guard");
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-retention");
      t.setDaemon(true);
      return t;
    });
    long millis = interval.toMillis();
    thread.scheduleWithFixedDelay(this::sweepQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Goes through every conversation once; returns how many messages it deleted. */
  long sweep() {
    long cutoff = guard.retentionCutoff();
    long deleted = 0;
    ConversationId after = null;
    while (!Thread.currentThread().isInterrupted()) {
      List<ConversationId> page = store.conversationsAfter(after, CONVERSATIONS_PER_STEP);
      if (page.isEmpty()) {
        break;
      }
      int step;
      do {
        step = store.deleteOlderThan(cutoff, page, MESSAGES_PER_STEP);
        deleted += step;
      } while (step == MESSAGES_PER_STEP && !Thread.currentThread().isInterrupted());
      after = page.get(page.size() - 1);
    }
    return deleted;
  }

  private void sweepQuietly() {
    try {
      long deleted = sweep();
      if (deleted > 0) {
        logger.info("retention: deleted {} messages older than the retention age", deleted);
      }
    } catch (RuntimeException e) {
      logger.warn("retention sweep failed ({}); trying again later", e.toString());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
