package io.parley.session;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToIntFunction;

/**
 * Whether the events of a store's sessions are heard, shard by shard, and since when: what a cache
 * in front of the store needs to know to trust an entry exactly as long as no event about it can
 * have been missed.
 *
 * <p>Events travel on shards (one for a standalone Redis, one per hash slot on a Cluster), each of
 * which is heard or not at any time. Each shard has an epoch, a counter that moves on every change:
 * odd while the shard's events are heard, even while they are not. A reader that takes a shard's
 * epoch before reading a session from the store, and finds the same epoch later, knows that every
 * event about that session since the read has been heard: an entry is good for as long as its
 * shard's epoch is the one taken before its read. A lost channel, and the channel heard again,
 * each move the epoch, so neither a read made before a missed event nor one whose load was still in
 * flight when the channel dropped is ever served after it.
 *
 * <p>Thread-safe.
 */
final class EventEpochs {
  private final AtomicLongArray epochs;
  private final ToIntFunction<String> shardOfUser;
  private final AtomicInteger heard = new AtomicInteger();

  /**
   * @param shards how many shards there are
   * @param shardOfUser the shard that carries the events of a user's sessions
   * @param heard whether every shard starts heard (a store without an event channel that can fail)
   */
  EventEpochs(int shards, ToIntFunction<String> shardOfUser, boolean heard) {
    this.epochs = new AtomicLongArray(shards);
    this.shardOfUser = requireNonNull(shardOfUser, "shardOfUser");
    if (heard) {
      for (int i = 0; i < shards; i++) {
        epochs.set(i, 1);
      }
      this.heard.set(shards);
    }
  }

  /** One shard for every user. */
  static EventEpochs single(boolean heard) {
    return new EventEpochs(1, userId -> 0, heard);
  }

  int shard(String userId) {
    return shardOfUser.applyAsInt(userId);
  }

  long epoch(int shard) {
    return epochs.get(shard);
  }

  /** Whether an epoch is one of a shard whose events are heard. */
  static boolean isHeard(long epoch) {
    return (epoch & 1) == 1;
  }

  /** The shard's events are heard from now on; true if they were not. */
  boolean heard(int shard) {
    long before = epochs.getAndUpdate(shard, e -> isHeard(e) ? e : e + 1);
    if (isHeard(before)) {
      return false;
    }
    heard.incrementAndGet();
    return true;
  }

  /** The shard's events may be missed from now on; true if they were heard. */
  boolean missed(int shard) {
    long before = epochs.getAndUpdate(shard, e -> isHeard(e) ? e + 1 : e);
    if (!isHeard(before)) {
      return false;
    }
    heard.decrementAndGet();
    return true;
  }

  /** Whether every shard's events are heard now. */
  boolean allHeard() {
    return heard.get() == epochs.length();
  }
}
