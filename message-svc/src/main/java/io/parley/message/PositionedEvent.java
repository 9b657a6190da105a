package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;

/** A live event as a replica read it from the event log: the event and its position there. */
record PositionedEvent(LogPosition position, LiveEvent live) {
  PositionedEvent {
    requireNonNull(position, "position");
    requireNonNull(live, "live");
  }

  Event event() {
    return live.event();
  }

  ConversationId conversation() {
    return live.conversation();
  }
}
