package io.parley.message.store;

/**
 * Hears the live events of every conversation, from every replica sharing the store.
 *
 * <p>Events of one conversation arrive in the order they happened (messages in seq order).
 * Delivery is at most once: while the store's event channel is down, events are missed, which
 * {@link #interrupted()} announces. Callbacks run on the store's event thread (the memory store:
 * the writer's thread), one at a time, and must return quickly.
 */
public interface StoreListener {
  void event(StoreEvent event);

  /** The event channel is down: events may be missed until {@link #resumed()}. */
  default void interrupted() {}

  /** The event channel is (again) live. */
  default void resumed() {}
}
