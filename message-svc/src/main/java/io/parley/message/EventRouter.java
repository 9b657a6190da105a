package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import io.parley.message.v1.ResyncRequired;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes live events (from every replica, in order per conversation: {@link EventOrder}) to the
 * Subscribe streams open on this replica: a private conversation's events to its two participants,
 * a group's to its members (group-svc's member list, cached), or to the one user an event names; a
 * user's presence to the streams that watch them ({@link PresenceTracker#deliver}).
 *
 * <p>It only queues events on streams ({@link Subscriber#offer}), which never blocks, so a slow
 * stream delays no one; a private event is written on the routing thread by a stream with nothing
 * else to write (no hand-off), a group's on the delivery executor. A group whose members are not
 * cached holds its events while the list loads (without stopping other conversations), then routes
 * them in order; if the list cannot be had, they are not pushed (pull stays the source of truth)
 * and a warning is logged.
 *
 * <p>When the event log cannot be read, events may be missed without anyone knowing, so {@link
 * #interrupted()} ends every stream with {@code resync_required} and UNAVAILABLE
 * (STORE_UNAVAILABLE): clients subscribe again, resuming from their last cursor. Every event is
 * reported to {@link StreamPositions#done} once it is queued on the streams it concerns. Thread-safe: group
 * routing holds one lock, for as long as it takes to queue an event on the streams concerned.
 */
final class EventRouter {
  private static final Logger logger = LoggerFactory.getLogger(EventRouter.class);

  private final SubscriberRegistry registry;
  private final GroupDirectory groups;
  private final StreamPositions positions;
  /** Events of groups whose members are loading, in arrival order. Guarded by {@code this}. */
  private final Map<String, ArrayDeque<PositionedEvent>> waiting = new HashMap<>();
  private final Consumer<Event> presence;

  EventRouter(SubscriberRegistry registry, GroupDirectory groups, StreamPositions positions) {
    this(registry, groups, positions, event -> { });
  }

  /** Routes as the other constructor does, and hands {@code presence} events to {@code presence}. */
  EventRouter(SubscriberRegistry registry, GroupDirectory groups, StreamPositions positions,
      Consumer<Event> presence) {
    this.registry = requireNonNull(registry, "registry");
    this.groups = requireNonNull(groups, "groups");
    this.positions = requireNonNull(positions, "positions");
    this.presence = requireNonNull(presence, "presence");
  }

  /**
   * Queues {@code event} on the streams it concerns, then tells {@link StreamPositions} it is done
   * (at once, or once its group's member list is known). Call it under {@link
   * StreamPositions#routing}.
   */
  void event(PositionedEvent event) {
    LiveEvent live = event.live();
    if (registry.userCount() == 0) {
      positions.done(event.position());
      return;
    }
    if (live.event().getKindCase() == Event.KindCase.PRESENCE) {
      presence.accept(live.event());
      positions.done(event.position());
      return;
    }
    if (!live.audienceUserId().isEmpty()) {
      registry.deliver(live.audienceUserId(), live.originSessionId(), event);
      positions.done(event.position());
      return;
    }
    ConversationId conversation = live.conversation();
    if (!conversation.isGroup()) {
      registry.deliver(conversation.firstUser(), live.originSessionId(), event);
      registry.deliver(conversation.secondUser(), live.originSessionId(), event);
      positions.done(event.position());
      return;
    }
    routeToGroup(conversation.groupId(), event);
  }

  private synchronized void routeToGroup(String groupId, PositionedEvent event) {
    ArrayDeque<PositionedEvent> held = waiting.get(groupId);
    if (held != null) {
      held.add(event);
      return;
    }
    Set<String> members = groups.cachedMemberIds(groupId);
    if (members != null) {
      deliverToMembers(members, event);
      positions.done(event.position());
      return;
    }
    held = new ArrayDeque<>();
    held.add(event);
    waiting.put(groupId, held);
    groups.memberIdsAsync(groupId)
        .whenComplete((ids, error) -> positions.routing(() -> release(groupId, ids, error)));
  }

  private synchronized void release(String groupId, Set<String> members, Throwable error) {
    ArrayDeque<PositionedEvent> events = waiting.remove(groupId);
    if (events == null) {
      return;
    }
    if (error != null) {
      logger.warn("{} live event(s) of group {} not pushed: its members are unknown ({})",
          events.size(), groupId, UnaryCalls.unwrap(error).toString());
    } else {
      events.forEach(e -> deliverToMembers(members, e));
    }
    events.forEach(e -> positions.done(e.position()));
  }

  /** Forgets the events waiting for member lists (dropped): the streams are told to resync. */
  synchronized void forgetWaiting() {
    waiting.values().forEach(events -> events.forEach(e -> positions.done(e.position())));
    waiting.clear();
  }

  /**
   * Queues a group's event on its members' streams, under the routing lock (which keeps a group's
   * events in order while its member list loads), so the streams write on the delivery executor:
   * serializing and writing a thousand events must not hold up every other group's routing.
   */
  private void deliverToMembers(Set<String> members, PositionedEvent event) {
    // Walk the smaller side: a big group with few subscribers here, or the reverse.
    if (registry.userCount() < members.size()) {
      for (String userId : registry.userIds()) {
        if (members.contains(userId)) {
          registry.deliverFromLock(userId, event.live().originSessionId(), event);
        }
      }
    } else {
      for (String userId : members) {
        registry.deliverFromLock(userId, event.live().originSessionId(), event);
      }
    }
  }

  /** Ends every stream: events may have been lost. */
  void interrupted() {
    registry.endAll(
        registry.event(Event.newBuilder().setResyncRequired(ResyncRequired.getDefaultInstance())),
        () -> new ParleyException(ErrorReason.STORE_UNAVAILABLE,
            "live events were interrupted: subscribe again with the last event's cursor"));
  }
}
