package io.parley.message;

import io.parley.message.v1.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's index of presence watching: watched user id to the Subscribe streams open here
 * that watch them ({@code SubscribeRequest.presence_user_ids}, those the caller may see). A change
 * of a user's presence is handed to their watchers only, so its cost is the number of watchers, not
 * the user's friends. Each stream is handed a user's presence only if it is newer (by {@code
 * version}) than the last it was handed, since two replicas' reports of one user may cross on the
 * event bus. A watch may be ended on its own ({@link #unwatch}) when its viewer may no longer see the
 * user; nothing of that user reaches the stream after the last event it is then handed. Thread-safe.
 */
final class PresenceWatchers {
  private final Map<String, Set<Subscriber>> byWatched = new ConcurrentHashMap<>();
  /** Per stream, the version last handed of each user it watches (-1: none yet). */
  private final Map<Subscriber, Map<String, Long>> byStream = new ConcurrentHashMap<>();
  /** The streams of each viewer (user id) that watch anyone. */
  private final Map<String, Set<Subscriber>> byViewer = new ConcurrentHashMap<>();

  /** Registers {@code stream} as a watcher of each of {@code userIds}. */
  void watch(Subscriber stream, List<String> userIds) {
    if (userIds.isEmpty()) {
      return;
    }
    Map<String, Long> versions = new ConcurrentHashMap<>();
    userIds.forEach(userId -> versions.put(userId, -1L));
    byStream.put(stream, versions);
    byViewer.computeIfAbsent(stream.userId(), u -> ConcurrentHashMap.newKeySet()).add(stream);
    for (String userId : userIds) {
      byWatched.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(stream);
    }
  }

  /** Forgets {@code stream}'s watches (idempotent). */
  void forget(Subscriber stream) {
    Map<String, Long> watched = byStream.remove(stream);
    if (watched == null) {
      return;
    }
    byViewer.computeIfPresent(stream.userId(), (u, streams) -> {
      streams.remove(stream);
      return streams.isEmpty() ? null : streams;
    });
    for (String userId : watched.keySet()) {
      byWatched.computeIfPresent(userId, (u, streams) -> {
        streams.remove(stream);
        return streams.isEmpty() ? null : streams;
      });
    }
  }

  /** Hands a {@code presence} event to the streams here that watch its user and have not seen newer. */
  void deliver(Event event) {
    Set<Subscriber> streams = byWatched.get(event.getPresence().getUserId());
    if (streams != null) {
      for (Subscriber stream : streams) {
        offer(stream, event);
      }
    }
  }

  /** Hands a {@code presence} event to {@code stream} if it watches the user and has not seen newer. */
  void offer(Subscriber stream, Event event) {
    Map<String, Long> versions = byStream.get(stream);
    if (versions == null) {
      return;
    }
    long version = event.getPresence().getVersion();
    // Queued under the entry's lock, so that no event of the user can follow unwatch's last one.
    versions.computeIfPresent(event.getPresence().getUserId(), (u, last) -> {
      if (version > last) {
        stream.offerFromLock(event, null);
      }
      return Math.max(version, last);
    });
  }

  /** The streams here that watch {@code userId}, at this instant. */
  List<Subscriber> watchersOf(String userId) {
    Set<Subscriber> streams = byWatched.get(userId);
    return streams == null ? List.of() : List.copyOf(streams);
  }

  /** The streams here of {@code viewerId}, each with the users it watches, at this instant. */
  Map<Subscriber, List<String>> watchesOf(String viewerId) {
    Set<Subscriber> streams = byViewer.get(viewerId);
    if (streams == null) {
      return Map.of();
    }
    Map<Subscriber, List<String>> watches = new HashMap<>();
    for (Subscriber stream : streams) {
      Map<String, Long> versions = byStream.get(stream);
      if (versions != null && !versions.isEmpty()) {
        watches.put(stream, List.copyOf(versions.keySet()));
      }
    }
    return watches;
  }

  /**
   * Ends {@code stream}'s watch of {@code userId}, handing it {@code last} as the final event of that
   * user; nothing if it does not watch them (any more).
   */
  void unwatch(Subscriber stream, String userId, Event last) {
    Map<String, Long> versions = byStream.get(stream);
    if (versions == null) {
      return;
    }
    boolean[] watched = new boolean[1];
    versions.computeIfPresent(userId, (u, version) -> {
      watched[0] = true;
      stream.offerFromLock(last, null);
      return null;
    });
    if (watched[0]) {
      byWatched.computeIfPresent(userId, (u, streams) -> {
        streams.remove(stream);
        return streams.isEmpty() ? null : streams;
      });
    }
  }

  /** How many streams here watch {@code userId} (tests). */
  int watcherCount(String userId) {
    Set<Subscriber> streams = byWatched.get(userId);
    return streams == null ? 0 : streams.size();
  }
}
