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
 * <p>Events travel on shards (a {@link RedisSessionStore}'s are the hash slots of its users'
 * keys), each of which is heard or not at any time. Each shard has an epoch: odd while the shard's
 * events are heard, even while they are not. A reader that takes a shard's epoch before reading a
 * session from the store, and finds the same odd epoch later, knows that every event about that
 * session since the read has been heard: an entry is good for as long as its shard's epoch is the
 * one taken before its read. A lost channel moves the epoch to the next even number; when the
 * shard is heard again, the epoch moves on to the next odd number, unless the store knows that no
 * event of the shard was missed meanwhile, in which case it goes back to the odd number it had, and
 * the entries read before become good again. So neither a read made before a missed event nor one
 * whose load was still in flight when the channel dropped is ever served after it, and only what a
 * missed event could have made stale is dropped.
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

  /** The shard's events are heard from now on, some may have been missed meanwhile; true if they were not heard. */
  boolean heard(int shard) {
    return resumed(shard, false);
  }

  /**
   * The shard's events are heard from now on; true if they were not. With {@code nothingMissed}
   * (the store knows that no event of the shard was published while it was not heard), the entries
   * read before the loss are good again.
   */
  boolean resumed(int shard, boolean nothingMissed) {
    long before = epochs.getAndUpdate(shard, e -> isHeard(e) ? e : nothingMissed && e > 0 ? e - 1 : e + 1);
    if (isHeard(before)) {
      return false;
    }
    heard.incrementAndGet();
    return true;
  }

  /** Events of a heard shard were missed after all: entries read so far are no longer good. */
  void invalidate(int shard) {
    epochs.getAndUpdate(shard, e -> isHeard(e) ? e + 2 : e);
  }

  /** Whether an entry read under {@code epoch} may ever be good again (or is now). */
  boolean mayServe(int shard, long epoch) {
    long current = epochs.get(shard);
    return isHeard(epoch) && (epoch == current || !isHeard(current) && epoch == current - 1);
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
