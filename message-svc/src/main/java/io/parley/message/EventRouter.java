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
 * <p>When the event bus is interrupted, events may be lost without anyone knowing, so {@link
 * #interrupted()} ends every stream with {@code resync_required} and UNAVAILABLE
 * (STORE_UNAVAILABLE): clients subscribe again and pull what they missed. Thread-safe: group
 * routing holds one lock, for as long as it takes to queue an event on the streams concerned.
 */
final class EventRouter {
  private static final Logger logger = LoggerFactory.getLogger(EventRouter.class);

  private final SubscriberRegistry registry;
  private final GroupDirectory groups;
  /** Events of groups whose members are loading, in arrival order. Guarded by {@code this}. */
  private final Map<String, ArrayDeque<LiveEvent>> waiting = new HashMap<>();
  private final Consumer<Event> presence;

  EventRouter(SubscriberRegistry registry, GroupDirectory groups) {
    this(registry, groups, event -> { });
  }

  /** Routes as the other constructor does, and hands {@code presence} events to {@code presence}. */
  EventRouter(SubscriberRegistry registry, GroupDirectory groups, Consumer<Event> presence) {
    this.registry = requireNonNull(registry, "registry");
    this.groups = requireNonNull(groups, "groups");
    this.presence = requireNonNull(presence, "presence");
  }

  /** Queues {@code event} on the streams it concerns. */
  void event(LiveEvent event) {
    if (registry.userCount() == 0) {
      return;
    }
    if (event.event().getKindCase() == Event.KindCase.PRESENCE) {
      presence.accept(event.event());
      return;
    }
    if (!event.audienceUserId().isEmpty()) {
      registry.deliver(event.audienceUserId(), event.originSessionId(), event.event());
      return;
    }
    ConversationId conversation = event.conversation();
    if (!conversation.isGroup()) {
      registry.deliver(conversation.firstUser(), event.originSessionId(), event.event());
      registry.deliver(conversation.secondUser(), event.originSessionId(), event.event());
      return;
    }
    routeToGroup(conversation.groupId(), event);
  }

  private synchronized void routeToGroup(String groupId, LiveEvent event) {
    ArrayDeque<LiveEvent> held = waiting.get(groupId);
    if (held != null) {
      held.add(event);
      return;
    }
    Set<String> members = groups.cachedMemberIds(groupId);
    if (members != null) {
      deliverToMembers(members, event);
      return;
    }
    held = new ArrayDeque<>();
    held.add(event);
    waiting.put(groupId, held);
    groups.memberIdsAsync(groupId).whenComplete((ids, error) -> release(groupId, ids, error));
  }

  private synchronized void release(String groupId, Set<String> members, Throwable error) {
    ArrayDeque<LiveEvent> events = waiting.remove(groupId);
    if (events == null) {
      return;
    }
    if (error != null) {
      logger.warn("{} live event(s) of group {} not pushed: its members are unknown ({})",
          events.size(), groupId, UnaryCalls.unwrap(error).toString());
      return;
    }
    events.forEach(e -> deliverToMembers(members, e));
  }

  /**
   * Queues a group's event on its members' streams, under the routing lock (which keeps a group's
   * events in order while its member list loads), so the streams write on the delivery executor:
   * serializing and writing a thousand events must not hold up every other group's routing.
   */
  private void deliverToMembers(Set<String> members, LiveEvent event) {
    // Walk the smaller side: a big group with few subscribers here, or the reverse.
    if (registry.userCount() < members.size()) {
      for (String userId : registry.userIds()) {
        if (members.contains(userId)) {
          registry.deliverFromLock(userId, event.originSessionId(), event.event());
        }
      }
    } else {
      for (String userId : members) {
        registry.deliverFromLock(userId, event.originSessionId(), event.event());
      }
    }
  }

  /** Ends every stream: events may have been lost. */
  void interrupted() {
    registry.endAll(
        registry.event(Event.newBuilder().setResyncRequired(ResyncRequired.getDefaultInstance())),
        () -> new ParleyException(ErrorReason.STORE_UNAVAILABLE,
            "live events were interrupted: subscribe again and pull each conversation from its last seen seq"));
  }
}
