package io.parley.group;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.events.EventBus;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events group-svc publishes so that other services (message-svc) can drop what they cache
 * about group membership.
 *
 * <p><b>Contract.</b> On the {@link EventBus} channel {@value #CHANNEL}, the payload is UTF-8 text:
 *
 * <ul>
 *   <li>{@code "<groupId> <userId>"} after anything about that member changed: it joined (it created
 *       the group, accepted an invitation, joined an OPEN group, was approved, or was added at once
 *       as a friend or a requester), left or was removed, its role changed (SetMemberRole, and
 *       both the old and the new owner on TransferOwnership), or it was muted or unmuted;
 *   <li>{@code "<groupId> *"} ({@value #WHOLE_GROUP}) after the group was dismissed: forget
 *       everything about it. Each of its members' events comes first, as each left it (so that a
 *       subscriber can re-check what those users may still see of each other, e.g. presence).
 * </ul>
 *
 * <p>An event says what changed, never the new state: a subscriber drops its copy and asks
 * group-svc again (CheckMembership, ListMemberIds). Events are published after the change is
 * committed; their order across concurrent changes is not defined, delivery is at most once, and a
 * change whose event cannot be published still succeeds (the failure is logged). A subscriber must
 * therefore bound how long it trusts a cached answer, and drop everything when the bus reports
 * {@link EventBus.Handler#disconnected()}. A call that changes nothing may still publish.
 * Group fields (name, notice, avatar, join policy) publish nothing: they are no membership.
 * Thread-safe.
 */
public final class MembershipEvents {
  private static final Logger logger = LoggerFactory.getLogger(MembershipEvents.class);

  /** The channel every membership event is published on. */
  public static final String CHANNEL = "parley.group.membership";

  /** The user part of the payload that stands for every member: the group was dismissed. */
  public static final String WHOLE_GROUP = "*";

  private final EventBus bus;

  MembershipEvents(EventBus bus) {
    this.bus = requireNonNull(bus, "bus");
  }

  /** The payload for a change of {@code userId} in {@code groupId}, or of the whole group for {@value #WHOLE_GROUP}. */
  public static String payload(String groupId, String userId) {
    return requireNonNull(groupId, "groupId") + " " + requireNonNull(userId, "userId");
  }

  void memberChanged(String groupId, String userId) {
    publish(payload(groupId, userId));
  }

  void groupDismissed(String groupId, List<String> memberIds) {
    memberIds.forEach(userId -> memberChanged(groupId, userId));
    publish(payload(groupId, WHOLE_GROUP));
  }

  private void publish(String payload) {
    try {
      bus.publish(CHANNEL, payload.getBytes(UTF_8));
    } catch (RuntimeException e) {
      logger.warn("could not publish membership event '{}'; subscribers rely on their cache bound", payload, e);
    }
  }
}
