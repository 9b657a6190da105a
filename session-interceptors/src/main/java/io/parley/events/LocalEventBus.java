package io.parley.events;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} inside one process, for the embedded default. {@link #publish} delivers
 * synchronously on the publishing thread, so handlers must be quick and must not block; a handler
 * that throws is logged and does not stop delivery to the others. Never disconnected. Thread-safe.
 */
public final class LocalEventBus implements EventBus {
  private static final Logger logger = LoggerFactory.getLogger(LocalEventBus.class);

  private final Map<String, List<Handler>> handlers = new ConcurrentHashMap<>();

  @Override
  public void publish(String channel, byte[] payload) {
    requireNonNull(payload, "payload");
    for (Handler handler : handlers.getOrDefault(requireNonNull(channel, "channel"), List.of())) {
      try {
        handler.message(channel, payload);
      } catch (RuntimeException e) {
        logger.error("event handler on {} failed", channel, e);
      }
    }
  }

  @Override
  public Subscription subscribe(String channel, Handler handler) {
    requireNonNull(channel, "channel");
    requireNonNull(handler, "handler");
    handlers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(handler);
    handler.connected();
    return () -> handlers.computeIfPresent(channel, (c, list) -> {
      list.remove(handler);
      return list.isEmpty() ? null : list;
    });
  }

  @Override
  public void close() {
    handlers.clear();
  }
}
