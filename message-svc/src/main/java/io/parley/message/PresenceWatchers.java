package io.parley.message;

import io.parley.message.v1.Event;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's index of presence watching: watched user id to the Subscribe streams open here
 * that watch them ({@code SubscribeRequest.presence_user_ids}, those the caller may see). A change
 * of a user's presence is handed to their watchers only, so its cost is the number of watchers, not
 * the user's friends. Thread-safe.
 */
final class PresenceWatchers {
  private final Map<String, Set<Subscriber>> byWatched = new ConcurrentHashMap<>();
  private final Map<Subscriber, List<String>> byStream = new ConcurrentHashMap<>();

  /** Registers {@code stream} as a watcher of each of {@code userIds}. */
  void watch(Subscriber stream, List<String> userIds) {
    if (userIds.isEmpty()) {
      return;
    }
    byStream.put(stream, List.copyOf(userIds));
    for (String userId : userIds) {
      byWatched.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(stream);
    }
  }

  /** Forgets {@code stream}'s watches (idempotent). */
  void forget(Subscriber stream) {
    List<String> watched = byStream.remove(stream);
    if (watched == null) {
      return;
    }
    for (String userId : watched) {
      byWatched.computeIfPresent(userId, (u, streams) -> {
        streams.remove(stream);
        return streams.isEmpty() ? null : streams;
      });
    }
  }

  /** Hands a {@code presence} event to the streams here that watch its user. */
  void deliver(Event event) {
    Set<Subscriber> streams = byWatched.get(event.getPresence().getUserId());
    if (streams != null) {
      for (Subscriber stream : streams) {
        stream.offer(event);
      }
    }
  }

  /** How many streams here watch {@code userId} (tests). */
  int watcherCount(String userId) {
    Set<Subscriber> streams = byWatched.get(userId);
    return streams == null ? 0 : streams.size();
  }
}
